"""`python -m keneya_local up [--seed] [--verbose | --quiet] [...]`: the whole platform on this
machine (`make up`; `make up VERBOSE=1` adds `--verbose`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from keneya_local.stack import DEFAULT_FUNCTIONS, DEFAULT_TEMPLATE, REPO_ROOT, STATE_DIR

SEED_DIR = REPO_ROOT / "localstack" / "seed"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m keneya_local")
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="start every service, event flow and gateway")
    up.add_argument("--seed", action="store_true", help="load the demo data once ready")
    up.add_argument("--template", type=Path, default=DEFAULT_TEMPLATE)
    up.add_argument("--functions", type=Path, default=DEFAULT_FUNCTIONS)
    up.add_argument("--http-port", type=int, default=3000)
    up.add_argument("--ws-port", type=int, default=3001)
    up.add_argument("--aws-port", type=int, default=4566)
    up.add_argument(
        "--seed-dir", type=Path, default=SEED_DIR, help="modules whose seed(stack) --seed runs"
    )
    up.add_argument(
        "--state-dir", type=Path, default=STATE_DIR, help="where the lock, up.json and logs go"
    )
    up.add_argument(
        "--services", help="comma-separated subset of the services to start (default: all)"
    )
    shown = up.add_mutually_exclusive_group()
    shown.add_argument(
        "--verbose",
        action="store_true",
        help="show every line the functions write (their JSON logs, tracebacks), not only one "
        "line per invocation and their warnings and errors; all is in the logs either way",
    )
    shown.add_argument(
        "--quiet",
        action="store_true",
        help="show only the progress and the summary, no line of the functions or the event "
        "sources (for benchmarks); all is in the logs either way",
    )
    args = parser.parse_args(argv)

    from keneya_local.supervisor import up as run_up

    return run_up(
        template=args.template,
        functions_dir=args.functions,
        http_port=args.http_port,
        ws_port=args.ws_port,
        aws_port=args.aws_port,
        seed=args.seed,
        state_dir=args.state_dir,
        seed_dir=args.seed_dir,
        services=[s.strip() for s in args.services.split(",")] if args.services else None,
        verbose=args.verbose,
        quiet=args.quiet,
    )


if __name__ == "__main__":
    sys.exit(main())
