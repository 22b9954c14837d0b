"""Small helpers the tests share."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from common.db import Database
from common.events import Envelope, Event
from common.messaging_tables import MessagingTables
from common.migrations import upgrade
from common.registry import service
from common.unit_of_work import UnitOfWork

T = TypeVar("T")
S = TypeVar("S")
D = TypeVar("D")


async def eventually(probe: Callable[[], Awaitable[T]], *, within: float = 15.0, interval: float = 0.05) -> T:
    """Poll ``probe`` until it returns something truthy; fail with its last value after ``within`` seconds."""
    deadline = time.monotonic() + within
    value = await probe()
    while not value:
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {within}s (last value: {value!r})")
        await asyncio.sleep(interval)
        value = await probe()
    return value


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
        return UnitOfWork(db=db, tables=tables, store=store, translate=translate, produces=service(name).produces)

    return make
