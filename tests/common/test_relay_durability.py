"""What the relay marked published survives Redis losing it: the rows go out again.

Redis here has no ``WAITAOF`` (7.0), so the relay relies on comparing each stream's last id with
the newest entry id it put there. A loss is made as a crash would leave it: the stream holds its
first entries again, with their ids, and the last generated id is the last of them.
"""

from __future__ import annotations

from typing import Any

import pytest
from redis.asyncio import Redis
from redis.exceptions import ResponseError

from common.db import Database
from common.events import parse_event
from common.outbox import NotDurable, OutboxRelay
from tests.common.test_delivery import (
    STREAM,
    count,
    db,
    effects,
    processor,
    runtime_with,
    settled,
    stage_events,
    story,
    tables,
    unpublished,
)
from tests.helpers import eventually, stream_fields

__all__ = ["db"]  # the fixture


async def lose_all_but(redis: Redis, kept: int) -> None:
    """Leave the stream as Redis would restart with only its first ``kept`` entries on disk."""
    entries: list[tuple[bytes, dict[Any, Any]]] = await redis.xrange(STREAM)  # type: ignore[assignment]
    await redis.delete(STREAM)
    for entry_id, fields in entries[:kept]:
        await redis.xadd(STREAM, fields, id=entry_id)


async def event_ids_on_stream(redis: Redis) -> list[object]:
    return [parse_event(fields["event"]).event_id for fields in await stream_fields(redis, STREAM)]


async def test_rows_redis_lost_are_seen_and_published_again(db: Database, redis_client: Redis) -> None:
    events = [story() for _ in range(5)]
    await stage_events(db, events)
    relay = OutboxRelay(db, tables, redis_client)
    assert await relay.publish_batch() == 5
    assert await relay.check_streams() == 0  # nothing lost yet

    await lose_all_but(redis_client, 2)
    assert await relay.check_streams() == 3
    assert await unpublished(db) == 3
    assert await relay.publish_batch() == 3
    assert await event_ids_on_stream(redis_client) == [e.event_id for e in events]
    assert await relay.check_streams() == 0
    assert relay.republished == 3


async def test_a_loss_is_seen_in_the_round_trip_of_the_next_publication(db: Database, redis_client: Redis) -> None:
    """A new entry would move the stream's last id past the lost ones: the check comes first."""
    first = [story() for _ in range(4)]
    await stage_events(db, first)
    relay = OutboxRelay(db, tables, redis_client)
    assert await relay.publish_batch() == 4
    await lose_all_but(redis_client, 1)

    later = story()
    await stage_events(db, [later])
    assert await relay.publish_batch() == 1  # the new row goes out, and the three lost ones are put back
    assert relay.republished == 3
    assert await relay.publish_batch() == 3
    assert sorted(map(str, await event_ids_on_stream(redis_client))) == sorted(str(e.event_id) for e in [*first, later])


async def test_a_restarted_relay_knows_what_it_had_put_on_the_streams(db: Database, redis_client: Redis) -> None:
    events = [story() for _ in range(3)]
    await stage_events(db, events)
    assert await OutboxRelay(db, tables, redis_client).publish_batch() == 3
    await redis_client.delete(STREAM)  # Redis came back empty

    restarted = OutboxRelay(db, tables, redis_client)
    assert await restarted.check_streams() == 3
    assert await restarted.publish_batch() == 3
    assert await event_ids_on_stream(redis_client) == [e.event_id for e in events]


async def test_without_waitaof_the_relay_says_so_once_and_goes_on(
    db: Database, redis_client: Redis, caplog: pytest.LogCaptureFixture
) -> None:
    await stage_events(db, [story(), story()])
    relay = OutboxRelay(db, tables, redis_client, batch_size=1)
    with caplog.at_level("INFO", logger="common.outbox"):
        assert await relay.publish_batch() == 1
        assert await relay.publish_batch() == 1
    assert sum("no WAITAOF" in r.getMessage() for r in caplog.records) == 1


def test_what_waitaof_answers_decides_whether_rows_are_marked(db: Database, redis_client: Redis) -> None:
    """Redis 7.2's answers, which this machine's Redis cannot give."""
    relay = OutboxRelay(db, tables, redis_client)
    relay._check_written([1, 0])
    assert relay._waitaof is True
    with pytest.raises(NotDurable):
        relay._check_written([0, 0])  # not on disk within the timeout: the rows stay unpublished
    with pytest.raises(ResponseError):
        relay._check_written(ResponseError("NOPERM this user has no permissions to run the 'waitaof' command"))
    relay._check_written(ResponseError("WAITAOF cannot be used when numlocal is set but appendonly is disabled."))
    assert relay._waitaof is False


async def test_a_group_redis_lost_is_created_again_and_reading_goes_on(
    db: Database, db_url: str, redis_url: str, redis_client: Redis
) -> None:
    relay = OutboxRelay(db, tables, redis_client)
    await stage_events(db, [story() for _ in range(2)])
    assert await relay.publish_batch() == 2
    runtime = runtime_with(db, db_url, redis_url, processor)
    runtime.watch_interval = 0.2
    await runtime.start()
    try:
        await eventually(lambda: settled(redis_client, 2))
        await redis_client.delete(STREAM)  # Redis came back without the stream, and so without the group
        assert await relay.check_streams() == 2  # the relay puts its two rows back...
        await stage_events(db, [story() for _ in range(3)])
        assert await relay.publish_batch() == 5  # ...and publishes them with three new ones
        await eventually(lambda: settled(redis_client, 5))
    finally:
        await runtime.stop()
    assert await count(db, effects) == 5  # the two again were dropped by the inbox
