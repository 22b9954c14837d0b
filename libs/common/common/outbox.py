"""The outbox relay: events written as outbox rows by a unit of work are put on their streams.

After its commit, the unit of work hands the same events to ``OutboxRelay.publish_now``, which
publishes them at once; the relay also polls for rows that are not yet published (in id order)
and publishes those. Either way a row is marked after it is on its stream; a crash between the
two republishes the row on restart and the consumers' inboxes drop the duplicate.

A row marked published stays published when the Redis host dies: where Redis has ``WAITAOF``
(7.2 and newer, with its append-only file on) the relay marks a row only once Redis has written it
to disk. Where it has not, or where the file lost its last second anyway, the relay sees the loss:
each row keeps the entry id Redis gave it, and a stream whose last id is behind the newest id the
outbox put there has lost the rows past it. Those rows are marked unpublished and go out again;
the consumers' inboxes drop any copy they had already applied.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError, ResponseError
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from common.db import Database
from common.events import Event
from common.messaging_tables import MessagingTables
from common.outages import DATABASE, REDIS, Backoff, Outages
from common.waiting import wait_for_event
from common.wire import encode_entry, entry_id_of, sortable_entry_id

__all__ = ["NotDurable", "OutboxRelay"]

log = logging.getLogger(__name__)

_NO_ENTRY = sortable_entry_id("0-0")


class NotDurable(RedisError):
    """Redis did not confirm in time that it had written the entries to its append-only file."""


class OutboxRelay:
    """Publishes staged events to Redis Streams; retries with backoff; safe to restart.

    Two paths lead from the outbox to the streams. Events a transaction of this process has just
    committed are handed over with ``publish_now`` and published at once, without reading them
    back, then marked. Everything else (rows left by a crash, by a Redis outage, or by another
    process) is found by polling the unpublished rows in id order, at least every
    ``poll_interval`` seconds and at once after a failure. A row published by both paths, or twice
    after a crash, is dropped by the consumers' inboxes.
    """

    def __init__(
        self,
        db: Database,
        tables: MessagingTables,
        redis: Redis,
        *,
        outages: Outages | None = None,
        batch_size: int = 200,
        poll_interval: float = 0.5,
        backoff: Backoff | None = None,
        most_ready: int = 2_000,
        check_interval: float = 1.0,
        durable_wait_ms: int = 5_000,
    ) -> None:
        self._db = db
        self._outbox = tables.outbox
        self._redis = redis
        self._outages = outages or Outages("relay")
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._backoff = backoff or Backoff(most=30.0)
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._ready: deque[Event[Any]] = deque()
        # Handed-over events kept in memory at most; beyond that the next poll reads them from the
        # outbox, so that a relay falling behind a burst does not hold the burst in memory.
        self._most_ready = most_ready
        # While the outbox may hold rows older than a handover (at start, after a failure, past the
        # limit), handovers are left to the polls, which publish in commit order; a poll that finds
        # less than a batch, with nothing left to it meanwhile, has caught up.
        self._behind = True
        self._left_to_poll = False
        self._poll_due = True  # look for leftovers first
        # Durability: the newest entry id this outbox put on each stream (sortable), loaded from
        # the outbox at the first publish; whether Redis has WAITAOF (None: not asked yet).
        self._last_ids: dict[str, str] | None = None
        self._waitaof: bool | None = None
        self._durable_wait_ms = durable_wait_ms
        self._check_interval = check_interval
        self.published = 0
        self.republished = 0  # rows put back because Redis had lost them

    def publish_now(self, events: Sequence[Event[Any]]) -> None:
        """Hand over events whose transaction has committed, to be published at once."""
        if not events:
            return
        if self._behind or len(self._ready) + len(events) > self._most_ready:
            self._behind = self._left_to_poll = True  # committed in the outbox: a poll publishes them
            self._poll_due = True
        else:
            self._ready.extend(events)
        self._wake.set()  # while backing off, the relay does not wait on this

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    def streams(self) -> list[str]:
        """The streams this outbox has put entries on (known once the relay has published)."""
        return list(self._last_ids or ())

    async def run(self) -> None:
        backoff: Iterator[float] | None = None
        last_poll = last_check = -math.inf
        loop = asyncio.get_running_loop()
        while not self._stopping.is_set():
            poll = self._poll_due or not self._ready or loop.time() - last_poll >= self._poll_interval
            try:
                if loop.time() - last_check >= self._check_interval:
                    last_check = loop.time()
                    await self.check_streams()
                if self._ready:
                    await self._publish_ready()
                if poll:
                    self._poll_due = self._left_to_poll = False
                    last_poll = loop.time()
                    full = await self.publish_batch() == self._batch_size
                    more = full or self._left_to_poll  # rows are waiting: look again at once
                    self._poll_due = more
                    self._behind = self._behind and more
            except asyncio.CancelledError:
                raise
            except Exception as error:
                # What was handed over stays in the outbox: the polls publish it, in order.
                self._ready.clear()
                self._poll_due = self._behind = True
                if not self._outages.noted(error):
                    log.exception("outbox relay failed; retrying")
                backoff = backoff or self._backoff.delays()
                await self._pause(next(backoff))
                continue
            backoff = None
            if not (self._ready or self._poll_due):
                await self._sleep(self._poll_interval)

    async def _sleep(self, seconds: float) -> None:
        """Until the poll is due, or events are handed over."""
        await wait_for_event(self._wake, seconds)
        self._wake.clear()

    async def _pause(self, seconds: float) -> None:
        """Back off after a failure: commits meanwhile do not cut it short, only stopping does."""
        await wait_for_event(self._stopping, seconds)
        self._wake.clear()

    async def _publish_ready(self) -> None:
        """Publish what was handed over (a batch at most), then mark it published."""
        events = [self._ready.popleft() for _ in range(min(self._batch_size, len(self._ready)))]
        entry_ids, lost = await self._publish([(e.payload.stream(), e.envelope.model_dump_json()) for e in events])
        self.published += len(events)
        async with self._db.transaction() as session:
            await self._mark(session, self._outbox.c.event_id, [e.event_id for e in events], entry_ids)
        self._outages.reached(DATABASE)
        await self._put_back(lost)

    async def publish_batch(self) -> int:
        """Publish one batch of pending rows; return how many were published."""
        query = (
            select(self._outbox.c.id, self._outbox.c.event_id, self._outbox.c.stream, self._outbox.c.envelope)
            .where(self._outbox.c.published_at.is_(None))
            .order_by(self._outbox.c.id)
            .limit(self._batch_size)
        )
        if not self._db.is_sqlite:
            # Several replicas may relay at once; each row goes to one of them.
            query = query.with_for_update(skip_locked=True)
        failure: Exception | None = None
        lost: list[_Loss] = []
        async with self._db.transaction() as session:
            rows = (await session.execute(query)).all()
            if not rows:
                return 0
            try:
                entry_ids, lost = await self._publish([(row.stream, row.envelope) for row in rows])
            except (RedisError, OSError) as error:
                failure = error
            else:
                await self._mark(session, self._outbox.c.id, [row.id for row in rows], entry_ids)
        if failure is not None:
            await self._note_failure([row.id for row in rows], failure)
            raise failure
        self._outages.reached(DATABASE)
        await self._put_back(lost)
        self.published += len(rows)
        if self._ready:
            # Handed over meanwhile but published just now by this poll: not again.
            done = {row.event_id for row in rows}
            self._ready = deque(e for e in self._ready if e.event_id not in done)
        return len(rows)

    async def _note_failure(self, ids: list[int], error: Exception) -> None:
        """Leave a trace on the rows, so an operator sees what is stuck and why."""
        async with self._db.transaction() as session:
            await session.execute(
                update(self._outbox)
                .where(self._outbox.c.id.in_(ids))
                .values(attempts=self._outbox.c.attempts + 1, last_error=repr(error)[:2000])
            )

    async def _publish(self, entries: Sequence[tuple[str, str]]) -> tuple[list[str], list[_Loss]]:
        """XADD each (stream, envelope JSON), in order, in one round trip: the entry ids (sortable),
        and the streams found to have lost entries this outbox had put there before.

        The same round trip first asks each stream for its last id, and ends with ``WAITAOF``
        where Redis has it.
        """
        last_ids = await self._known_last_ids()
        streams = list(dict.fromkeys(stream for stream, _ in entries))
        wait = self._waitaof is not False
        async with self._redis.pipeline(transaction=False) as pipe:
            for stream in streams:
                pipe.xinfo_stream(stream)
            for stream, envelope in entries:
                fields: dict[Any, Any] = encode_entry(envelope)
                pipe.xadd(stream, fields)
            if wait:
                pipe.execute_command("WAITAOF", 1, 0, self._durable_wait_ms)
            results = await pipe.execute(raise_on_error=False)
        infos, added = results[: len(streams)], results[len(streams) : len(streams) + len(entries)]
        for result in added:
            if isinstance(result, Exception):
                raise result
        if wait:
            self._check_written(results[-1])
        self._outages.reached(REDIS)
        lost = [loss for stream, info in zip(streams, infos, strict=True) if (loss := _loss(stream, info, last_ids))]
        ids = [sortable_entry_id(entry_id) for entry_id in added]
        for (stream, _), entry_id in zip(entries, ids, strict=True):
            last_ids[stream] = max(entry_id, last_ids.get(stream, _NO_ENTRY))
        return ids, lost

    def _check_written(self, answer: Any) -> None:
        """What ``WAITAOF 1 0`` answered: the entries are on disk, or the relay cannot know so."""
        if isinstance(answer, ResponseError):
            message = str(answer)
            if "unknown command" in message.lower():
                self._waitaof = False
                log.info(
                    "Redis has no WAITAOF (it is older than 7.2): published events are checked against "
                    "the streams' last ids instead, and published again if Redis lost them"
                )
                return
            if "appendonly" in message.lower():
                self._waitaof = False
                log.warning(
                    "Redis runs without its append-only file: a crash of its host loses events, which "
                    "are published again from the outbox once their loss is seen"
                )
                return
            raise answer
        if isinstance(answer, Exception):
            raise answer
        local = int(answer[0])
        if local < 1:
            raise NotDurable(f"Redis did not write the entries to disk within {self._durable_wait_ms} ms")
        self._waitaof = True

    async def _known_last_ids(self) -> dict[str, str]:
        if self._last_ids is None:
            async with self._db.read() as session:
                rows = (
                    await session.execute(
                        select(self._outbox.c.stream, func.max(self._outbox.c.entry_id))
                        .where(self._outbox.c.entry_id.is_not(None))
                        .group_by(self._outbox.c.stream)
                    )
                ).all()
            self._last_ids = {stream: last for stream, last in rows}
        return self._last_ids

    async def check_streams(self) -> int:
        """Compare each stream's last id with the newest this outbox put there; how many rows go out again."""
        last_ids = await self._known_last_ids()
        streams = sorted(last_ids)
        if not streams:
            return 0
        async with self._redis.pipeline(transaction=False) as pipe:
            for stream in streams:
                pipe.xinfo_stream(stream)
            infos = await pipe.execute(raise_on_error=False)
        self._outages.reached(REDIS)
        lost = [loss for stream, info in zip(streams, infos, strict=True) if (loss := _loss(stream, info, last_ids))]
        return await self._put_back(lost)

    async def _put_back(self, losses: Sequence[_Loss]) -> int:
        """Rows Redis has lost (past a stream's last id) are marked unpublished, to go out again."""
        total = 0
        for loss in losses:
            async with self._db.transaction() as session:
                result = await session.execute(
                    update(self._outbox)
                    .where(
                        self._outbox.c.stream == loss.stream,
                        self._outbox.c.entry_id > loss.redis_last,
                        self._outbox.c.entry_id <= loss.ours,
                    )
                    .values(published_at=None, entry_id=None)
                )
            count = int(result.rowcount or 0)
            log.warning(
                "Redis lost %d events of %s (its last entry is %s; this outbox had put up to %s there): "
                "publishing them again",
                count,
                loss.stream,
                entry_id_of(loss.redis_last),
                entry_id_of(loss.ours),
                extra={"stream": loss.stream},
            )
            total += count
        if total:
            self.republished += total
            self._poll_due = self._behind = True
        return total

    async def _mark(self, session: AsyncConnection, key: Any, keys: Sequence[Any], entry_ids: list[str]) -> None:
        """Mark the rows (found by ``key``: row id or event id) published, each with its entry id.

        If the process dies before this commits, the rows are published again on restart;
        consumers drop the duplicates by event id.
        """
        await session.execute(
            update(self._outbox)
            .where(key == bindparam("key"), self._outbox.c.published_at.is_(None))
            .values(published_at=datetime.now(UTC), entry_id=bindparam("entry")),
            [{"key": k, "entry": entry_id} for k, entry_id in zip(keys, entry_ids, strict=True)],
        )


@dataclass(frozen=True)
class _Loss:
    """Redis's last id of ``stream`` is behind the newest entry this outbox had put there."""

    stream: str
    redis_last: str
    ours: str


def _loss(stream: str, info: Any, last_ids: dict[str, str]) -> _Loss | None:
    """What XINFO STREAM says of a stream against the newest id put there (which then follows Redis)."""
    if isinstance(info, ResponseError) and "no such key" in str(info).lower():
        redis_last = _NO_ENTRY  # the stream is gone altogether
    elif isinstance(info, Exception):
        raise info
    else:
        redis_last = sortable_entry_id(info["last-generated-id"])
    ours = last_ids.get(stream)
    if ours is None or redis_last >= ours:
        return None
    last_ids[stream] = redis_last
    return _Loss(stream, redis_last, ours)
