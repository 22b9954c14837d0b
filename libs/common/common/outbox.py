"""The outbox relay: events written as outbox rows by a unit of work are put on their streams.

After its commit, the unit of work hands the same events to ``OutboxRelay.publish_now``, which
publishes them at once; the relay also polls for rows that are not yet published (in id order)
and publishes those. Either way a row is marked after it is on its stream; a crash between the
two republishes the row on restart and the consumers' inboxes drop the duplicate.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections import deque
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from common.db import Database
from common.events import Event
from common.messaging_tables import MessagingTables
from common.outages import DATABASE, REDIS, Backoff, Outages
from common.wire import encode_entry

__all__ = ["OutboxRelay"]

log = logging.getLogger(__name__)


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
        self.published = 0

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

    async def run(self) -> None:
        backoff: Iterator[float] | None = None
        last_poll = -math.inf
        loop = asyncio.get_running_loop()
        while not self._stopping.is_set():
            poll = self._poll_due or not self._ready or loop.time() - last_poll >= self._poll_interval
            try:
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
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)
        self._wake.clear()

    async def _pause(self, seconds: float) -> None:
        """Back off after a failure: commits meanwhile do not cut it short, only stopping does."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
        self._wake.clear()

    async def _publish_ready(self) -> None:
        """Publish what was handed over (a batch at most), then mark it published."""
        events = [self._ready.popleft() for _ in range(min(self._batch_size, len(self._ready)))]
        await self._publish([(e.payload.stream(), e.envelope.model_dump_json()) for e in events])
        self.published += len(events)
        async with self._db.transaction() as session:
            await session.execute(
                update(self._outbox)
                .where(self._outbox.c.event_id.in_([e.event_id for e in events]), self._outbox.c.published_at.is_(None))
                .values(published_at=datetime.now(UTC))
            )
        self._outages.reached(DATABASE)

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
        async with self._db.transaction() as session:
            rows = (await session.execute(query)).all()
            if not rows:
                return 0
            try:
                await self._publish([(row.stream, row.envelope) for row in rows])
            except (RedisError, OSError) as error:
                failure = error
            else:
                await self._mark(session, [row.id for row in rows])
        if failure is not None:
            await self._note_failure([row.id for row in rows], failure)
            raise failure
        self._outages.reached(DATABASE)
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

    async def _publish(self, entries: Sequence[tuple[str, str]]) -> None:
        """XADD each (stream, envelope JSON), in order, in one round trip."""
        async with self._redis.pipeline(transaction=False) as pipe:
            for stream, envelope in entries:
                fields: dict[Any, Any] = encode_entry(envelope)
                pipe.xadd(stream, fields)
            await pipe.execute()
        self._outages.reached(REDIS)

    async def _mark(self, session: AsyncConnection, ids: list[int]) -> None:
        # If the process dies before this commits, the rows are published again on restart;
        # consumers drop the duplicates by event id.
        await session.execute(
            update(self._outbox).where(self._outbox.c.id.in_(ids)).values(published_at=datetime.now(UTC))
        )
