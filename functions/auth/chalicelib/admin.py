"""Operators' commands of the auth service (never reachable through the API).

Run from functions/auth with the shared layer on PYTHONPATH and the service's environment
(TABLE_NAME; JWT_SIGNING_KEY_SECRET_ARN for keys; AWS credentials or AWS_ENDPOINT_URL):

    python -m chalicelib.admin create --full-name "Awa Traoré" --phone "76 12 34 56" \\
        [--email awa@keneya.ml] [--language fr] [--password-stdin]
    python -m chalicelib.admin rotate-keys [--immediately]

`create` opens an administrator account (emits `user.registered` with role admin); the
password is typed twice at a prompt, or read from standard input with `--password-stdin`,
never given as an argument (it would stay in the shell's history and the process list).
`rotate-keys` adds a signing key (pending for 10 minutes unless `--immediately`, for a key
suspected leaked) and drops the retired ones.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence

from chalicelib.bootstrap import account_store, signing_keys
from chalicelib.errors import DuplicateLogin, WeakPassword
from chalicelib.passwords import PasswordHasher
from chalicelib.phones import InvalidLogin, normalise_email, normalise_phone
from chalicelib.service import open_account
from keneya.clock import utc_now
from keneya.config import settings


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise SystemExit("the two passwords differ")
    return first


def create(args: argparse.Namespace) -> int:
    try:
        phone = normalise_phone(args.phone) if args.phone else None
        email = normalise_email(args.email) if args.email else None
    except InvalidLogin as error:
        raise SystemExit(str(error)) from None
    if not phone and not email:
        raise SystemExit("give --phone, --email, or both")
    try:
        account = open_account(
            account_store(),
            PasswordHasher(),
            utc_now,
            role="admin",
            full_name=args.full_name.strip(),
            password=_password(args.password_stdin),
            phone=phone,
            email=email,
            language=args.language,
        )
    except DuplicateLogin as error:
        raise SystemExit(f"already registered: {', '.join(error.fields)}") from None
    except WeakPassword as error:
        raise SystemExit(f"password refused: {', '.join(error.reasons)}") from None
    print(f"administrator created: {account.user_id}")
    return 0


def rotate_keys(args: argparse.Namespace) -> int:
    keys = signing_keys(settings().require("JWT_SIGNING_KEY_SECRET_ARN"))
    ring = keys.rotate(force=True, immediately=args.immediately)
    for key in ring.keys:
        print(
            f"{key.kid}  created {key.created_at:%Y-%m-%d %H:%M}Z  "
            f"signs from {key.activates_at:%Y-%m-%d %H:%M}Z"
        )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m chalicelib.admin",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    creating = commands.add_parser("create", help="open an administrator account")
    creating.add_argument("--full-name", required=True)
    creating.add_argument("--phone")
    creating.add_argument("--email")
    creating.add_argument("--language", choices=["fr", "en", "bm"], default="fr")
    creating.add_argument("--password-stdin", action="store_true")
    creating.set_defaults(run=create)
    rotating = commands.add_parser("rotate-keys", help="add a signing key, drop retired ones")
    rotating.add_argument("--immediately", action="store_true")
    rotating.set_defaults(run=rotate_keys)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
