"""Cold-start import time of every service's app.py, as Lambda pays it on a new sandbox.

Each measurement is a fresh interpreter importing the app (the layer on its path, as `/opt/python`
is on Lambda); prints the median and worst of N runs per service, in milliseconds.

    .venv/bin/python bench/cold_start.py [runs]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = "import time; t = time.perf_counter(); import app; print((time.perf_counter() - t) * 1000)"


def import_ms(service_dir: Path) -> float:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "layers/common/python"),
        "AWS_DEFAULT_REGION": "us-east-1",
        "SERVICE_NAME": service_dir.name,
    }
    out = subprocess.run(
        [sys.executable, "-X", "frozen_modules=on", "-c", PROBE],
        cwd=service_dir,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    print(f"cold-start import of app.py, {runs} fresh interpreters per service (ms)")
    print(f"{'service':<15}{'median':>10}{'worst':>10}")
    for service_dir in sorted((ROOT / "functions").iterdir()):
        if not (service_dir / "app.py").exists():
            continue
        samples = [import_ms(service_dir) for _ in range(runs)]
        print(f"{service_dir.name:<15}{statistics.median(samples):>10.0f}{max(samples):>10.0f}")


if __name__ == "__main__":
    main()
