"""Durable jobs on real databases: slow work beside the consumers, retries, final failure, operator retry."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import BaseModel, SecretStr
from redis.asyncio import Redis
from sqlalchemy import Column, MetaData, String, Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from common.db import Database
from common.errors import Unprocessable
from common.events import Envelope, Event, StoryPublished
from common.jobs import JobKind, JobState, JobWorker, retry_jobs
from common.messaging_tables import messaging_tables
from common.outages import Outages
from common.ports.clock import FakeClock
from common.processing import Handlers, Processor
from common.registry import ServiceEntry
from common.runtime import Runtime, Subscription, build_runtime, subscriptions_of
from common.settings import ServiceSettings
from common.unit_of_work import UnitOfWork
from tests.conftest import TEST_SECRET
from tests.helpers import add_entry, database_with, eventually, story_published

STREAM = StoryPublished.STREAM
JOBS_SERVICE = ServiceEntry("jobtest", 8198, consumes=(STREAM,), produces=())

metadata = MetaData()
tables = messaging_tables(metadata)
effects = Table("effects", metadata, Column("key", String(80), primary_key=True))

JobUnitOfWork = UnitOfWork[AsyncConnection, object]


class Note(BaseModel):
    key: str


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    async with database_with(metadata, db_url) as database:
        yield database


def no_events(event: object, cause: Envelope | None) -> list[Event[Any]]:
    return []


def units(db: Database) -> Callable[[], JobUnitOfWork]:
    return lambda: UnitOfWork(db=db, tables=tables, store=lambda c: c, translate=no_events, produces=())


async def effect_keys(db: Database) -> set[str]:
    async with db.read() as connection:
        return set((await connection.execute(select(effects.c.key))).scalars())


async def job_rows(db: Database) -> dict[str, Any]:
    async with db.read() as connection:
        return {row.key: row for row in (await connection.execute(select(tables.jobs))).all()}


story = story_published


async def test_a_two_second_job_delays_no_consumer_batch_and_holds_no_write_lock(
    db: Database, db_url: str, redis_url: str, redis_client: Redis
) -> None:
    started, finished = asyncio.Event(), asyncio.Event()

    def wiring(unit_of_work: Callable[[], JobUnitOfWork]) -> tuple[JobKind[Note], Sequence[Subscription]]:
        async def render(note: Note) -> None:  # a slow render: two seconds, then its result is stored
            started.set()
            await asyncio.sleep(2)
            async with unit_of_work() as uow:
                await uow.store.execute(insert(effects).values(key=f"rendered:{note.key}"))
            finished.set()

        slow = JobKind("render", Note, render)

        async def apply(uow: JobUnitOfWork, events: Sequence[Event[StoryPublished]]) -> None:
            async with uow:
                await uow.store.execute(insert(effects), [{"key": f"applied:{e.event_id}"} for e in events])
                uow.enqueue(*(slow.job(str(e.event_id), Note(key=str(e.event_id))) for e in events))

        handlers = Handlers[AsyncConnection, object]().on(StoryPublished, apply)
        return slow, subscriptions_of(Processor(group="jobtest", handlers=handlers, unit_of_work=unit_of_work))

    settings = ServiceSettings(database_url=db_url, redis_url=redis_url, auth_secret=SecretStr(TEST_SECRET))
    runtime: Runtime[AsyncConnection, object] = build_runtime(
        JOBS_SERVICE,
        settings,
        tables=tables,
        store=lambda connection: connection,
        translate=no_events,
        subscriptions=lambda uow: wiring(uow)[1],
        jobs=lambda uow: [wiring(uow)[0]],
        db=db,
    )
    first, second = story(), story()
    await runtime.start()
    try:
        await add_entry(redis_client, STREAM, {"event": first.envelope.model_dump_json()})
        await asyncio.wait_for(started.wait(), timeout=15)
        # The first job is running now, for two seconds. A new batch is applied meanwhile...
        await add_entry(redis_client, STREAM, {"event": second.envelope.model_dump_json()})
        await eventually(lambda: _has(db, f"applied:{second.event_id}"))
        assert not finished.is_set(), "the consumer waited for the job"
        # ...and any writer gets the database at once: the job holds no transaction open.
        async with db.transaction() as connection:
            await connection.execute(insert(effects).values(key="another writer"))
        assert not finished.is_set()
        assert (await job_rows(db))[str(first.event_id)].state == JobState.RUNNING
        await asyncio.wait_for(finished.wait(), timeout=15)
        await eventually(lambda: _all_done(db, 2))
    finally:
        await runtime.stop()
    assert {f"rendered:{first.event_id}", f"rendered:{second.event_id}"} <= await effect_keys(db)


async def _has(db: Database, key: str) -> bool:
    return key in await effect_keys(db)


async def _all_done(db: Database, count: int) -> bool:
    rows = await job_rows(db)
    return len(rows) == count and all(row.state == JobState.DONE for row in rows.values())


class Flaky:
    """Fails its first ``failures`` runs, then succeeds; ``broken`` fails until mended."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.runs = 0

    async def __call__(self, note: Note) -> None:
        self.runs += 1
        if self.runs <= self.failures:
            raise ConnectionError(f"the channel did not answer (run {self.runs})")


