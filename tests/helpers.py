"""Small helpers the tests share."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from common.db import Database
from common.migrations import upgrade

T = TypeVar("T")


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
