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
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from common import registry
from common.wire import ORIGINAL, dead_letter_stream

__all__ = ["AUDIT_STREAM", "DeadLetter", "DeadLetters", "execute", "main"]

log = logging.getLogger("exemplars.dead-letters")

AUDIT_STREAM = "operations.audit"
AUDIT_MAXLEN = 100_000

# KEYS[1] the dead-letter stream, KEYS[2] the stream it came from; ARGV[1] the dead letter's id.
# Returns the new entry id, or false when there is no such dead letter (already sent or deleted).
_REDRIVE = """
local found = redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1])
if #found == 0 then return false end
local fields = found[1][2]
local original = {}
for i = 1, #fields, 2 do
  if string.sub(fields[i], 1, 9) == 'original.' then
    table.insert(original, string.sub(fields[i], 10))
    table.insert(original, fields[i + 1])
  end
end
if #original == 0 then return redis.error_reply('dead letter ' .. ARGV[1] .. ' keeps no original fields') end
local id = redis.call('XADD', KEYS[2], '*', unpack(original))
redis.call('XDEL', KEYS[1], ARGV[1])
return id
"""


@dataclass(frozen=True)
class DeadLetter:
    id: str
    stream: str
    group: str
    reason_code: str
    reason: str
    entry_id: str
    delivery_count: int
    dead_at: str
    original: dict[str, str]

    @classmethod
    def from_fields(cls, entry_id: str, stream: str, raw: dict[str, str]) -> DeadLetter:
        return cls(
            id=entry_id,
            stream=raw.get("stream", stream),
            group=raw.get("group", ""),
            reason_code=raw.get("reason_code", ""),
            reason=raw.get("reason", ""),
            entry_id=raw.get("entry_id", ""),
            delivery_count=int(raw.get("delivery_count", "0") or 0),
            dead_at=raw.get("dead_at", ""),
            original={k[len(ORIGINAL) :]: v for k, v in raw.items() if k.startswith(ORIGINAL)},
        )


def source_stream(name: str) -> str:
    """``nomination.submissions`` or ``nomination.submissions.dead`` both name the stream read."""
    stream = name.removesuffix(".dead")
    if stream not in registry.streams_read():
        raise ValueError(f"no service reads {stream!r}; streams read: {', '.join(registry.streams_read())}")
    return stream


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _entries(response: Any) -> list[tuple[str, dict[str, str]]]:
    """XRANGE's answer as (entry id, fields) in text; an entry without fields has been deleted."""
    return [(_text(i), {_text(k): _text(v) for k, v in f.items()}) for i, f in response or () if i and f]


class DeadLetters:
    """The dead letters of every stream the services read, on one Redis."""

    def __init__(self, redis: Redis, operator: str) -> None:
        self.redis = redis
        self.operator = operator
        self._redrive = redis.register_script(_REDRIVE)

    async def entries(self, stream: str, *, reason: str | None = None) -> list[DeadLetter]:
        raw = _entries(await self.redis.xrange(dead_letter_stream(stream)))
        letters = [DeadLetter.from_fields(i, stream, fields) for i, fields in raw]
        return [d for d in letters if reason is None or d.reason_code == reason]

    async def get(self, stream: str, entry_id: str) -> DeadLetter | None:
        raw = _entries(await self.redis.xrange(dead_letter_stream(stream), entry_id, entry_id))
        return DeadLetter.from_fields(entry_id, stream, raw[0][1]) if raw else None

    async def summary(self) -> dict[str, Counter[tuple[str, str]]]:
        """Per stream read: how many dead letters, by (group, reason code)."""
        out: dict[str, Counter[tuple[str, str]]] = {}
        for stream in registry.streams_read():
            out[stream] = Counter((d.group, d.reason_code) for d in await self.entries(stream))
        return out

    async def choose(
        self, stream: str, ids: Sequence[str], *, reason: str | None, everything: bool
    ) -> tuple[list[str], list[str]]:
        """The dead-letter ids an action applies to, and the ids asked for that are not there."""
        if ids:
            present = [i for i in ids if await self.get(stream, i) is not None]
            return present, [i for i in ids if i not in present]
        if reason is None and not everything:
            raise ValueError("name the entries, or give --reason CODE, or --all")
        return [d.id for d in await self.entries(stream, reason=reason)], []

    async def redrive(self, stream: str, ids: Sequence[str]) -> dict[str, str]:
        """Send each dead letter back to ``stream``; returns dead-letter id -> new entry id.

        An id missing from the result was no longer there: sent back or deleted meanwhile.
        """
        sent: dict[str, str] = {}
        for entry_id in ids:
            new_id = await self._redrive(keys=[dead_letter_stream(stream), stream], args=[entry_id])
            if new_id:
                sent[entry_id] = _text(new_id)
        await self._audit("redrive", stream, sent)
        return sent

    async def delete(self, stream: str, ids: Sequence[str]) -> list[str]:
        deleted = [i for i in ids if await self.redis.xdel(dead_letter_stream(stream), i)]
        await self._audit("delete", stream, {i: "" for i in deleted})
        return deleted

    async def _audit(self, action: str, stream: str, done: dict[str, str]) -> None:
        record = {
            "action": action,
            "operator": self.operator,
            "stream": stream,
            "count": str(len(done)),
            "entries": json.dumps(done),
            "at": datetime.now(UTC).isoformat(),
        }
        log.warning(
            "%s by %s on %s: %d entries %s",
            action,
            self.operator,
            dead_letter_stream(stream),
            len(done),
            ", ".join(f"{old}->{new}" if new else old for old, new in done.items()) or "(none)",
        )
        await self.redis.xadd(AUDIT_STREAM, record, maxlen=AUDIT_MAXLEN, approximate=True)  # type: ignore[arg-type]


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
