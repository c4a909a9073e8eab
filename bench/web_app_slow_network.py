"""The web app's first screen on a weak mobile network: compressed bytes of JavaScript and CSS,
and the time until it is usable (the welcome screen's buttons on screen), in headless Chromium
with its network emulation at 400 kbit/s and 400 ms latency (the issue's slow-3G profile), from
a cold cache. Prints both figures against their budgets (150 KB, 5 s).

Starts the local stack (the gateway serves the built app, web/app/dist: `make app` first).

    .venv/bin/python bench/web_app_slow_network.py [runs]     (PYTHONPATH as the Makefile sets)
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for entry in ("layers/common/python", "localstack", "."):
    if str(ROOT / entry) not in sys.path:
        sys.path.insert(0, str(ROOT / entry))

KBIT = 1000 / 8  # bytes per second per kbit/s
SLOW_3G = {"latency": 400, "download_throughput": 400 * KBIT, "upload_throughput": 400 * KBIT}
BUDGET_BYTES, BUDGET_SECONDS = 150 * 1024, 5.0


def main() -> None:
    from keneya_local.console import quiet_request_logs
    from keneya_local.stack import EmbeddedStack
    from tests.e2e.browser import PHONE, open_browser

    quiet_request_logs()  # the figures only: no request line from the HTTP servers

    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    assert (ROOT / "web/app/dist/index.html").is_file(), "build the app first: make app"
    stack = EmbeddedStack(
        http_port=0,
        ws_port=0,
        aws_port=0,
        services=["auth"],
        log_dir=tempfile.mkdtemp(prefix="keneya-bench-web-"),
    )
    stack.start()
    try:
        seconds, sizes = [], []
        for _ in range(runs):
            driver = open_browser(PHONE, "fr")  # a fresh profile: nothing cached
            try:
                driver.set_network_conditions(offline=False, **SLOW_3G)
                started = time.perf_counter()
                driver.get(f"{stack.http_url}/")
                while not driver.execute_script(
                    "return [...document.querySelectorAll('button')]"
                    ".some((b) => b.textContent.includes('Créer un compte'))"
                ):
                    time.sleep(0.02)
                seconds.append(time.perf_counter() - started)
                sizes.append(
                    driver.execute_script(
                        "return performance.getEntriesByType('resource')"
                        ".filter((e) => /\\.(js|css)$/.test(new URL(e.name).pathname))"
                        ".reduce((n, e) => n + e.transferSize, 0)"
                    )
                )
            finally:
                driver.quit()
    finally:
        stack.stop()
    size = max(sizes)
    usable = statistics.median(seconds)
    print(f"first screen on slow 3G (400 kbit/s, 400 ms), {runs} cold loads")
    print(
        f"  JavaScript + CSS transferred: {size / 1024:.1f} KB  (budget {BUDGET_BYTES // 1024} KB)"
    )
    print(
        f"  usable after: median {usable:.2f} s, worst {max(seconds):.2f} s  "
        f"(budget {BUDGET_SECONDS:.0f} s)"
    )
    if size > BUDGET_BYTES or usable > BUDGET_SECONDS:
        sys.exit(1)


if __name__ == "__main__":
    main()
