"""Memory and disk stay bounded: streams trimmed; outbox, inbox and finished jobs pruned.

Each service trims the streams it owns (and nomination the submissions, which it alone reads) to
the lowest id one of their consumer groups still needs: the first entry the group has not read,
or the first it has read and not acknowledged. Never past that, and never entries younger than
``STREAM_RETENTION_HOURS``. A stream that a reader named in the registry has no group on yet (the
service has never started) is not trimmed at all. Per-unit outcome streams are read without a
group, by the units' systems: they are trimmed by age (``UNIT_OUTCOME_RETENTION_DAYS``).

Outbox rows published, inbox rows and finished jobs older than their retention are deleted a few
thousand at a time, so that no transaction holds the database for long. Failed jobs stay until an
operator retries them; an unpublished outbox row stays until it is published.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ResponseError
from sqlalchemy import Table, delete, select, tuple_
from sqlalchemy.sql.elements import ColumnElement

from common import registry
from common.db import Database
from common.jobs import JobState
from common.messaging_tables import MessagingTables
from common.outages import DATABASE, REDIS, Outages
from common.settings import ServiceSettings
from common.waiting import wait_for_event
from common.wire import parse_entry_id

__all__ = ["Housekeeper", "Retention", "Swept"]

log = logging.getLogger(__name__)

DAY = 86_400.0
_NOTHING_NEEDED = (2**64, 0)  # above every entry id


@dataclass(frozen=True)
class Retention:
    """How long each kind of record is kept, in seconds."""

    stream: float = DAY
    unit_outcome: float = 30 * DAY
    outbox: float = 30 * DAY
    inbox: float = 60 * DAY
    jobs: float = 30 * DAY

    @classmethod
    def of(cls, settings: ServiceSettings) -> Retention:
        return cls(
            stream=settings.stream_retention_hours * 3600,
            unit_outcome=settings.unit_outcome_retention_days * DAY,
            outbox=settings.outbox_retention_days * DAY,
            inbox=settings.inbox_retention_days * DAY,
            jobs=settings.jobs_retention_days * DAY,
        )


@dataclass
class Swept:
    """What one round removed: entries per stream, rows per table."""

    trimmed: dict[str, int] = field(default_factory=dict)
    pruned: dict[str, int] = field(default_factory=dict)
    untrimmed: list[str] = field(default_factory=list)  # streams a registered reader has no group on yet


class Housekeeper:
    """Trims one service's streams and prunes its messaging tables, every ``interval`` seconds."""

    def __init__(
        self,
        *,
        service: registry.ServiceEntry,
        redis: Redis,
        db: Database,
        tables: MessagingTables,
        retention: Retention,
        outages: Outages,
        per_unit_streams: Callable[[], Iterable[str]] = lambda: (),
        interval: float = 60.0,
        batch: int = 5_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._redis = redis
        self._db = db
        self._tables = tables
        self._retention = retention
        self._outages = outages
        self._per_unit_streams = per_unit_streams
        self._interval = interval
        self._batch = batch
        self._clock = clock
        self._stopping = asyncio.Event()
        self._streams = registry.streams_trimmed_by(service)
        self._templates = service.produces_per_unit

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        while not await wait_for_event(self._stopping, self._interval):
            try:
                swept = await self.sweep()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                if not self._outages.noted(error):
                    log.exception("trimming and pruning failed; trying again in %.0f s", self._interval)
                continue
            if swept.trimmed or swept.pruned:
                log.debug("trimmed %s; pruned %s", swept.trimmed, swept.pruned)

    async def sweep(self) -> Swept:
        """One round: trim every stream this service keeps, then prune its tables."""
        swept = Swept()
        await self.trim(swept)
        await self.prune(swept)
        return swept

    # --- streams -----------------------------------------------------------------------------

    async def trim(self, swept: Swept) -> None:
        now_ms = int(self._clock() * 1000)
        for stream in self._streams:
            needed = await self.lowest_needed(stream)
            if needed is None:
                swept.untrimmed.append(stream)
                continue
            floor = (now_ms - int(self._retention.stream * 1000), 0)
            await self._trim(stream, min(needed, floor), swept)
        floor = (now_ms - int(self._retention.unit_outcome * 1000), 0)
        for stream in sorted(self._per_unit_streams()):
            if any(registry.matches(template, stream) for template in self._templates):
                await self._trim(stream, floor, swept)
        self._outages.reached(REDIS)

    async def _trim(self, stream: str, below: tuple[int, int], swept: Swept) -> None:
        if below <= (0, 0):
            return
        # Approximate: Redis removes whole nodes of entries, all of them below ``below``.
        removed = int(await self._redis.xtrim(stream, minid=f"{below[0]}-{below[1]}", approximate=True))
        if removed:
            swept.trimmed[stream] = removed

    async def lowest_needed(self, stream: str) -> tuple[int, int] | None:
        """The lowest entry id some group on ``stream`` has not acknowledged (read or not); None
        when a reader named in the registry has no group there yet."""
        try:
            groups = await self._redis.xinfo_groups(stream)
        except ResponseError as error:
            if "no such key" in str(error).lower():
                return None
            raise
        names = {_text(group["name"]): group for group in groups}
        if any(reader not in names for reader in registry.readers(stream)):
            return None
        needed: list[tuple[int, int]] = []
        for name, group in names.items():
            ms, seq = parse_entry_id(group["last-delivered-id"])
            needed.append((ms, seq + 1))  # everything after the last entry delivered is unread
            if group["pending"]:
                summary = await self._redis.xpending(stream, name)
                if summary.get("min"):
                    needed.append(parse_entry_id(summary["min"]))
        return min(needed) if needed else _NOTHING_NEEDED  # nobody reads it as a group: age alone

    # --- tables ------------------------------------------------------------------------------

    async def prune(self, swept: Swept) -> None:
        now = datetime.fromtimestamp(self._clock(), UTC)
        outbox, inbox, jobs = self._tables.outbox, self._tables.inbox, self._tables.jobs
        await self._prune(
            swept,
            outbox,
            [outbox.c.id],
            outbox.c.published_at.is_not(None),
            outbox.c.published_at < now - timedelta(seconds=self._retention.outbox),
        )
        await self._prune(
            swept,
            inbox,
            [inbox.c.consumer, inbox.c.event_id],
            inbox.c.processed_at < now - timedelta(seconds=self._retention.inbox),
        )
        await self._prune(
            swept,
            jobs,
            [jobs.c.id],
            jobs.c.state == JobState.DONE.value,
            jobs.c.finished_at < now - timedelta(seconds=self._retention.jobs),
        )
        self._outages.reached(DATABASE)

    async def _prune(self, swept: Swept, table: Table, key: Sequence[Any], *where: ColumnElement[bool]) -> None:
        total = 0
        while not self._stopping.is_set():
            chosen = select(*key).where(*where).limit(self._batch)
            matched = tuple_(*key).in_(chosen) if len(key) > 1 else key[0].in_(chosen)
            async with self._db.transaction() as session:
                result = await session.execute(delete(table).where(matched))
            count = int(result.rowcount or 0)
            total += count
            if count < self._batch:
                break
            await asyncio.sleep(0)  # let the service's own transactions in between
        if total:
            swept.pruned[table.name] = total


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
