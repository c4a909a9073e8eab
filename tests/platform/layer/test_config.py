"""Configuration comes from the environment, and a missing setting says which one."""

import pytest

from keneya.config import ConfigurationError, Settings


def test_a_missing_setting_names_the_variable():
    with pytest.raises(ConfigurationError, match="TABLE_NAME"):
        _ = Settings({}).table_name


def test_a_blank_setting_counts_as_missing():
    with pytest.raises(ConfigurationError, match="EVENTS_TOPIC_ARN"):
        _ = Settings({"EVENTS_TOPIC_ARN": "  "}).events_topic_arn


def test_an_integer_setting_that_is_not_a_number_names_the_variable():
    with pytest.raises(ConfigurationError, match="OTP_TTL_SECONDS"):
        Settings({"OTP_TTL_SECONDS": "five"}).get_int("OTP_TTL_SECONDS", 300)


def test_the_endpoint_is_absent_on_aws_and_given_elsewhere():
    assert Settings({}).aws_endpoint_url is None
    assert Settings({"AWS_ENDPOINT_URL": "http://127.0.0.1:4566"}).aws_endpoint_url == (
        "http://127.0.0.1:4566"
    )
