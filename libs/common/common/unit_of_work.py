"""The unit of work: one transaction of one service, the events it causes, and what follows its commit.

HTTP routes, stream consumers and the job worker all change state the same way::

    async with unit_of_work() as uow:       # opens the transaction
        case = await uow.store.get_case(...)
        case.decide(...)                     # the aggregate records a domain event
        uow.track(case)                      # ... which the unit of work collects
        await uow.store.save_cases([case])

On leaving the block without an error, the unit of work translates the recorded domain events
into integration events (the service's ``integration.py`` says how), writes them as outbox rows
and the jobs enqueued as job rows, commits everything in one transaction, and only then hands the
events to the relay and wakes the job worker. An error rolls everything back. Entering a unit of
work that is already open joins its transaction: a use case opens its own, and a consumer that
applies a batch of events (with their inbox rows) wraps them all in one.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Generic, Protocol, Self, TypeVar

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from common import registry
from common.db import Database, insert_if_new
from common.events import Envelope, Event
from common.jobs import Job
from common.messaging_tables import MessagingTables

__all__ = ["Aggregate", "UnitOfWork", "stage"]

S = TypeVar("S")  # the service's store: its repository over the open connection
D = TypeVar("D")  # the service's domain events
D_co = TypeVar("D_co", covariant=True)


class Aggregate(Protocol[D_co]):
    """Anything that records domain events as its state changes."""

    @property
    def events(self) -> Sequence[D_co]: ...


async def stage(connection: AsyncConnection, tables: MessagingTables, events: Sequence[Event[Any]]) -> None:
    """Write events as outbox rows in the open transaction."""
    if not events:
        return
    now = datetime.now(UTC)
    await connection.execute(
        insert(tables.outbox),
        [
            {
                "event_id": e.envelope.event_id,
                "stream": e.payload.stream(),
                "type": e.envelope.type,
                "envelope": e.envelope.model_dump_json(),
                "created_at": now,
            }
            for e in events
        ],
    )


@dataclass
class _Open:
    """What one open transaction has gathered so far."""

    connection: AsyncConnection
    scope: contextlib.AsyncExitStack
    tracked: dict[int, tuple[Aggregate[Any], Envelope | None]] = field(default_factory=dict)
    jobs: list[Job] = field(default_factory=list)
    depth: int = 1


class UnitOfWork(Generic[S, D]):
    """One service's transactions, entered with ``async with``; see the module's docstring."""

    def __init__(
        self,
        *,
        db: Database,
        tables: MessagingTables,
        store: Callable[[AsyncConnection], S],
        translate: Callable[[D, Envelope | None], Sequence[Event[Any]]],
        produces: Collection[str],
        after_commit: Callable[[Sequence[Event[Any]]], None] = lambda events: None,
        jobs_committed: Callable[[], None] = lambda: None,
    ) -> None:
        self._db = db
        self._tables = tables
        self._store_of = store
        self._translate = translate
        self._produces = tuple(produces)  # stream names, or templates of per-unit streams
        self._after_commit = after_commit
        self._jobs_committed = jobs_committed
        self._open: _Open | None = None
        self._store: S | None = None

    @property
    def connection(self) -> AsyncConnection:
        return self._state().connection

    @property
    def store(self) -> S:
        self._state()
        assert self._store is not None
        return self._store

    @property
    def tables(self) -> MessagingTables:
        return self._tables

    @contextlib.asynccontextmanager
    async def reading(self) -> AsyncIterator[S]:
        """The store over a read-only connection, for work that only looks (no write lock taken)."""
        async with self._db.read() as connection:
            yield self._store_of(connection)

    def track(self, aggregate: Aggregate[D], *, cause: Envelope | None = None) -> None:
        """Collect the events ``aggregate`` records in this transaction, as caused by ``cause``."""
        self._state().tracked.setdefault(id(aggregate), (aggregate, cause))

    def enqueue(self, *jobs: Job) -> None:
        """Jobs to run after the commit, outside any transaction; one per idempotency key."""
        self._state().jobs.extend(jobs)

    async def __aenter__(self) -> Self:
        if self._open is not None:
            self._open.depth += 1
            return self
        scope = contextlib.AsyncExitStack()
        connection = await scope.enter_async_context(self._db.transaction())
        self._open = _Open(connection, scope)
        self._store = self._store_of(connection)
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        state = self._state()
        state.depth -= 1
        if state.depth > 0:
            return
        self._open, self._store = None, None
        if error is not None:
            await state.scope.__aexit__(kind, error, trace)  # rolls back
            return
        try:
            events = self._collect(state)
            await stage(state.connection, self._tables, events)
            if state.jobs:
                await state.connection.execute(
                    insert_if_new(state.connection, self._tables.jobs), [job.row() for job in state.jobs]
                )
        except BaseException as failure:
            await state.scope.__aexit__(type(failure), failure, failure.__traceback__)
            raise
        await state.scope.aclose()  # commits
        if events:
            self._after_commit(events)
        if state.jobs:
            self._jobs_committed()

    def _collect(self, state: _Open) -> list[Event[Any]]:
        events: list[Event[Any]] = []
        for aggregate, cause in state.tracked.values():
            for domain_event in aggregate.events:
                events.extend(self._translate(domain_event, cause))
        for event in events:
            if not any(registry.matches(owned, event.payload.stream()) for owned in self._produces):
                raise ValueError(
                    f"{event.envelope.type} goes to {event.payload.stream()}, which this service does not own"
                )
        return events

    def _state(self) -> _Open:
        if self._open is None:
            raise RuntimeError("the unit of work is not open: use it inside `async with`")
        return self._open
