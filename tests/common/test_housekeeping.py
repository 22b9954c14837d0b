"""Streams trimmed never past what a group still needs; old outbox, inbox and job rows pruned.

On a real Redis and real databases. Trimming is approximate (Redis removes whole nodes of about a
hundred entries), so the tests post enough entries for nodes to go, and check the one promise
that matters: no entry a group still needs is ever removed.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from redis.asyncio import Redis
from sqlalchemy import insert

from common import registry
from common.db import Database
from common.housekeeping import DAY, Housekeeper, Retention, Swept
from common.outages import Outages
from tests.common.test_delivery import count, db, tables

__all__ = ["db"]  # the fixture

STREAM = "review.events"  # owned by review; nomination, publishing and awards read it
READERS = registry.readers(STREAM)
N = 1_000


def keeper(
    db: Database, redis: Redis, *, service: str = "review", later: float = 0.0, batch: int = 5_000
) -> Housekeeper:
    return Housekeeper(
        service=registry.service(service),
        redis=redis,
        db=db,
        tables=tables,
        retention=Retention(),
        outages=Outages("test"),
        per_unit_streams=lambda: ["nomination.outcomes.xa-ban-nguyen", "nomination.events"],
        batch=batch,
        clock=lambda: time.time() + later,
    )


async def post(redis: Redis, stream: str, n: int, *, first_ms: int | None = None) -> list[bytes]:
    """``n`` entries; with ``first_ms``, one per millisecond from then (an old stream)."""
    pipe = redis.pipeline(transaction=False)
    for i in range(n):
        pipe.xadd(stream, {"n": i}, id="*" if first_ms is None else f"{first_ms + i}-0")
    return list(await pipe.execute())


async def read(redis: Redis, group: str, n: int, *, ack: int) -> list[bytes]:
    """The group reads ``n`` entries and acknowledges the first ``ack`` of them."""
    answer: Any = await redis.xreadgroup(group, "c1", {STREAM: ">"}, count=n)
    ids: list[bytes] = [entry_id for entry_id, _ in answer[0][1]] if answer else []
    if ack:
        await redis.xack(STREAM, group, *ids[:ack])
    return ids


async def remaining(redis: Redis, stream: str = STREAM) -> list[bytes]:
    entries: Any = await redis.xrange(stream)
    return [entry_id for entry_id, _ in entries]


async def test_a_stream_is_trimmed_to_the_first_entry_a_group_still_needs(db: Database, redis_client: Redis) -> None:
    ids = await post(redis_client, STREAM, N, first_ms=1_000)  # older than any retention
    for group in READERS:
        await redis_client.xgroup_create(STREAM, group, id="0")
    await read(redis_client, "nomination", N, ack=N)  # done with everything
    await read(redis_client, "publishing", 700, ack=500)  # holds 500..699 unacknowledged
    await read(redis_client, "awards", 800, ack=800)  # has not read 800..999

    swept = await keeper(db, redis_client).sweep()

    kept = await remaining(redis_client)
    assert set(ids[500:]) <= set(kept), "an entry publishing has not acknowledged was trimmed"
    assert len(kept) < N - 300, f"whole nodes below the first needed entry go ({len(kept)} kept)"
    assert swept.trimmed[STREAM] == N - len(kept)

    await redis_client.xack(STREAM, "publishing", *ids[500:700])
    await read(redis_client, "publishing", N, ack=N)
    await keeper(db, redis_client).sweep()
    kept = await remaining(redis_client)
    assert set(ids[800:]) <= set(kept), "an entry awards has not read was trimmed"
    assert len(kept) < N - 700


async def test_a_stream_a_reader_has_no_group_on_yet_is_not_trimmed(db: Database, redis_client: Redis) -> None:
    await post(redis_client, STREAM, N, first_ms=1_000)
    for group in READERS[:-1]:  # the last reader has never started
        await redis_client.xgroup_create(STREAM, group, id="$")
    swept = await keeper(db, redis_client).sweep()
    assert await redis_client.xlen(STREAM) == N
    assert swept.untrimmed == [STREAM]


async def test_entries_younger_than_the_retention_stay_though_every_group_has_them(
    db: Database, redis_client: Redis
) -> None:
    await post(redis_client, STREAM, N)  # just now
    for group in READERS:
        await redis_client.xgroup_create(STREAM, group, id="$")
    await keeper(db, redis_client).sweep()
    assert await redis_client.xlen(STREAM) == N
    await keeper(db, redis_client, later=2 * DAY).sweep()  # the day has passed
    assert await redis_client.xlen(STREAM) < 100


async def test_per_unit_outcomes_are_trimmed_by_age_alone(db: Database, redis_client: Redis) -> None:
    outcomes = "nomination.outcomes.xa-ban-nguyen"
    old = await post(redis_client, outcomes, N, first_ms=int((time.time() - 40 * DAY) * 1000))
    recent = await post(redis_client, outcomes, 10)
    swept = await keeper(db, redis_client, service="nomination").sweep()
    kept = await remaining(redis_client, outcomes)
    assert set(recent) <= set(kept)
    assert len(kept) < 110
    assert swept.trimmed[outcomes] == N + 10 - len(kept)
    assert old[0] not in kept
    # nomination.events has readers without groups here: left alone, though named by the callback
    assert "nomination.events" in swept.untrimmed


async def test_old_outbox_inbox_and_finished_job_rows_are_pruned_the_rest_kept(
    db: Database, redis_client: Redis
) -> None:
    now = datetime.now(UTC)
    old, recent = now - timedelta(days=90), now - timedelta(hours=1)

    def outbox_row(published: datetime | None) -> dict[str, object]:
        return {
            "event_id": uuid.uuid4(),
            "stream": STREAM,
            "type": "ExemplarApproved",
            "envelope": "{}",
            "created_at": old,
            "published_at": published,
        }

    def job(state: str, finished: datetime | None) -> dict[str, object]:
        return {
            "kind": "render",
            "key": str(uuid.uuid4()),
            "payload": "{}",
            "state": state,
            "attempts": 1,
            "max_attempts": 5,
            "run_after": old,
            "created_at": old,
            "updated_at": old,
            "finished_at": finished,
        }

    async with db.transaction() as session:
        await session.execute(insert(tables.outbox), [outbox_row(old) for _ in range(7)])
        await session.execute(insert(tables.outbox), [outbox_row(recent), outbox_row(None)])
        await session.execute(
            insert(tables.inbox),
            [
                {"consumer": "g", "event_id": uuid.uuid4(), "stream": STREAM, "entry_id": "1-0", "processed_at": at}
                for at in [old] * 5 + [recent] * 2
            ],
        )
        await session.execute(
            insert(tables.jobs), [job("done", old), job("done", old), job("done", recent), job("failed", old)]
        )

    swept = Swept()
    await keeper(db, redis_client, batch=2).prune(swept)  # several small batches

    assert swept.pruned == {"outbox": 7, "inbox": 5, "jobs": 2}
    assert await count(db, tables.outbox) == 2  # the recent one, and the one never published
    assert await count(db, tables.inbox) == 2
    assert await count(db, tables.jobs) == 2  # the recent one, and the failed one an operator must see


async def test_a_stream_no_service_reads_is_trimmed_by_age(db: Database, redis_client: Redis) -> None:
    stream = "publishing.events"  # read by no consumer group of the system: the web and feeds are pages
    assert registry.readers(stream) == ()
    await post(redis_client, stream, N, first_ms=int((time.time() - 2 * DAY) * 1000))
    recent = await post(redis_client, stream, 10)
    swept = await keeper(db, redis_client, service="publishing").sweep()
    kept = await remaining(redis_client, stream)
    assert set(recent) <= set(kept) and len(kept) < 110
    assert swept.trimmed[stream] == N + 10 - len(kept)
