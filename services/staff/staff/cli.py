"""``staff accounts add | password | disable | enable | list``: the local accounts, by the operator.

A password is asked for at the terminal (twice, not shown), or read from a file with
``--password-file`` (one line; for scripts), never from the command line where other users of
the machine could see it.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from redis.exceptions import RedisError

from common.auth import Role
from common.db import Database
from common.errors import Unprocessable
from common.organisation import default_organisation_path, load_organisation
from common.redis_connection import connect_redis
from common.service_cli import ExtraCommand
from common.web.sessions import SessionStore
from staff.config import Settings
from staff.domain.accounts import Passwords
from staff.service.accounts import Accounts

__all__ = ["COMMANDS"]


def _arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="accounts_command", required=True)
    add = sub.add_parser("add", help="a new account")
    add.add_argument("username")
    add.add_argument("--name", required=True, help="the person's full name, as pages show it")
    add.add_argument("--role", action="append", required=True, choices=[r.value for r in Role], help="repeatable")
    add.add_argument("--unit", default=None, help="the unit a clerk acts for (an id of the organisation file)")
    add.add_argument("--password-file", type=Path, default=None)
    password = sub.add_parser("password", help="set a new password (and unlock the account)")
    password.add_argument("username")
    password.add_argument("--password-file", type=Path, default=None)
    for name, text in (("disable", "no more sign-ins"), ("enable", "may sign in again")):
        sub.add_parser(name, help=text).add_argument("username")
    sub.add_parser("list", help="every account")


def _password(args: argparse.Namespace) -> str:
    if args.password_file is not None:
        return str(args.password_file.read_text(encoding="utf-8").rstrip("\n"))
    first = getpass.getpass("Mật khẩu: ")
    if getpass.getpass("Nhập lại mật khẩu: ") != first:
        raise Unprocessable("password-mismatch", "Hai lần nhập mật khẩu không giống nhau.")
    return first


async def _end_sessions(settings: Settings, username: str) -> str:
    """Sign the person out everywhere: a disabled account, or a password changed (a thief's too)."""
    redis = connect_redis(settings)
    try:
        store = SessionStore(redis, idle_seconds=60, absolute_seconds=60)
        return f"{await store.end_all(username)} open sessions ended"
    except (RedisError, OSError) as error:
        return f"open sessions not ended (Redis: {error}); they end within {settings.session_idle_minutes} minutes idle"
    finally:
        await redis.aclose()


async def _run(settings: Settings, args: argparse.Namespace) -> int:
    db = Database.connect(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
    accounts = Accounts(db, Passwords())
    command = args.accounts_command
    try:
        if command == "add":
            if args.unit is not None:
                organisation = load_organisation(settings.organisation_file or default_organisation_path())
                if organisation.unit(args.unit) is None:
                    raise Unprocessable("no-unit", f"Không có đơn vị {args.unit} trong tệp tổ chức.")
            account = await accounts.add(
                args.username,
                name=args.name,
                roles=[Role(r) for r in args.role],
                unit_id=args.unit,
                password=_password(args),
            )
            print(f"account {account.username} created: {', '.join(sorted(r.value for r in account.roles))}")
        elif command == "password":
            await accounts.set_password(args.username, _password(args))
            print(f"password of {args.username} set; {await _end_sessions(settings, args.username)}")
        elif command in ("disable", "enable"):
            await accounts.set_active(args.username, command == "enable")
            ended = await _end_sessions(settings, args.username) if command == "disable" else ""
            print(f"account {args.username} {command}d" + (f"; {ended}" if ended else ""))
        else:
            for found in await accounts.list():
                state = "active" if found.active else "disabled"
                roles = ",".join(sorted(r.value for r in found.roles))
                print(f"{found.username:<24} {state:<9} {roles:<28} {found.unit_id or '-':<24} {found.name}")
        return 0
    except Unprocessable as problem:
        print(f"staff accounts {command}: {problem.code}: {problem.message}", file=sys.stderr)
        return 1
    finally:
        await db.dispose()


COMMANDS = [ExtraCommand("accounts", "local accounts: add, password, disable, enable, list", _arguments, _run)]
