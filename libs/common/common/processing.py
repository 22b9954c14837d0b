"""Applying an integration event exactly once: parse, skip duplicates, effect + inbox + outbox.

A handler gets the open transaction and the event and returns the events its effect causes;
they are staged in the same transaction as the effect and the inbox row.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from common.consumer import Delivery, PermanentFailure
from common.db import Database
from common.events import Event, InvalidEvent, parse_event
from common.inbox import already_processed, record_processed
from common.messaging_tables import MessagingTables
from common.outbox import stage
from common.wire import EVENT_FIELD

__all__ = ["MAX_ENTRY_BYTES", "EventHandler", "EventProcessor", "check_size"]

MAX_ENTRY_BYTES = 64 * 1024

EventHandler = Callable[[AsyncSession, Event[Any]], Awaitable[list[Event[Any]]]]


def check_size(delivery: Delivery, limit: int = MAX_ENTRY_BYTES) -> None:
    size = sum(len(name) + len(value) for name, value in delivery.fields.items())
    if size > limit:
        raise PermanentFailure("oversized", f"the entry has {size} bytes; at most {limit} are accepted")


class EventProcessor:
    """The entry handler for a group that consumes events the services publish."""

    def __init__(
        self,
        *,
        db: Database,
        tables: MessagingTables,
        consumer: str,
        handlers: Mapping[str, EventHandler],
        after_commit: Callable[[], None] = lambda: None,
    ) -> None:
        self._db = db
        self._tables = tables
        self._consumer = consumer
        self._handlers = handlers
        self._after_commit = after_commit

    async def __call__(self, delivery: Delivery) -> None:
        check_size(delivery)
        raw = delivery.fields.get(EVENT_FIELD)
        if raw is None:
            raise PermanentFailure("missing-field", f"the entry has no {EVENT_FIELD!r} field")
        try:
            event = parse_event(raw)
        except InvalidEvent as error:
            raise PermanentFailure(error.code, error.message) from error
        handler = self._handlers.get(event.envelope.type)
        if handler is None:
            return  # a known event this group has no business with
        await self.apply(event, handler, delivery)

    async def apply(self, event: Event[Any], handler: EventHandler, delivery: Delivery) -> None:
        try:
            async with self._db.transaction() as session:
                if await already_processed(session, self._tables, self._consumer, event.event_id):
                    return  # redelivered or republished: applied once already
                await record_processed(
                    session, self._tables, self._consumer, event.event_id, delivery.stream, delivery.entry_id
                )
                caused = await handler(session, event)
                await stage(session, self._tables, *caused)
        except IntegrityError:
            # A concurrent delivery of the same event committed first.
            async with self._db.read() as session:
                if await already_processed(session, self._tables, self._consumer, event.event_id):
                    return
            raise
        if caused:
            self._after_commit()
