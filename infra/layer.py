"""Builds the shared Lambda layer directory: `<out>/python/` = the layer's dependencies + `keneya`.

The dependencies are installed as Lambda runs them (manylinux x86_64 wheels for CPython 3.11),
whatever machine builds the package; they are reinstalled only when the requirements change.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

PYTHON_VERSION = "3.11"
PLATFORM = "manylinux2014_x86_64"

# The Lambda Python runtime ships boto3 and these dependencies of it. A second botocore in the
# layer would shadow the runtime's and could mismatch the runtime's boto3; it is also a third of
# the layer's size.
PROVIDED_BY_RUNTIME = (
    "boto3", "botocore", "s3transfer", "jmespath", "dateutil", "python_dateutil", "six",
    "urllib3",
)


def _pip_arguments(requirements: Path, target: Path) -> list[str]:
    return [
        sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        "--no-compile", "-r", str(requirements), "-t", str(target),
        "--platform", PLATFORM, "--only-binary=:all:", "--python-version", PYTHON_VERSION,
        "--implementation", "cp",
    ]


def _stamp(requirements: Path) -> str:
    digest = hashlib.sha256(requirements.read_bytes())
    digest.update(" ".join((PLATFORM, PYTHON_VERSION, *PROVIDED_BY_RUNTIME)).encode())
    return digest.hexdigest()


def _prune(site: Path) -> None:
    for entry in site.iterdir():
        # botocore/, botocore-1.2.3.dist-info/, six.py all name the distribution first.
        name = entry.name.split("-", 1)[0].split(".", 1)[0]
        if name.lower() in PROVIDED_BY_RUNTIME or entry.name in ("bin", "__pycache__"):
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()


def build_layer(layer_source: Path, out: Path) -> str:
    """Builds the layer from `layer_source` (layers/common) into `out`; says what it did."""
    requirements = layer_source / "requirements.txt"
    site = out / "python"
    stamp_file = out / ".requirements.sha256"
    stamp = _stamp(requirements)
    if site.is_dir() and stamp_file.is_file() and stamp_file.read_text() == stamp:
        action = "dependencies unchanged"
    else:
        shutil.rmtree(out, ignore_errors=True)
        site.mkdir(parents=True)
        result = subprocess.run(
            _pip_arguments(requirements, site), capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(f"pip could not install the layer's requirements:\n{result.stderr}")
        _prune(site)
        stamp_file.write_text(stamp)
        action = "dependencies installed"
    shutil.rmtree(site / "keneya", ignore_errors=True)
    shutil.copytree(
        layer_source / "python" / "keneya",
        site / "keneya",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    return action
