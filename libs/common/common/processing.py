"""Applying integration events exactly once, a batch per transaction.

A batch of deliveries is checked entry by entry (size, signature, contract) before any database
work; entries that can never succeed are refused and go to the dead-letter stream. The rest are
applied in one transaction together with their inbox rows and the events their effects cause,
so a batch costs one commit instead of one per entry. Duplicates (a redelivery, or a copy the
relay published twice) are skipped by event id.
"""

from __future__ import annotations

import itertools
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncConnection

from common.consumer import Delivery, PermanentFailure
from common.db import Database
from common.events import Event, InvalidEvent, parse_event
from common.inbox import processed_entries, record_processed_many
from common.messaging_tables import MessagingTables
from common.outbox import stage
from common.wire import EVENT_FIELD

__all__ = [
    "MAX_ENTRY_BYTES",
    "BatchHandler",
    "BatchProcessor",
    "EventHandler",
    "EventProcessor",
    "Refusal",
    "check_size",
]

MAX_ENTRY_BYTES = 64 * 1024

EventHandler = Callable[[AsyncConnection, Event[Any]], Awaitable[list[Event[Any]]]]
# Applies several events of one type at once; returns the events each one causes, in order.
BatchHandler = Callable[[AsyncConnection, Sequence[Event[Any]]], Awaitable[list[list[Event[Any]]]]]


def check_size(delivery: Delivery, limit: int = MAX_ENTRY_BYTES) -> None:
    size = sum(len(name) + len(value) for name, value in delivery.fields.items())
    if size > limit:
        raise PermanentFailure("oversized", f"the entry has {size} bytes; at most {limit} are accepted")


@dataclass(frozen=True)
class Refusal:
    """An entry that will never be applied, and why; it goes to the dead-letter stream."""

    delivery: Delivery
    code: str
    message: str


class _RefusedInBatch(Exception):
    def __init__(self, refusals: list[Refusal]) -> None:
        super().__init__(f"{len(refusals)} entries refused")
        self.refusals = refusals


class BatchProcessor(ABC):
    """The entry handler of one consumer group; subclasses say how to read and apply an entry."""

    def __init__(
        self,
        *,
        db: Database,
        tables: MessagingTables,
        consumer: str,
        after_commit: Callable[[Sequence[Event[Any]]], None],
    ) -> None:
        self.db = db
        self.tables = tables
        self.consumer = consumer
        self.after_commit = after_commit

    @abstractmethod
    def read(self, delivery: Delivery) -> Event[Any] | None:
        """The entry's event, or None when this group has no business with it.

        Raises PermanentFailure when the entry can never be applied. No I/O here.
        """

    @abstractmethod
    async def apply(self, session: AsyncConnection, event: Event[Any], delivery: Delivery) -> list[Event[Any]]:
        """The effect of one event, in the batch's transaction; returns the events it causes.

        Raises PermanentFailure before writing anything when the event must be refused.
        """

    def on_duplicate(self, event: Event[Any], delivery: Delivery, first_entry_id: str) -> Refusal | None:
        """An event id applied before: skipped by default."""
        return None

    async def __call__(self, deliveries: Sequence[Delivery]) -> list[Refusal]:
        """Apply a batch in one transaction; return the refused entries. Raises if the batch failed.

        When an entry is refused while the batch is applied, the transaction is rolled back and the
        batch applied again without it, so nothing a refused entry may have written is kept.
        """
        refused: list[Refusal] = []
        ready: list[tuple[Delivery, Event[Any]]] = []
        for delivery in deliveries:
            try:
                check_size(delivery)
                event = self.read(delivery)
            except PermanentFailure as failure:
                refused.append(Refusal(delivery, failure.code, failure.message))
                continue
            if event is not None:
                ready.append((delivery, event))
        while ready:
            try:
                duplicates, caused = await self._apply_batch(ready)
            except _RefusedInBatch as refusal:
                refused.extend(refusal.refusals)
                out = {id(r.delivery) for r in refusal.refusals}
                ready = [(d, e) for d, e in ready if id(d) not in out]
                continue
            refused.extend(duplicates)
            if caused:
                self.after_commit(caused)
            break
        position = {id(delivery): i for i, delivery in enumerate(deliveries)}
        return sorted(refused, key=lambda r: position[id(r.delivery)])

    async def _apply_batch(
        self, ready: Sequence[tuple[Delivery, Event[Any]]]
    ) -> tuple[list[Refusal], list[Event[Any]]]:
        """One transaction: the refused duplicates, and the events the batch caused."""
        refused: list[Refusal] = []
        caused: list[Event[Any]] = []
        async with self.db.transaction() as session:
            seen = await processed_entries(session, self.tables, self.consumer, [e.event_id for _, e in ready])
            fresh: list[tuple[Event[Any], Delivery]] = []
            for delivery, event in ready:
                first = seen.get(event.event_id)
                if first is not None:
                    if refusal := self.on_duplicate(event, delivery, first):
                        refused.append(refusal)
                    continue
                # A second copy within this batch is a duplicate of the first.
                seen[event.event_id] = delivery.entry_id
                fresh.append((event, delivery))
            outcomes = await self.apply_many(session, fresh)
            if refusals := [outcome for outcome in outcomes if isinstance(outcome, Refusal)]:
                raise _RefusedInBatch(refusals)  # rolls the transaction back
            for outcome in outcomes:
                caused.extend(cast(list[Event[Any]], outcome))
            await record_processed_many(
                session,
                self.tables,
                self.consumer,
                [(e.event_id, d.stream, d.entry_id) for e, d in fresh],
            )
            await stage(session, self.tables, *caused)
        return refused, caused

    async def apply_many(
        self, session: AsyncConnection, items: Sequence[tuple[Event[Any], Delivery]]
    ) -> list[list[Event[Any]] | Refusal]:
        """The effects of a batch's new events, in the batch's transaction: one outcome per item, in order.

        One by one through ``apply`` unless a subclass can do the batch in fewer statements. When
        an item is refused, whatever the batch wrote is rolled back and the batch applied again
        without it.
        """
        return [await self._apply_one(session, event, delivery) for event, delivery in items]

    async def _apply_one(
        self, session: AsyncConnection, event: Event[Any], delivery: Delivery
    ) -> list[Event[Any]] | Refusal:
        try:
            return await self.apply(session, event, delivery)
        except PermanentFailure as failure:
            return Refusal(delivery, failure.code, failure.message)