async def refuse(note: Note) -> None:
    raise Unprocessable("no-such-story", f"story {note.key} does not exist")


async def test_jobs_retry_with_growing_waits_fail_for_good_and_run_again_when_an_operator_says(
    db: Database,
) -> None:
    clock = FakeClock(datetime.now(UTC) + timedelta(seconds=1))
    flaky, broken = Flaky(failures=2), Flaky(failures=1000)
    kinds = [
        JobKind("flaky", Note, flaky),
        JobKind("broken", Note, broken, max_attempts=3),
        JobKind("refused", Note, refuse),
    ]
    async with units(db)() as uow:
        uow.enqueue(*(kind.job("story-1", Note(key="story-1")) for kind in kinds))
    async with units(db)() as uow:  # the same work asked for again: still one job per key
        uow.enqueue(kinds[0].job("story-1", Note(key="story-1")))
    worker = JobWorker(
        db, tables, kinds, Outages("jobtest"), clock=clock, first_retry=timedelta(seconds=10), poll_interval=0.02
    )
    running = asyncio.create_task(worker.run())
    try:
        rows = await eventually(lambda: _states(db, flaky="pending", broken="pending", refused="failed"))
        assert rows["flaky"].attempts == 1 and "did not answer (run 1)" in rows["flaky"].last_error
        assert _aware(rows["flaky"].run_after) == clock.now() + timedelta(seconds=10)
        assert rows["refused"].attempts == 1 and "no-such-story" in rows["refused"].last_error

        clock.advance(timedelta(seconds=10))
        rows = await eventually(lambda: _attempts(db, flaky=2, broken=2))
        assert _aware(rows["flaky"].run_after) == clock.now() + timedelta(seconds=20), "the wait doubles"
        clock.advance(timedelta(seconds=19))
        await asyncio.sleep(0.2)
        assert (await _rows(db))["flaky"].attempts == 2, "ran before its time"

        clock.advance(timedelta(seconds=1))
        rows = await eventually(lambda: _states(db, flaky="done", broken="failed", refused="failed"))
        assert rows["broken"].attempts == 3 and rows["flaky"].attempts == 3
        assert flaky.runs == 3 and broken.runs == 3

        broken.failures = 0  # mended; the operator sends the failed jobs back
        assert await retry_jobs(db, tables, [rows["broken"].id]) == 1
        rows = await eventually(lambda: _states(db, flaky="done", broken="done", refused="failed"))
        assert rows["broken"].attempts == 1 and broken.runs == 4
    finally:
        worker.stop()
        await running


