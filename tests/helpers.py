"""Small helpers the tests share."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

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
