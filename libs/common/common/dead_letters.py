"""Dead letters: what a consumer could never apply, kept beside the stream it came from, and sent
back (redriven) or deleted by an operator, each action recorded with who did it.

An entry that can never succeed is moved by its consumer to ``<stream>.dead`` with the reason
(``reason_code``, ``reason``), the group that refused it and its original fields. A redrive
appends the original fields to the stream and deletes the dead letter in one Lua script, so an
entry goes back once however often, or from however many places, it is asked for; the consumers'
inbox then applies it once. Every action is logged, with the operator's name, and written to the
stream ``operations.audit``. Used by ``exemplars-dead-letters`` and by the operator's pages.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from redis.asyncio import Redis

from common import registry
from common.wire import ORIGINAL, dead_letter_stream

__all__ = ["AUDIT_STREAM", "DeadLetter", "DeadLetters", "source_stream"]

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
