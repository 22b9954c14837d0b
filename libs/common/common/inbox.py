"""Idempotent consumers: an event id is recorded in the same transaction as its effect."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from common.messaging_tables import MessagingTables

__all__ = ["already_processed", "record_processed"]


async def already_processed(
    session: AsyncSession, tables: MessagingTables, consumer: str, event_id: uuid.UUID
) -> str | None:
    """The stream entry id under which ``consumer`` applied this event, if it did."""
    inbox = tables.inbox
    row = await session.execute(
        select(inbox.c.entry_id).where(inbox.c.consumer == consumer, inbox.c.event_id == event_id)
    )
    return row.scalar_one_or_none()


async def record_processed(
    session: AsyncSession,
    tables: MessagingTables,
    consumer: str,
    event_id: uuid.UUID,
    stream: str,
    entry_id: str,
) -> None:
    """Record the event as applied; a concurrent duplicate fails on the primary key."""
    await session.execute(
        tables.inbox.insert().values(
            consumer=consumer,
            event_id=event_id,
            stream=stream,
            entry_id=entry_id,
            processed_at=datetime.now(UTC),
        )
    )
