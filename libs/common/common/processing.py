"""Applying the events of a stream exactly once, a batch per transaction.

A ``Processor`` is what a consumer group does with a batch of deliveries. Each entry is first read
without I/O (size, signature, contract: ``read``); an entry that can never succeed is refused and
goes to the dead-letter stream. The rest are applied in one unit of work: the inbox says which
event ids this group applied before (those are skipped, or refused as replays), the handlers
registered for each payload type apply the new ones (consecutive events of one type in one call),
and the inbox rows are written in the same transaction as the effects. A handler that refuses an
event (``Unprocessable``) rolls the batch back; its entries are then applied one by one, so the
refused entry alone is dead-lettered.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Generic, Self, TypeVar

from sqlalchemy import select

from common import registry
from common.consumer import Delivery, Refusal
from common.errors import Unprocessable
from common.events import Event, EventPayload, parse_event
from common.unit_of_work import UnitOfWork
from common.wire import EVENT_FIELD

__all__ = ["MAX_ENTRY_BYTES", "EntryReader", "Handlers", "Processor", "check_size", "read_published"]

MAX_ENTRY_BYTES = 64 * 1024

S = TypeVar("S")
D = TypeVar("D")
P = TypeVar("P", bound=EventPayload)

# Reads one entry without I/O: its event, None when the group has no business with it, or raises
# Unprocessable.
EntryReader = Callable[[Delivery], Event[EventPayload] | None]


def check_size(delivery: Delivery, limit: int = MAX_ENTRY_BYTES) -> None:
    size = sum(len(name) + len(value) for name, value in delivery.fields.items())
    if size > limit:
        raise Unprocessable("oversized", f"the entry has {size} bytes; at most {limit} are accepted")


def read_published(delivery: Delivery) -> Event[EventPayload]:
    """An event a service published: the envelope as JSON in the ``event`` field.

    Redis's access lists already keep every other writer off a service's stream; the envelope
    must agree as well: an event of another stream, or one that names a producer other than the
    stream's owner, is refused whoever managed to post it.
    """
    raw = delivery.fields.get(EVENT_FIELD)
    if raw is None:
        raise Unprocessable("missing-field", f"the entry has no {EVENT_FIELD!r} field")
    event = parse_event(raw)
    if delivery.stream != event.payload.stream():
        raise Unprocessable(
            "wrong-stream", f"{event.envelope.type} belongs on {event.payload.stream()}, not on {delivery.stream}"
        )
    expected = registry.owner(delivery.stream)
    if expected is not None and event.envelope.producer != expected:
        raise Unprocessable(
            "wrong-producer",
            f"only {expected} writes {delivery.stream}; this event names {event.envelope.producer[:80]!r} as producer",
        )
    return event


class Handlers(Generic[S, D]):
    """The use cases a consumer group runs, by the payload type each takes.

    A handler takes the open unit of work and a run of events of its type (one event alone is a
    run of one); it changes state through the unit of work and returns nothing.
    """

    def __init__(self) -> None:
        self._by_type: dict[tuple[str, int], Callable[[UnitOfWork[S, D], Sequence[Event[Any]]], Awaitable[None]]] = {}
        self.payloads: list[type[EventPayload]] = []

    def on(self, payload: type[P], handler: Callable[[UnitOfWork[S, D], Sequence[Event[P]]], Awaitable[None]]) -> Self:
        key = (payload.TYPE, payload.VERSION)
        if key in self._by_type:
            raise ValueError(f"one handler per event type; {payload.TYPE} v{payload.VERSION} is given twice")
        self._by_type[key] = handler
        self.payloads.append(payload)
        return self

    def handles(self, event: Event[EventPayload]) -> bool:
        return (event.envelope.type, event.envelope.schema_version) in self._by_type

    def streams(self) -> list[str]:
        return sorted({payload.STREAM for payload in self.payloads})

    async def apply(self, uow: UnitOfWork[S, D], events: Sequence[Event[Any]]) -> None:
        """Apply events in order, consecutive events of one type in one call."""
        for key, run in itertools.groupby(events, key=lambda e: (e.envelope.type, e.envelope.schema_version)):
            await self._by_type[key](uow, list(run))


class Processor(Generic[S, D]):
    """What one consumer group does with the entries of one stream; see the module's docstring."""

    def __init__(
        self,
        *,
        group: str,
        handlers: Handlers[S, D],
        unit_of_work: Callable[[], UnitOfWork[S, D]],
        read: EntryReader = read_published,
        refuse_replays: bool = False,
    ) -> None:
        self.group = group
        self.handlers = handlers
        self._unit_of_work = unit_of_work
        self._read = read
        # Posted from outside: an event id seen before under another entry id is a replay, refused.
        self._refuse_replays = refuse_replays

    def read(self, delivery: Delivery) -> Event[EventPayload] | None:
        check_size(delivery)
        event = self._read(delivery)
        # A known event this group has no business with is acknowledged and left alone.
        return event if event is not None and self.handlers.handles(event) else None

    async def __call__(self, deliveries: Sequence[Delivery]) -> list[Refusal]:
        """Apply a batch; return the refused entries in order. Raises if the batch failed."""
        refused: list[Refusal] = []
        ready: list[tuple[Delivery, Event[EventPayload]]] = []
        for delivery in deliveries:
            try:
                event = self.read(delivery)
            except Unprocessable as error:
                refused.append(Refusal(delivery, error))
                continue
            if event is not None:
                ready.append((delivery, event))
        try:
            refused += await self._apply(ready)
        except Unprocessable as error:
            if len(ready) == 1:
                refused.append(Refusal(ready[0][0], error))
            else:  # which entry? each alone says
                for item in ready:
                    try:
                        refused += await self._apply([item])
                    except Unprocessable as alone:
                        refused.append(Refusal(item[0], alone))
        position = {id(delivery): i for i, delivery in enumerate(deliveries)}
        return sorted(refused, key=lambda r: position[id(r.delivery)])

    async def _apply(self, ready: Sequence[tuple[Delivery, Event[EventPayload]]]) -> list[Refusal]:
        """One transaction: the new events applied with their inbox rows; returns the refused replays."""
        if not ready:
            return []
        refused: list[Refusal] = []
        async with self._unit_of_work() as uow:
            seen = await _processed(uow, self.group, [e.event_id for _, e in ready])
            fresh: list[tuple[Delivery, Event[EventPayload]]] = []
            for delivery, event in ready:
                first = seen.get(event.event_id)
                if first is None:
                    seen[event.event_id] = delivery.entry_id  # a second copy in this batch is a duplicate
                    fresh.append((delivery, event))
                elif self._refuse_replays and first != delivery.entry_id:
                    refused.append(
                        Refusal(
                            delivery,
                            Unprocessable(
                                "replayed-event", f"event {event.event_id} was already received as entry {first}"
                            ),
                        )
                    )
            await self.handlers.apply(uow, [event for _, event in fresh])
            await _record_processed(uow, self.group, fresh)
        return refused


async def _processed(uow: UnitOfWork[Any, Any], group: str, event_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
    """For the events ``group`` already applied: the stream entry id each came in."""
    inbox = uow.tables.inbox
    query = select(inbox.c.event_id, inbox.c.entry_id).where(
        inbox.c.consumer == group, inbox.c.event_id.in_(list(set(event_ids)))
    )
    return {event_id: entry_id for event_id, entry_id in (await uow.connection.execute(query)).all()}


async def _record_processed(
    uow: UnitOfWork[Any, Any], group: str, applied: Sequence[tuple[Delivery, Event[EventPayload]]]
) -> None:
    """The inbox rows; a concurrent duplicate fails on the key and rolls the batch back."""
    if not applied:
        return
    now = datetime.now(UTC)
    rows = [
        {"consumer": group, "event_id": e.event_id, "stream": d.stream, "entry_id": d.entry_id, "processed_at": now}
        for d, e in applied
    ]
    await uow.connection.execute(uow.tables.inbox.insert(), rows)
