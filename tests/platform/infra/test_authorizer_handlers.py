"""Every Lambda authorizer the packaged template names can be loaded: Chalice names its handler
`<module>.<function name>` (`app.access_token`), so that module must have an attribute of
that name. The
embedded runtime calls authorizers directly and would never notice one missing; API Gateway
on AWS (or an emulator) would fail every protected route."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.platform.infra.builds import REPO, SERVICES

_CHECK = """
import importlib, json, sys
module = importlib.import_module("app")
handlers = [auth.handler_string for auth in module.app.builtin_auth_handlers]
def loads(handler):
    path, _, name = handler.rpartition(".")
    return hasattr(importlib.import_module(path), name)
missing = [h for h in handlers if not loads(h)]
protected = any(e.authorizer for m in module.app.routes.values() for e in m.values())
print(json.dumps({"handlers": handlers, "missing": missing, "protected": protected}))
"""


@pytest.mark.parametrize("service", SERVICES)
def test_each_authorizer_handler_the_template_names_exists_in_the_app(service: str):
    paths = [str(REPO / "functions" / service), str(REPO / "layers/common/python")]
    answer = subprocess.run(
        [sys.executable, "-c", _CHECK],
        cwd=REPO / "functions" / service,
        env={"PYTHONPATH": ":".join(paths), "PATH": "/usr/bin:/bin", "STAGE": "local"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    found = json.loads(answer.stdout.strip().splitlines()[-1])
    assert found["missing"] == [], f"{service}: {found}"
    assert bool(found["handlers"]) == found["protected"], f"{service}: {found}"
