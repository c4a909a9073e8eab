"""Running the packaging step and cfn-lint, for the infrastructure tests."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.cfn_yaml import load_template

REPO = Path(__file__).resolve().parents[3]
FIXTURE_APP = Path(__file__).resolve().parent / "fixture_app"
SERVICES = ("auth", "users", "consultations", "records", "payments", "notifications", "signaling")
# The samconfig.toml region and the default one: resource types differ between regions.
LINT_REGIONS = ["eu-west-3", "us-east-1"]


@dataclass
class Build:
    """A packaging run: where it wrote, what it printed, and its templates as data."""

    out: Path
    stdout: str
    returncode: int

    def root(self) -> dict[str, Any]:
        return load_template(self.out / "template.yaml")

    def nested(self, service: str) -> dict[str, Any]:
        return json.loads((self.out / service / "sam.json").read_text())


def run_package(*arguments: str | Path) -> subprocess.CompletedProcess[str]:
    """`python infra/package.py ...` as `make package` runs it."""
    return subprocess.run(
        [sys.executable, str(REPO / "infra" / "package.py"), *map(str, arguments)],
        capture_output=True, text=True, check=False, cwd=REPO, timeout=600,
    )


def copy_fixture_app(destination: Path) -> Path:
    """A private copy of the fixture system, so Chalice's caches never land in the source tree."""
    ignore = shutil.ignore_patterns("deployments", "__pycache__")
    shutil.copytree(FIXTURE_APP, destination, ignore=ignore)
    return destination


def lint(paths: Iterable[Path]) -> list[str]:
    """cfn-lint findings (errors, warnings and informational) for each template."""
    from cfnlint.api import ManualArgs, lint_file

    findings = []
    for path in paths:
        for match in lint_file(path, config=ManualArgs(regions=LINT_REGIONS)):
            findings.append(
                f"{path.name}:{match.linenumber} {match.rule.id} {match.message}"
            )
    return findings
