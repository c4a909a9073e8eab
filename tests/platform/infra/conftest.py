"""Packaged systems, built once per session: the fixture app alone, and the whole system."""

from __future__ import annotations

import shutil

import pytest

from tests.platform.infra.builds import REPO, Build, copy_fixture_app, run_package


@pytest.fixture(scope="session")
def fixture_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The one-service fixture system packaged without the layer (fast)."""
    system = copy_fixture_app(tmp_path_factory.mktemp("fixture") / "system")
    result = run_package(
        "--template", system / "template.yaml", "--functions", system / "functions",
        "--out", system / "build", "--no-layer",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return Build(system / "build", result.stdout, result.returncode)


@pytest.fixture(scope="session")
def system_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The whole system (infra/template.yaml and the seven apps) packaged once per session.

    infra/template.yaml is copied beside the build (`<tmp>/infra/`), so that its relative
    `../build/<service>/sam.json` locations resolve to this build, not to a stale one.
    """
    base = tmp_path_factory.mktemp("system")
    (base / "infra").mkdir()
    shutil.copy(REPO / "infra" / "template.yaml", base / "infra" / "template.yaml")
    result = run_package("--out", base / "build")
    assert result.returncode == 0, result.stdout + result.stderr
    return Build(base / "build", result.stdout, result.returncode)
