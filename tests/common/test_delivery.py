"""The delivery mechanics on a real Redis and real databases: outbox relay, inbox, claimer, dead letters."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy import Column, MetaData, String, Table, Uuid, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from common.consumer import Delivery, EntryHandler, Refusal, kept_fields
from common.db import Database
from common.errors import Unprocessable
from common.events import (
    Envelope,
    Event,
    StoryPublished,
    new_event,
    parse_event,
)
from common.messaging_tables import messaging_tables
from common.outbox import OutboxRelay
from common.processing import Handlers, Processor
from common.registry import ServiceEntry
from common.runtime import Runtime, Subscription, build_runtime, subscriptions_of
from common.settings import ServiceSettings
from common.unit_of_work import UnitOfWork, stage
from common.wire import dead_letter_stream, encode_entry
from tests.conftest import TEST_SECRET
from tests.helpers import database_with, entry, eventually, story_published, stream_entries, stream_fields
from tests.publishing.builders import approved

STREAM = StoryPublished.STREAM
# A service of the tests' own: it reads the stream StoryPublished is on, and writes nothing.
TESTGROUP = ServiceEntry("testgroup", 8199, consumes=(STREAM,), produces=())

metadata = MetaData()
tables = messaging_tables(metadata)
effects = Table("effects", metadata, Column("event_id", Uuid, primary_key=True), Column("entry_id", String(40)))


story = story_published


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    async with database_with(metadata, db_url) as database:
        yield database


async def count(db: Database, table: Table) -> int:
    async with db.read() as session:
        return int((await session.execute(select(func.count()).select_from(table))).scalar_one())


async def stage_events(db: Database, events: Sequence[Event[Any]]) -> None:
    async with db.transaction() as session:
        await stage(session, tables, events)


TestUnitOfWork = UnitOfWork[AsyncConnection, object]


def no_events(event: object, cause: Envelope | None) -> list[Event[Any]]:
    return []


def units(db: Database) -> Callable[[], TestUnitOfWork]:
    def make() -> TestUnitOfWork:
        return UnitOfWork(db=db, tables=tables, store=lambda c: c, translate=no_events, produces=())

    return make


async def record_effects(uow: TestUnitOfWork, events: Sequence[Event[StoryPublished]]) -> None:
    async with uow:
        await uow.store.execute(effects.insert(), [{"event_id": e.event_id, "entry_id": "x"} for e in events])


def settings(db_url: str, redis_url: str, **overrides: Any) -> ServiceSettings:
    values: dict[str, Any] = {
        "database_url": db_url,
        "redis_url": redis_url,
        "auth_secret": TEST_SECRET,
        "claim_idle_ms": 300,
        "max_deliveries": 3,
    }
    values.update(overrides)
    return ServiceSettings(**values)


def runtime_with(
    db: Database, db_url: str, redis_url: str, handler: Callable[[Database], EntryHandler], **over: Any
) -> Runtime[AsyncConnection, object]:
    def subscriptions(unit_of_work: Callable[[], TestUnitOfWork]) -> list[Subscription]:
        return [Subscription(stream=STREAM, handler=handler(db), description="test")]

    return build_runtime(
        TESTGROUP,
        settings(db_url, redis_url, **over),
        tables=tables,
        store=lambda connection: connection,
        translate=no_events,
        subscriptions=subscriptions,
        db=db,
    )


def processor(database: Database) -> Processor[AsyncConnection, object]:
    handlers = Handlers[AsyncConnection, object]().on(StoryPublished, record_effects)
    return Processor(group="testgroup", handlers=handlers, unit_of_work=units(database))


async def settled(redis: Redis, entries: int, group: str = "testgroup") -> bool:
    """The stream holds ``entries`` entries, all delivered to the group and acknowledged."""
    if await redis.xlen(STREAM) < entries:
        return False
    groups = {g["name"].decode(): g for g in await redis.xinfo_groups(STREAM)}
    info = groups.get(group)
    return info is not None and info["pending"] == 0 and info["lag"] == 0


async def test_relay_publishes_in_order_and_marks(db: Database, redis_client: Redis) -> None:
    events = [story() for _ in range(5)]
    await stage_events(db, events)
    relay = OutboxRelay(db, tables, redis_client)
    assert await relay.publish_batch() == 5
    assert await relay.publish_batch() == 0
    entries = await stream_fields(redis_client, STREAM)
    assert [parse_event(fields["event"]).event_id for fields in entries] == [e.event_id for e in events]
    async with db.read() as session:
        query = select(func.count()).select_from(tables.outbox).where(tables.outbox.c.published_at.is_(None))
        assert (await session.execute(query)).scalar_one() == 0


class CrashAfterPublish(OutboxRelay):
    """Dies after the events are on the stream and before the rows are marked."""

    async def _mark(self, session: AsyncConnection, key: Any, keys: Sequence[Any], entry_ids: list[str]) -> None:
        raise RuntimeError("process died")


async def test_relay_dying_after_publish_republishes_and_duplicates_are_dropped(
    db: Database, db_url: str, redis_url: str, redis_client: Redis
) -> None:
    events = [story() for _ in range(20)]
    await stage_events(db, events)
    with pytest.raises(RuntimeError):
        await CrashAfterPublish(db, tables, redis_client).publish_batch()
    assert await redis_client.xlen(STREAM) == 20
    runtime = runtime_with(db, db_url, redis_url, processor)
    await runtime.start()
    try:
        await eventually(lambda: settled(redis_client, 40))
    finally:
        await runtime.stop()
    assert await count(db, effects) == 20
    assert await count(db, tables.inbox) == 20
    assert await redis_client.xlen(dead_letter_stream(STREAM)) == 0


async def test_relay_outlives_a_redis_outage(db: Database, redis_client: Redis) -> None:
    from tests.servers import free_port

    await stage_events(db, [story()])
    dead = Redis.from_url(f"redis://127.0.0.1:{free_port()}/0")
    with pytest.raises(RedisConnectionError):
        await OutboxRelay(db, tables, dead).publish_batch()
    await dead.aclose()
    async with db.read() as session:
        row = (await session.execute(select(tables.outbox))).one()
    assert row.attempts == 1 and row.published_at is None and "Connect" in (row.last_error or "")
    assert await OutboxRelay(db, tables, redis_client).publish_batch() == 1
    assert await redis_client.xlen(STREAM) == 1


async def unpublished(db: Database) -> int:
    async with db.read() as session:
        query = select(func.count()).select_from(tables.outbox).where(tables.outbox.c.published_at.is_(None))
        return int((await session.execute(query)).scalar_one())


async def test_relay_publishes_handed_over_events_at_once_and_finds_leftovers_by_polling(
    db: Database, redis_client: Redis
) -> None:
    leftovers = [story() for _ in range(3)]  # committed by a process that died before publishing
    await stage_events(db, leftovers)
    relay = OutboxRelay(db, tables, redis_client, poll_interval=60)  # no poll after the first
    running = asyncio.create_task(relay.run())
    try:
        await eventually(lambda: _xlen_is(redis_client, 3))
        fresh = [story() for _ in range(2)]
        await stage_events(db, fresh)
        relay.publish_now(fresh)
        await eventually(lambda: _xlen_is(redis_client, 5))
        await eventually(lambda: _is_zero(unpublished(db)))
    finally:
        relay.stop()
        await running
    entries = await stream_fields(redis_client, STREAM)
    assert [parse_event(f["event"]).event_id for f in entries] == [e.event_id for e in leftovers + fresh]


async def test_a_relay_behind_a_burst_keeps_at_most_its_limit_in_memory_and_the_order(
    db: Database, redis_client: Redis
) -> None:
    relay = OutboxRelay(db, tables, redis_client, poll_interval=60, most_ready=3)
    running = asyncio.create_task(relay.run())
    try:
        first = [story() for _ in range(2)]
        await stage_events(db, first)
        relay.publish_now(first)
        await eventually(lambda: _xlen_is(redis_client, 2))
        await eventually(lambda: _is_zero(unpublished(db)))
        burst = [story() for _ in range(7)]
        for start in range(0, 7, 2):  # four commits hand over 2, 2, 2 and 1 events, faster than relayed
            await stage_events(db, burst[start : start + 2])
            relay.publish_now(burst[start : start + 2])
            assert len(relay._ready) <= 3, "past the limit, events wait in the outbox only"
        await eventually(lambda: _xlen_is(redis_client, 9))
        await eventually(lambda: _is_zero(unpublished(db)))
    finally:
        relay.stop()
        await running
    entries = await stream_fields(redis_client, STREAM)
    assert [parse_event(f["event"]).event_id for f in entries] == [e.event_id for e in first + burst]


async def test_events_committed_while_a_backlog_drains_follow_it(db: Database, redis_client: Redis) -> None:
    backlog = [story() for _ in range(5)]  # left by a process that died, or by an outage
    await stage_events(db, backlog)
    relay = OutboxRelay(db, tables, redis_client, poll_interval=60, batch_size=2)
    fresh = [story()]
    await stage_events(db, fresh)
    relay.publish_now(fresh)  # handed over before the backlog is drained: it must not overtake it
    running = asyncio.create_task(relay.run())
    try:
        await eventually(lambda: _xlen_is(redis_client, 6))
        await eventually(lambda: _is_zero(unpublished(db)))
    finally:
        relay.stop()
        await running
    entries = await stream_fields(redis_client, STREAM)
    assert [parse_event(f["event"]).event_id for f in entries] == [e.event_id for e in backlog + fresh]


class FailsOnce(OutboxRelay):
    """Redis refuses the first publication."""

    failed = False

    async def _publish(self, entries: Sequence[tuple[str, str]]) -> tuple[list[str], list[Any]]:
        if not self.failed:
            self.failed = True
            raise RedisConnectionError("Redis briefly away")
        return await super()._publish(entries)


async def test_handed_over_events_that_fail_to_publish_are_published_from_the_outbox(
    db: Database, redis_client: Redis
) -> None:
    events = [story() for _ in range(4)]
    await stage_events(db, events)
    relay = FailsOnce(db, tables, redis_client, poll_interval=60)
    relay.publish_now(events)  # handed over before the relay's first look
    running = asyncio.create_task(relay.run())
    try:
        await eventually(lambda: _is_zero(unpublished(db)))
    finally:
        relay.stop()
        await running
    assert relay.failed
    entries = await stream_fields(redis_client, STREAM)
    assert [parse_event(f["event"]).event_id for f in entries] == [e.event_id for e in events]  # once each


async def _xlen_is(redis: Redis, n: int) -> bool:
    length = await redis.xlen(STREAM)
    assert length <= n, f"{length} entries on the stream, expected {n}"
    return length == n


async def _is_zero(count: Awaitable[int]) -> bool:
    return await count == 0


def flaky(failures: int) -> Callable[[Database], EntryHandler]:
    """A handler that fails the first ``failures`` deliveries of each entry (not for an outage)."""
    seen: dict[str, int] = {}

    def make(database: Database) -> EntryHandler:
        inner = processor(database)

        async def handle(deliveries: Sequence[Delivery]) -> Sequence[Refusal]:
            for delivery in deliveries:
                seen[delivery.entry_id] = seen.get(delivery.entry_id, 0) + 1
                if seen[delivery.entry_id] <= failures:
                    raise LookupError("the entry's subject is not there yet")
            return await inner(deliveries)

        return handle

    return make


async def test_failed_delivery_is_claimed_and_retried(
    db: Database, db_url: str, redis_url: str, redis_client: Redis
) -> None:
    await stage_events(db, [story() for _ in range(3)])
    runtime = runtime_with(db, db_url, redis_url, flaky(2), max_deliveries=5)
    await runtime.start()
    try:
        await eventually(lambda: settled(redis_client, 3), within=20)
    finally:
        await runtime.stop()
    assert await count(db, effects) == 3
    assert await redis_client.xlen(dead_letter_stream(STREAM)) == 0


async def test_entry_failing_every_time_becomes_a_dead_letter(
    db: Database, db_url: str, redis_url: str, redis_client: Redis
) -> None:
    event = story()
    await stage_events(db, [event])
    runtime = runtime_with(db, db_url, redis_url, flaky(100), max_deliveries=3)
    await runtime.start()
    try:
        await eventually(lambda: settled(redis_client, 1), within=20)
    finally:
        await runtime.stop()
    [(_, dead)] = await stream_entries(redis_client, dead_letter_stream(STREAM))
    assert dead["reason_code"] == b"too-many-deliveries"
    assert dead["delivery_count"] == b"3"
    assert b"not there yet" in dead["reason"]
    assert dead["group"] == b"testgroup"
    assert parse_event(dead["original.event"]).event_id == event.event_id
    assert await count(db, effects) == 0


async def test_malformed_entry_is_dead_lettered_at_once_and_the_next_one_applies(
    db: Database, db_url: str, redis_url: str, redis_client: Redis
) -> None:
    await redis_client.xadd(STREAM, {"event": b"{not json"})
    await redis_client.xadd(STREAM, {"other": b"x"})
    await stage_events(db, [story()])
    runtime = runtime_with(db, db_url, redis_url, processor)
    await runtime.start()
    try:
        await eventually(lambda: settled(redis_client, 3))
    finally:
        await runtime.stop()
    dead = await stream_fields(redis_client, dead_letter_stream(STREAM))
    assert [(d["reason_code"], d["delivery_count"]) for d in dead] == [
        (b"malformed-json", b"1"),
        (b"missing-field", b"1"),
    ]
    assert dead[0]["original.event"] == b"{not json"
    assert await count(db, effects) == 1


async def test_an_event_naming_another_producer_or_belonging_elsewhere_is_refused(
    db: Database, db_url: str, redis_url: str, redis_client: Redis
) -> None:
    forged = new_event(story().payload, producer="review")  # publishing.events is publishing's alone
    misplaced = new_event(approved().payload, producer="publishing")  # a review event on publishing's stream
    genuine = story()
    for event in (forged, misplaced, genuine):
        await redis_client.xadd(STREAM, entry(encode_entry(event.envelope.model_dump_json())))
    runtime = runtime_with(db, db_url, redis_url, processor)
    await runtime.start()
    try:
        await eventually(lambda: settled(redis_client, 3))
    finally:
        await runtime.stop()
    dead = await stream_fields(redis_client, dead_letter_stream(STREAM))
    assert [d["reason_code"] for d in dead] == [b"wrong-producer", b"wrong-stream"]
    assert b"only publishing writes publishing.events" in dead[0]["reason"]
    async with db.read() as session:
        applied = set((await session.execute(select(effects.c.event_id))).scalars())
    assert applied == {genuine.event_id}


async def test_entries_posted_before_the_group_existed_are_read(
    db: Database, db_url: str, redis_url: str, redis_client: Redis
) -> None:
    await stage_events(db, [story() for _ in range(4)])
    assert await OutboxRelay(db, tables, redis_client).publish_batch() == 4
    runtime = runtime_with(db, db_url, redis_url, processor)
    await runtime.start()
    try:
        await eventually(lambda: settled(redis_client, 4))
    finally:
        await runtime.stop()
    assert await count(db, effects) == 4


async def test_a_refusal_inside_a_batch_handler_dead_letters_that_entry_alone(
    db: Database, db_url: str, redis_url: str, redis_client: Redis
) -> None:
    batches: list[int] = []

    async def record_or_refuse(uow: TestUnitOfWork, events: Sequence[Event[StoryPublished]]) -> None:
        batches.append(len(events))
        async with uow:
            await uow.store.execute(effects.insert(), [{"event_id": e.event_id, "entry_id": "x"} for e in events])
            if any(e.payload.title == "Độc" for e in events):
                raise Unprocessable("poison", "this event can never be applied")  # after writing: rolled back

    def batching(database: Database) -> EntryHandler:
        handlers = Handlers[AsyncConnection, object]().on(StoryPublished, record_or_refuse)
        return Processor(group="testgroup", handlers=handlers, unit_of_work=units(database))

    events = [story() for _ in range(5)]
    poison = events[2].payload.model_copy(update={"title": "Độc"})
    events[2] = new_event(poison, producer="publishing")
    await stage_events(db, events)
    assert await OutboxRelay(db, tables, redis_client).publish_batch() == 5  # in the stream before the group reads
    runtime = runtime_with(db, db_url, redis_url, batching)
    await runtime.start()
    try:
        await eventually(lambda: settled(redis_client, 5))
    finally:
        await runtime.stop()
    assert batches[0] == 5  # the handler had the whole batch, then each entry alone
    [(_, dead)] = await stream_entries(redis_client, dead_letter_stream(STREAM))
    assert (dead["reason_code"], dead["delivery_count"]) == (b"poison", b"1")
    assert parse_event(dead["original.event"]).event_id == events[2].event_id
    async with db.read() as session:
        applied = set((await session.execute(select(effects.c.event_id))).scalars())
    assert applied == {e.event_id for i, e in enumerate(events) if i != 2}


def test_an_event_type_has_one_handler_not_two() -> None:
    handlers = Handlers[AsyncConnection, object]().on(StoryPublished, record_effects)
    with pytest.raises(ValueError, match="StoryPublished"):
        handlers.on(StoryPublished, record_effects)


def test_subscriptions_follow_the_handlers_and_the_runtime_holds_to_the_registry(db: Database) -> None:
    [subscription] = subscriptions_of(processor(db))
    assert subscription.stream == STREAM and "StoryPublished" in subscription.description
    reads_more = ServiceEntry("testgroup", 8199, consumes=(STREAM, "review.events"), produces=())
    with pytest.raises(ValueError, match="registry"):
        build_runtime(
            reads_more,
            settings(db.url, "redis://127.0.0.1:1/0"),
            tables=tables,
            store=lambda connection: connection,
            translate=no_events,
            subscriptions=lambda uow: subscriptions_of(processor(db)),
            db=db,
        )


async def test_an_oversized_entry_is_kept_as_a_digest_and_the_dead_letters_are_bounded(
    db: Database, db_url: str, redis_url: str, redis_client: Redis
) -> None:
    big = b"x" * (3 * 1024 * 1024)
    for _ in range(3):
        await redis_client.xadd(STREAM, {"event": big})
    runtime = runtime_with(db, db_url, redis_url, processor)
    await runtime.start()
    try:
        await eventually(lambda: settled(redis_client, 3))
    finally:
        await runtime.stop()
    dead = await stream_fields(redis_client, dead_letter_stream(STREAM))
    assert [d["reason_code"] for d in dead] == [b"oversized"] * 3
    kept = dead[0]
    assert not any(name.startswith("original.") for name in kept), "an oversized entry is not copied"
    assert kept["oversized.bytes"] == str(len(big) + len("event")).encode()
    assert kept["oversized.sha256"] == hashlib.sha256(b"event\0" + big + b"\0").hexdigest().encode()
    assert kept["oversized.prefix"] == big[:1024]
    assert sum(len(k) + len(v) for k, v in kept.items()) < 2048


def test_a_dead_letter_keeps_a_normal_entry_whole() -> None:
    assert kept_fields({"event": b"{}", "jws": b"a.b.c"}) == {"original.event": b"{}", "original.jws": b"a.b.c"}


def test_a_log_line_is_one_json_object_naming_the_service_and_the_event() -> None:
    import json
    import logging

    from common.logs import JsonLines, entry_context

    event = story()
    record = logging.LogRecord("common.consumer", logging.ERROR, __file__, 1, "entry %s failed", ("1-0",), None)
    context = entry_context(STREAM, "testgroup", "1-0", {"event": event.envelope.model_dump_json().encode()})
    record.__dict__.update(context)  # as logging does with extra=
    line = json.loads(JsonLines("publishing").format(record))
    assert line["service"] == "publishing" and line["level"] == "error" and line["message"] == "entry 1-0 failed"
    assert (line["stream"], line["entry_id"], line["event_type"]) == (STREAM, "1-0", "StoryPublished")
    assert (line["event_id"], line["correlation_id"]) == (str(event.event_id), str(event.envelope.correlation_id))
    assert entry_context(STREAM, "g", "2-0", {"event": b"\x00not json"}) == {
        "stream": STREAM,
        "group": "g",
        "entry_id": "2-0",
    }
