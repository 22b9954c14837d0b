"""Idempotent consumers: an event id is recorded in the same transaction as its effect."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from common.messaging_tables import MessagingTables

__all__ = ["processed_entries", "record_processed_many"]


async def processed_entries(
    session: AsyncConnection, tables: MessagingTables, consumer: str, event_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, str]:
    """For the events ``consumer`` already applied: the stream entry id each came in."""
    inbox = tables.inbox
    rows = await session.execute(
        select(inbox.c.event_id, inbox.c.entry_id).where(
            inbox.c.consumer == consumer, inbox.c.event_id.in_(list(set(event_ids)))
        )
    )
    return {event_id: entry_id for event_id, entry_id in rows.all()}


async def record_processed_many(
    session: AsyncConnection,
    tables: MessagingTables,
    consumer: str,
    applied: Sequence[tuple[uuid.UUID, str, str]],
) -> None:
    """Record (event id, stream, entry id) as applied; a concurrent duplicate fails on the key."""
    if not applied:
        return
    now = datetime.now(UTC)
    await session.execute(
        tables.inbox.insert(),
        [
            {"consumer": consumer, "event_id": event_id, "stream": stream, "entry_id": entry_id, "processed_at": now}
            for event_id, stream, entry_id in applied
        ],
    )
