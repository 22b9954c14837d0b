"""``exemplars-dead-letters``: look at dead letters, send them back to their stream, or delete them.

An entry that can never succeed is moved by its consumer to ``<stream>.dead`` with the reason
(``reason_code``, ``reason``), the group that refused it and its original fields. Once the cause is
removed (a unit's key registered, a bug fixed), the operator sends the entries back::

    exemplars-dead-letters list
    exemplars-dead-letters show nomination.submissions 1732400000000-0
    exemplars-dead-letters redrive nomination.submissions --reason unknown-key
    exemplars-dead-letters delete nomination.submissions 1732400000000-0

A redrive appends the original fields to the stream and deletes the dead letter in one Lua script,
so an entry goes back once however often, or from however many terminals, the command is run.
The consumers' inbox then applies it once: a group that had already applied the event (the stream
is shared by several groups) acknowledges the new copy as a duplicate. Every action is logged,
with the operator's name, to standard error and to the stream ``operations.audit``.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import logging
import os
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from common.dead_letters import AUDIT_STREAM, DeadLetter, DeadLetters, source_stream
from common.wire import dead_letter_stream

__all__ = ["AUDIT_STREAM", "DeadLetter", "DeadLetters", "execute", "main"]


def _print_summary(summary: dict[str, Counter[tuple[str, str]]], out: TextIO) -> None:
    total = 0
    for stream, counts in summary.items():
        n = sum(counts.values())
        total += n
        print(f"{dead_letter_stream(stream)}: {n}", file=out)
        for (group, code), count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            print(f"  {count:>7}  {code}  (group {group})", file=out)
    print(f"total: {total}", file=out)


def _print_entries(letters: Sequence[DeadLetter], out: TextIO) -> None:
    for d in letters:
        print(f"{d.id}  {d.reason_code:<20} {d.group:<11} {d.dead_at}  {d.reason}", file=out)
    print(f"{len(letters)} dead letters", file=out)


def _print_one(letter: DeadLetter, out: TextIO) -> None:
    print(json.dumps(_as_json(letter), ensure_ascii=False, indent=2), file=out)


def _as_json(letter: DeadLetter) -> dict[str, Any]:
    original: dict[str, Any] = {}
    for name, value in letter.original.items():
        try:
            original[name] = json.loads(value)
        except ValueError:
            original[name] = value
    return {
        "id": letter.id,
        "stream": letter.stream,
        "group": letter.group,
        "reason_code": letter.reason_code,
        "reason": letter.reason,
        "entry_id": letter.entry_id,
        "delivery_count": letter.delivery_count,
        "dead_at": letter.dead_at,
        "original": original,
    }


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="exemplars-dead-letters",
        description="List, show, send back (redrive) or delete the entries consumers could not apply.",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6380/0"),
        help="the services' Redis (default: $REDIS_URL, else make run's, redis://127.0.0.1:6380/0)",
    )
    parser.add_argument(
        "--redis-user", default=os.environ.get("REDIS_USERNAME", "tools"), help="Redis user (default: tools)"
    )
    parser.add_argument(
        "--redis-password-file",
        type=Path,
        default=Path(os.environ.get("REDIS_PASSWORD_FILE", "var/secrets/tools/redis-password")),
        help="the user's password (default: $REDIS_PASSWORD_FILE, else var/secrets/tools/redis-password)",
    )
    parser.add_argument("--operator", default=None, help="who acts, for the log (default: the login name)")
    sub = parser.add_subparsers(dest="command", required=True)
    listing = sub.add_parser("list", help="count dead letters per stream and reason; or list one stream's")
    listing.add_argument("stream", nargs="?", help="list this stream's dead letters one by one")
    listing.add_argument("--reason", help="only those with this reason code")
    show = sub.add_parser("show", help="print one dead letter with its original event (JSON)")
    show.add_argument("stream")
    show.add_argument("id")
    for name, text in (("redrive", "send dead letters back to their stream"), ("delete", "delete dead letters")):
        action = sub.add_parser(name, help=text)
        action.add_argument("stream")
        action.add_argument("ids", nargs="*", help="dead-letter entry ids")
        action.add_argument("--reason", help="every dead letter with this reason code")
        action.add_argument("--all", action="store_true", dest="everything", help="every dead letter of the stream")
    return parser


async def run(args: argparse.Namespace, out: TextIO) -> int:
    try:
        password = args.redis_password_file.read_text(encoding="utf-8").strip()
    except OSError as error:
        print(f"exemplars-dead-letters: cannot read the Redis password: {error}", file=sys.stderr)
        return 2
    redis = Redis.from_url(args.redis_url, username=args.redis_user, password=password)
    try:
        letters = DeadLetters(redis, args.operator or getpass.getuser())
        if args.command == "list" and args.stream is None:
            _print_summary(await letters.summary(), out)
            return 0
        stream = source_stream(args.stream)
        if args.command == "list":
            _print_entries(await letters.entries(stream, reason=args.reason), out)
            return 0
        if args.command == "show":
            letter = await letters.get(stream, args.id)
            if letter is None:
                print(f"no dead letter {args.id} in {dead_letter_stream(stream)}", file=sys.stderr)
                return 1
            _print_one(letter, out)
            return 0
        if args.ids and (args.reason or args.everything):
            raise ValueError("give entry ids, or --reason, or --all: not several")
        chosen, missing = await letters.choose(stream, args.ids, reason=args.reason, everything=args.everything)
        for entry_id in missing:
            print(f"no dead letter {entry_id} in {dead_letter_stream(stream)}", file=sys.stderr)
        if args.command == "redrive":
            sent = await letters.redrive(stream, chosen)
            for old, new in sent.items():
                print(f"{old} -> {stream} {new}", file=out)
            print(f"sent back: {len(sent)}", file=out)
            return 1 if missing else 0
        deleted = await letters.delete(stream, chosen)
        print(f"deleted: {len(deleted)}", file=out)
        return 1 if missing else 0
    finally:
        await redis.aclose()


async def execute(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """The command, for a caller that has an event loop already; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        return await run(args, out or sys.stdout)
    except ValueError as error:
        print(f"exemplars-dead-letters: {error}", file=sys.stderr)
        return 2
    except (OSError, RedisConnectionError) as error:
        print(f"exemplars-dead-letters: Redis at {args.redis_url} does not answer: {error}", file=sys.stderr)
        return 3


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return asyncio.run(execute(argv))
