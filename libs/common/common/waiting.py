"""Waiting that a stop (or a wake-up) cuts short: the pause of every periodic task."""

from __future__ import annotations

import asyncio
import contextlib

__all__ = ["wait_for_event"]


async def wait_for_event(event: asyncio.Event, seconds: float) -> bool:
    """Wait until ``event`` is set or ``seconds`` have passed; return whether it is set."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), timeout=seconds)
    return event.is_set()