async def test_a_job_whose_worker_died_runs_again_when_its_lease_runs_out(db: Database) -> None:
    clock = FakeClock(datetime.now(UTC) + timedelta(seconds=1))
    hang, calls = asyncio.Event(), []

    async def render(note: Note) -> None:
        calls.append(note.key)
        if len(calls) == 1:
            await hang.wait()  # the first worker dies in here

    kind = JobKind("render", Note, render)
    async with units(db)() as uow:
        uow.enqueue(kind.job("story-2", Note(key="story-2")))
    lease = timedelta(minutes=5)
    first = JobWorker(db, tables, [kind], Outages("a"), clock=clock, worker="a", lease=lease, poll_interval=0.02)
    dying = asyncio.create_task(first.run())
    await eventually(lambda: _true(len(calls) == 1))
    dying.cancel()
    with pytest.raises(asyncio.CancelledError):
        await dying
    second = JobWorker(db, tables, [kind], Outages("b"), clock=clock, worker="b", lease=lease, poll_interval=0.02)
    running = asyncio.create_task(second.run())
    try:
        await asyncio.sleep(0.2)
        assert calls == ["story-2"], "taken over while its lease still ran"
        clock.advance(lease + timedelta(seconds=1))
        rows = await eventually(lambda: _states(db, render="done"))
        assert calls == ["story-2", "story-2"] and rows["render"].attempts == 2 and rows["render"].leased_by is None
    finally:
        second.stop()
        await running


async def _rows(db: Database) -> dict[str, Any]:
    async with db.read() as connection:
        return {row.kind: row for row in (await connection.execute(select(tables.jobs))).all()}


async def _states(db: Database, **states: str) -> dict[str, Any] | None:
    rows = await _rows(db)
    return rows if {kind: rows[kind].state for kind in states if kind in rows} == states else None


async def _attempts(db: Database, **attempts: int) -> dict[str, Any] | None:
    """The rows once each kind has had that many attempts and its outcome is recorded (not running)."""
    rows = await _rows(db)
    settled = {kind: rows[kind].attempts for kind in attempts if kind in rows and rows[kind].state != "running"}
    return rows if settled == attempts else None


async def _true(value: bool) -> bool:
    return value


def _aware(moment: datetime) -> datetime:
    """SQLite gives back naive UTC; PostgreSQL aware."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def test_one_job_per_kind_and_key(db: Database) -> None:
    kind = JobKind("render", Note, refuse)
    for _ in range(3):
        async with units(db)() as uow:
            uow.enqueue(kind.job("same", Note(key="same")), kind.job("same", Note(key="same")))
    async with db.read() as connection:
        assert (await connection.execute(select(func.count()).select_from(tables.jobs))).scalar_one() == 1


async def test_a_job_caught_by_an_outage_of_the_database_spends_no_attempt(db: Database) -> None:
    import sqlite3

    from sqlalchemy.exc import OperationalError

    clock = FakeClock(datetime.now(UTC) + timedelta(seconds=1))
    runs: list[str] = []

    async def render(note: Note) -> None:
        runs.append(note.key)
        if len(runs) == 1:
            raise OperationalError("INSERT …", None, sqlite3.OperationalError("database or disk is full"))

    kind = JobKind("render", Note, render, max_attempts=1)
    async with units(db)() as uow:
        uow.enqueue(kind.job("story-3", Note(key="story-3")))
    worker = JobWorker(db, tables, [kind], Outages("jobtest"), clock=clock, poll_interval=0.02)
    running = asyncio.create_task(worker.run())
    try:
        waiting = await eventually(lambda: _true_rows(db, len(runs) == 1))
        assert (waiting["render"].state, waiting["render"].attempts) == (JobState.PENDING, 0)
        clock.advance(timedelta(seconds=10))
        done = await eventually(lambda: _states(db, render="done"))
    finally:
        worker.stop()
        await running
    assert runs == ["story-3", "story-3"] and done["render"].attempts == 1, "one attempt of one allowed, not failed"


async def _true_rows(db: Database, condition: bool) -> dict[str, Any] | None:
    rows = await _rows(db)
    return rows if condition and rows["render"].state != "running" else None
