"""Durable jobs: slow work staged in the business transaction and run afterwards, outside it.

Rendering audio or a PDF, or posting to a social network, takes seconds and may fail for reasons
of its own. Such work is enqueued in the unit of work like an outbox row (a ``jobs`` row, unique
by kind and idempotency key, so enqueuing it twice makes one job), committed with the change that
called for it, and run by the service's ``JobWorker``: outside any transaction, with retries and
growing waits between them, until it succeeds or has used its attempts and is left ``failed``,
where an operator lists it and sends it back (``<service> jobs``). A job that can never succeed
(``Unprocessable``) fails at once. A worker that dies mid-job leaves a lease that runs out; the
job then runs again, so a job must be safe to run twice: its key is what it tells the world
(for example the idempotency key of an outbound request) so that a second run finds the first.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import Row, and_, or_, select, update

from common.db import Database
from common.errors import Unprocessable
from common.messaging_tables import MessagingTables
from common.outages import DATABASE, Backoff, Outages
from common.ports.clock import Clock, SystemClock
from common.waiting import wait_for_event

__all__ = ["Job", "JobKind", "JobState", "JobWorker", "list_jobs", "retry_jobs"]

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)


class JobState(StrEnum):
    PENDING = "pending"  # waiting for its time
    RUNNING = "running"  # leased by a worker
    DONE = "done"
    FAILED = "failed"  # used its attempts, or can never succeed: an operator may retry it


@dataclass(frozen=True)
class Job:
    """A job row to be written in the open transaction."""

    kind: str
    key: str
    payload: str  # JSON
    max_attempts: int
    run_after: datetime

    def row(self) -> dict[str, Any]:
        now = datetime.now(UTC)
        return {
            "kind": self.kind,
            "key": self.key,
            "payload": self.payload,
            "state": JobState.PENDING.value,
            "attempts": 0,
            "max_attempts": self.max_attempts,
            "run_after": self.run_after,
            "created_at": now,
            "updated_at": now,
        }


@dataclass(frozen=True)
class JobKind(Generic[M]):
    """One kind of job: its name, the payload it takes and the function that does it."""

    name: str
    payload: type[M]
    run: Callable[[M], Awaitable[None]]
    max_attempts: int = 8
    # Told when the job has failed for good (its last error), to mark the work's own record.
    failed: Callable[[M, str], Awaitable[None]] | None = None

    def job(self, key: str, payload: M, *, run_after: datetime | None = None) -> Job:
        return Job(self.name, key, payload.model_dump_json(), self.max_attempts, run_after or datetime.now(UTC))

    async def run_json(self, payload: str) -> None:
        await self.run(self.payload.model_validate_json(payload))

    async def failed_json(self, payload: str, error: str) -> None:
        if self.failed is not None:
            await self.failed(self.payload.model_validate_json(payload), error)


class JobWorker:
    """Runs due jobs of one service, a few at a time, each outside any transaction."""

    def __init__(
        self,
        db: Database,
        tables: MessagingTables,
        kinds: Sequence[JobKind[Any]],
        outages: Outages,
        *,
        clock: Clock | None = None,
        worker: str = "worker",
        concurrency: int = 4,
        lease: timedelta = timedelta(minutes=5),
        first_retry: timedelta = timedelta(seconds=10),
        longest_retry: timedelta = timedelta(hours=1),
        poll_interval: float = 5.0,
        backoff: Backoff | None = None,
    ) -> None:
        self._db = db
        self._jobs = tables.jobs
        self._kinds: Mapping[str, JobKind[Any]] = {kind.name: kind for kind in kinds}
        self._outages = outages
        self._clock = clock or SystemClock()
        self._worker = worker
        self._concurrency = concurrency
        self._lease = lease
        self._first_retry = first_retry
        self._longest_retry = longest_retry
        self._poll_interval = poll_interval
        self._backoff = backoff or Backoff()
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._claim_failed = False

    @property
    def kinds(self) -> tuple[JobKind[Any], ...]:
        """The kinds of job it runs."""
        return tuple(self._kinds.values())

    def wake(self) -> None:
        """Jobs were committed: look now rather than at the next poll."""
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    async def run(self) -> None:
        backoff: Iterator[float] | None = None
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                claimed = await self._claim()
                outcomes = await asyncio.gather(*(self._run_one(row) for row in claimed), return_exceptions=True)
                for outcome in outcomes:
                    if isinstance(outcome, Exception):
                        log.error("job worker could not record a job's outcome: %r", outcome)
            except Exception as error:
                if not self._outages.noted(error):
                    log.exception("job worker failed; retrying")
                backoff = backoff or self._backoff.delays()
                await self._pause(next(backoff))
                continue
            backoff = None
            if len(claimed) < self._concurrency:
                await self._sleep(self._poll_interval)

    async def _sleep(self, seconds: float) -> None:
        await wait_for_event(self._wake, seconds)

    async def _pause(self, seconds: float) -> None:
        """Wait out an outage: only stopping cuts it short, not new jobs."""
        await wait_for_event(self._stopping, seconds)

    async def _claim(self) -> list[Row[Any]]:
        """Lease up to ``concurrency`` due jobs (or ones whose worker's lease ran out) in one statement."""
        jobs, now = self._jobs, self._clock.now()
        due = or_(
            and_(jobs.c.state == JobState.PENDING.value, jobs.c.run_after <= now),
            and_(jobs.c.state == JobState.RUNNING.value, jobs.c.leased_until < now),
        )
        chosen = select(jobs.c.id).where(due).order_by(jobs.c.run_after, jobs.c.id).limit(self._concurrency)
        if not self._db.is_sqlite:
            chosen = chosen.with_for_update(skip_locked=True)
        statement = (
            update(jobs)
            .where(jobs.c.id.in_(chosen.scalar_subquery()), due)
            .values(
                state=JobState.RUNNING.value,
                attempts=jobs.c.attempts + 1,
                leased_until=now + self._lease,
                leased_by=self._worker,
                updated_at=now,
            )
            .returning(jobs.c.id, jobs.c.kind, jobs.c.key, jobs.c.payload, jobs.c.attempts, jobs.c.max_attempts)
        )
        try:
            async with self._db.transaction() as connection:
                rows = list((await connection.execute(statement)).all())
        except Exception:
            self._claim_failed = True
            raise
        if rows or self._claim_failed:
            # Jobs leased (a committed write), or the claim that failed in the outage went through.
            # An empty claim alone proves nothing: a full disk still commits a transaction that
            # wrote nothing.
            self._outages.reached(DATABASE)
        self._claim_failed = False
        return rows

    async def _run_one(self, row: Row[Any]) -> None:
        kind = self._kinds.get(row.kind)
        error: BaseException | None = None
        try:
            if kind is None:
                raise Unprocessable("unknown-job-kind", f"this service has no job kind {row.kind!r}")
            await kind.run_json(row.payload)
        except asyncio.CancelledError:
            raise
        except Exception as failure:
            error = failure
        delays = self._backoff.delays()
        while True:  # the outcome is kept through an outage, or the job would run again at its lease's end
            try:
                await self._record(row, error)
                return
            except Exception as failure:
                if self._stopping.is_set() or not self._outages.noted(failure):
                    raise
                await self._pause(next(delays))

    async def _record(self, row: Row[Any], error: BaseException | None) -> None:
        jobs, now = self._jobs, self._clock.now()
        values: dict[str, Any] = {"leased_until": None, "leased_by": None, "updated_at": now}
        if error is None:
            values |= {"state": JobState.DONE.value, "finished_at": now}
        elif self._outages.noted(error, raised_by_us=True):
            # The database or Redis was away, not the job at fault: again soon, no attempt spent.
            values |= {
                "state": JobState.PENDING.value,
                "attempts": row.attempts - 1,
                "run_after": now + self._first_retry,
            }
        else:
            final = isinstance(error, Unprocessable) or row.attempts >= row.max_attempts
            values["last_error"] = f"{type(error).__name__}: {error}"[:2000]
            if final:
                values |= {"state": JobState.FAILED.value, "finished_at": now}
                log.error(
                    "job %s %s (key %s) failed for good after %d attempts: %s",
                    row.kind,
                    row.id,
                    row.key,
                    row.attempts,
                    values["last_error"],
                )
            else:
                values |= {"state": JobState.PENDING.value, "run_after": now + self.retry_delay(row.attempts)}
                log.warning(
                    "job %s %s (key %s) failed (attempt %d of %d); retrying: %s",
                    row.kind,
                    row.id,
                    row.key,
                    row.attempts,
                    row.max_attempts,
                    values["last_error"],
                )
        # This run's lease (worker and attempt): a worker that took the job over writes nothing here.
        statement = (
            update(jobs)
            .where(jobs.c.id == row.id, jobs.c.leased_by == self._worker, jobs.c.attempts == row.attempts)
            .values(**values)
        )
        async with self._db.transaction() as connection:
            kept = (await connection.execute(statement)).rowcount == 1
        kind = self._kinds.get(row.kind)
        if kept and values.get("state") == JobState.FAILED.value and kind is not None:
            try:
                await kind.failed_json(row.payload, values["last_error"])
            except Exception:
                log.exception("job %s %s: recording its failure failed", row.kind, row.id)

    def retry_delay(self, attempts: int) -> timedelta:
        """10 s, 20 s, 40 s, … up to an hour, after the ``attempts``-th failure."""
        seconds = self._first_retry.total_seconds() * math.pow(2, max(0, attempts - 1))
        return min(self._longest_retry, timedelta(seconds=seconds))


async def list_jobs(
    db: Database, tables: MessagingTables, *, state: JobState | None, limit: int = 100
) -> list[Row[Any]]:
    """Jobs, newest change first; for operators."""
    query = select(tables.jobs).order_by(tables.jobs.c.updated_at.desc(), tables.jobs.c.id.desc()).limit(limit)
    if state is not None:
        query = query.where(tables.jobs.c.state == state.value)
    async with db.read() as connection:
        return list((await connection.execute(query)).all())


async def retry_jobs(db: Database, tables: MessagingTables, ids: Sequence[int] | None) -> int:
    """Send failed jobs (these, or all when ``ids`` is None) back to run now with fresh attempts."""
    jobs, now = tables.jobs, datetime.now(UTC)
    statement = update(jobs).where(jobs.c.state == JobState.FAILED.value)
    if ids is not None:
        statement = statement.where(jobs.c.id.in_(list(ids)))
    statement = statement.values(
        state=JobState.PENDING.value, attempts=0, run_after=now, finished_at=None, updated_at=now
    )
    async with db.transaction() as connection:
        return (await connection.execute(statement)).rowcount
