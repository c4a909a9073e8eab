"""Starting the stack fails early and clearly when it cannot run, and leaves nothing behind."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest

from keneya_local.stack import EmbeddedStack, StackError

from .conftest import FUNCTIONS, TEMPLATE

pytestmark = pytest.mark.slow


def test_a_busy_http_port_is_reported_before_anything_starts(aws_endpoint: str, tmp_path: Path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        stack = EmbeddedStack(
            TEMPLATE,
            FUNCTIONS,
            http_port=port,
            ws_port=0,
            aws_endpoint=aws_endpoint,
            log_dir=tmp_path,
        )

        with pytest.raises(StackError, match=f"port {port} is in use"):
            stack.start()

    assert stack.workers == {}


def test_a_service_whose_app_cannot_be_imported_fails_the_start_with_its_error(
    aws_endpoint: str, tmp_path: Path, unique_name: str
):
    functions = tmp_path / "functions"
    shutil.copytree(FUNCTIONS / "chat", functions / "chat")
    shutil.copytree(FUNCTIONS / "shop", functions / "shop")
    (functions / "shop" / "app.py").write_text("raise RuntimeError('no configuration here')\n")
    stack = EmbeddedStack(
        TEMPLATE,
        functions,
        http_port=0,
        ws_port=0,
        aws_endpoint=aws_endpoint,
        parameter_overrides={"Prefix": unique_name},
        log_dir=tmp_path / "logs",
    )

    with pytest.raises(StackError, match="no configuration here"):
        stack.start()

    assert "Runtime.ImportModuleError" in (tmp_path / "logs" / "shop.log").read_text()
    # The service that did start was stopped again.
    chat = stack.workers["chat"].pid
    assert chat is not None
    with pytest.raises(ProcessLookupError):
        os.kill(chat, 0)