class EventProcessor(BatchProcessor):
    """The entry handler for a group that consumes events the services publish.

    Each event type this group applies has one handler: in ``handlers`` (one event at a time) or
    in ``batch_handlers`` (a run of events of one type in a few statements). Consecutive events
    of a batch type go to its handler together, so the order of the batch is kept; one such
    event alone is a run of one.
    """

    def __init__(
        self,
        *,
        db: Database,
        tables: MessagingTables,
        consumer: str,
        handlers: Mapping[str, EventHandler] | None = None,
        batch_handlers: Mapping[str, BatchHandler] | None = None,
        after_commit: Callable[[Sequence[Event[Any]]], None] = lambda events: None,
    ) -> None:
        super().__init__(db=db, tables=tables, consumer=consumer, after_commit=after_commit)
        self._handlers = dict(handlers or {})
        self._batch_handlers = dict(batch_handlers or {})
        twice = self._batch_handlers.keys() & self._handlers.keys()
        if twice:
            raise ValueError(f"one handler per event type; given twice: {sorted(twice)}")

    def read(self, delivery: Delivery) -> Event[Any] | None:
        raw = delivery.fields.get(EVENT_FIELD)
        if raw is None:
            raise PermanentFailure("missing-field", f"the entry has no {EVENT_FIELD!r} field")
        try:
            event = parse_event(raw)
        except InvalidEvent as error:
            raise PermanentFailure(error.code, error.message) from error
        # A known event this group has no business with is acknowledged and left alone.
        known = event.envelope.type in self._handlers or event.envelope.type in self._batch_handlers
        return event if known else None

    async def apply(self, session: AsyncConnection, event: Event[Any], delivery: Delivery) -> list[Event[Any]]:
        event_type = event.envelope.type
        if event_type in self._batch_handlers:
            [caused] = await self._batch_handlers[event_type](session, [event])
            return caused
        return await self._handlers[event_type](session, event)

    async def apply_many(
        self, session: AsyncConnection, items: Sequence[tuple[Event[Any], Delivery]]
    ) -> list[list[Event[Any]] | Refusal]:
        outcomes: list[list[Event[Any]] | Refusal] = []
        for event_type, run in itertools.groupby(items, key=lambda item: item[0].envelope.type):
            events = list(run)
            batch = self._batch_handlers.get(event_type)
            if batch is None or len(events) == 1:
                outcomes.extend([await self._apply_one(session, e, d) for e, d in events])
            else:
                # A refusal here fails the whole batch; the consumer then applies its entries one
                # by one, and the refused one goes to the dead-letter stream alone.
                outcomes.extend(await batch(session, [e for e, _ in events]))
        return outcomes
