"""Logs never carry secrets, tokens, one-time codes or clinical content."""

import io
import json
import logging

from aws_lambda_powertools import Logger

from keneya.logs import REDACTED, RedactingFormatter, redact


def test_sensitive_values_are_masked_at_any_depth():
    entry = {
        "user": {"phone": "+22370000000", "password": "hunter2"},
        "otp": "123456",
        "attempts": [{"code": "654321"}],
        "data": {"notes": "hypertension"},
    }

    masked = redact(entry)

    assert masked["user"] == {"phone": "+22370000000", "password": REDACTED}
    assert masked["otp"] == REDACTED
    assert masked["attempts"] == [{"code": REDACTED}]
    assert masked["data"] == REDACTED


def test_a_log_line_written_with_a_secret_does_not_contain_it():
    stream = io.StringIO()
    logger = Logger(
        service="auth",
        logger_formatter=RedactingFormatter(),
        logger_handler=logging.StreamHandler(stream),
    )

    logger.info("login attempt", extra={"phone": "+22370000000", "password": "hunter2"})

    line = stream.getvalue().strip().splitlines()[-1]
    document = json.loads(line)
    assert "hunter2" not in line
    assert document["password"] == REDACTED
    assert document["phone"] == "+22370000000"
    assert document["level"] == logging.getLevelName(logging.INFO)
