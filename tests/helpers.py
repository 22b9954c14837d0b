"""Small helpers the tests share."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from redis.asyncio import Redis
from redis.typing import EncodableT, FieldT, StreamRangeResponse
from sqlalchemy import MetaData, create_engine, select

from common.dates import quarter_of, vietnam_date
from common.db import Database, sync_url
from common.events import Envelope, Event, StoryPublished, new_event, parse_event
from common.messaging_tables import MessagingTables
from common.migrations import upgrade
from common.registry import service
from common.unit_of_work import UnitOfWork

T = TypeVar("T")
S = TypeVar("S")
D = TypeVar("D")


def open_quarter() -> str:
    """The quarter units nominate in today, in Vietnam: intake accepts it and the one before."""
    return quarter_of(vietnam_date(datetime.now(UTC)))


async def eventually(probe: Callable[[], Awaitable[T | None]], *, within: float = 15.0, interval: float = 0.05) -> T:
    """Poll ``probe`` until it returns something truthy; fail with its last value after ``within`` seconds.

    A probe may answer ``None`` for "not yet": the value returned is then never ``None``.
    """
    deadline = time.monotonic() + within
    value = await probe()
    while not value:
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {within}s (last value: {value!r})")
        await asyncio.sleep(interval)
        value = await probe()
    return value


# Stream entries as the tests' Redis clients (no ``decode_responses``) read and write them.
Fields = dict[str, bytes]
"""An entry's fields: names as text, values as the bytes stored (an entry may hold bytes that are not UTF-8)."""


def _stored(value: bytes | str) -> bytes:
    assert isinstance(value, bytes), f"a client without decode_responses answered {value!r}"
    return value


def read_entries(response: StreamRangeResponse | None) -> list[tuple[str, Fields]]:
    """An XRANGE answer, typed: each entry's id and its fields, oldest first."""
    assert response is not None, "XRANGE answered nothing"
    entries = []
    for entry_id, fields in response:
        assert entry_id is not None and fields is not None, f"a stream entry without id or fields: {entry_id!r}"
        entries.append((_stored(entry_id).decode(), {_stored(k).decode(): _stored(v) for k, v in fields.items()}))
    return entries


async def stream_entries(redis: Redis, stream: str) -> list[tuple[str, Fields]]:
    """The stream's entries, oldest first, as (entry id, fields)."""
    return read_entries(await redis.xrange(stream))


async def stream_fields(redis: Redis, stream: str) -> list[Fields]:
    """The fields of the stream's entries, oldest first."""
    return [fields for _, fields in await stream_entries(redis, stream)]


async def stream_events(redis: Redis, stream: str) -> list[dict[str, Any]]:
    """The JSON envelopes the stream's entries carry in their ``event`` field, oldest first."""
    return [json.loads(fields["event"]) for fields in await stream_fields(redis, stream)]


def entry(fields: Mapping[str, str | bytes]) -> dict[FieldT, EncodableT]:
    """Fields to post with XADD, in the type redis-py asks for."""
    return {name: value for name, value in fields.items()}


async def add_entry(redis: Redis, stream: str, fields: Mapping[str, str | bytes]) -> None:
    """Post one entry on the stream, as a unit system or another service would."""
    await redis.xadd(stream, entry(fields))


@contextlib.asynccontextmanager
async def database_with(metadata: MetaData, url: str) -> AsyncIterator[Database]:
    """A database holding ``metadata``'s tables, disposed of afterwards."""
    engine = create_engine(sync_url(url))
    metadata.create_all(engine)
    engine.dispose()
    database = Database.connect(url)
    try:
        yield database
    finally:
        await database.dispose()


def story_published() -> Event[StoryPublished]:
    """An event of the contract that any test may stage, relay and consume."""
    payload = StoryPublished(
        story_id=uuid.uuid4(),
        exemplar_id=uuid.uuid4(),
        nomination_id=uuid.uuid4(),
        channel="web",
        title="Gương điển hình",
        url="http://127.0.0.1/stories/x",
    )
    return new_event(payload, producer="publishing")


@contextlib.asynccontextmanager
async def migrated_database(migrations: Path, url: str) -> AsyncIterator[Database]:
    """A service's database at its newest schema, disposed of afterwards."""
    await asyncio.to_thread(upgrade, migrations, url)
    database = Database.connect(url)
    try:
        yield database
    finally:
        await database.dispose()


def units_of_work(
    db: Database,
    name: str,
    tables: MessagingTables,
    store: Callable[[Any], S],
    translate: Callable[[D, Envelope | None], Sequence[Event[Any]]],
) -> Callable[[], UnitOfWork[S, D]]:
    """The unit of work a service's runtime makes, without Redis: committed events stay in the outbox."""

    def make() -> UnitOfWork[S, D]:
        return UnitOfWork(db=db, tables=tables, store=store, translate=translate, produces=service(name).writes)

    return make


async def outbox_events_of(app: Any) -> list[Event[Any]]:
    """Every event a running service's app wrote to its outbox, oldest first (published or not)."""
    runtime = app.state.runtime
    outbox = runtime.tables.outbox
    async with runtime.db.read() as conn:
        rows = (await conn.execute(select(outbox.c.envelope).order_by(outbox.c.id))).all()
    return [parse_event(row.envelope) for row in rows]
