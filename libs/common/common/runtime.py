"""One service process: its HTTP API, its stream consumers, its relay and its job worker.

A service's ``bootstrap`` builds a ``Runtime`` with ``build_runtime`` (database, Redis, broker,
unit of work, relay, consumers, job worker; nothing connects yet) and hands it to ``create_app``;
uvicorn serves the app, whose lifespan starts the consumers, the relay and the worker after the
HTTP side is ready and stops them cleanly on shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from faststream.redis import RedisBroker
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.exceptions import HTTPException as StarletteHTTPException

from common.api_errors import error_body, http_error, validation_error
from common.auth import TokenVerifier
from common.consumer import EntryHandler, StreamConsumer, ensure_group
from common.db import Database
from common.docs import offline_docs
from common.events import Envelope, Event, EventPayload
from common.health import health_router
from common.housekeeping import Housekeeper, Retention
from common.jobs import JobKind, JobWorker
from common.limits import BodyLimit
from common.messaging_tables import MessagingTables
from common.outages import REDIS, Outages
from common.outbox import OutboxRelay
from common.processing import Processor
from common.redis_connection import connect_broker, connect_redis
from common.registry import ServiceEntry
from common.settings import ServiceSettings
from common.unit_of_work import UnitOfWork
from common.waiting import wait_for_event

__all__ = [
    "Periodic",
    "Runtime",
    "Subscription",
    "build_runtime",
    "create_app",
    "subscriptions_of",
]

log = logging.getLogger(__name__)

S = TypeVar("S")
D = TypeVar("D")


@dataclass(frozen=True)
class Subscription:
    """A stream this service reads (as the group named after it), and what it does with entries."""

    stream: str
    handler: EntryHandler
    description: str
    payloads: tuple[type[EventPayload], ...] = ()  # the event types it applies, for the AsyncAPI document


@dataclass(frozen=True)
class Periodic:
    """Work a service does every ``interval`` seconds while it runs (reminders, say); it must be safe
    to run on every replica at once, and again after a crash."""

    name: str
    interval: float
    run: Callable[[], Awaitable[Any]]


def subscriptions_of(processor: Processor[Any, Any]) -> list[Subscription]:
    """One subscription per stream the processor's handlers take events from."""
    subscriptions = []
    for stream in processor.handlers.streams():
        types = [p.TYPE for p in processor.handlers.payloads if stream == p.STREAM]
        description = (
            f"{processor.group} applies {', '.join(types)}; entries that can never succeed go to {stream}.dead."
        )
        payloads = tuple(p for p in processor.handlers.payloads if stream == p.STREAM)
        subscriptions.append(Subscription(stream, processor, description, payloads))
    return subscriptions


@dataclass
class Runtime(Generic[S, D]):
    entry: ServiceEntry
    settings: ServiceSettings
    db: Database
    tables: MessagingTables
    redis: Redis
    broker: RedisBroker
    outages: Outages
    relay: OutboxRelay
    worker: JobWorker
    housekeeper: Housekeeper
    unit_of_work: Callable[[], UnitOfWork[S, D]]
    consumers: list[StreamConsumer] = field(default_factory=list)
    subscriptions: list[Subscription] = field(default_factory=list)
    periodic: list[Periodic] = field(default_factory=list)
    watch_interval: float = 2.0
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _stopping: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def service(self) -> str:
        return self.entry.name

    async def start(self) -> None:
        for consumer in self.consumers:
            await ensure_group(self.redis, consumer.stream, consumer.group)
        await self.broker.start()
        self._tasks.append(asyncio.create_task(self.relay.run(), name=f"{self.service}-relay"))
        self._tasks.append(asyncio.create_task(self.worker.run(), name=f"{self.service}-jobs"))
        self._tasks.append(asyncio.create_task(self._watch(), name=f"{self.service}-groups"))
        self._tasks.append(asyncio.create_task(self.housekeeper.run(), name=f"{self.service}-housekeeping"))
        for work in self.periodic:
            self._tasks.append(asyncio.create_task(self._every(work), name=f"{self.service}-{work.name}"))

    async def _every(self, work: Periodic) -> None:
        """Run ``work`` now and then every interval until stopped; a failure waits for the next round."""
        while True:
            try:
                await work.run()
            except Exception as error:
                if not self.outages.noted(error):
                    log.exception("%s failed; it runs again in %s s", work.name, work.interval)
            if await wait_for_event(self._stopping, work.interval):
                return

    async def _watch(self) -> None:
        """Bring back the consumers whose group Redis lost (see ``StreamConsumer.revive``)."""
        while not await wait_for_event(self._stopping, self.watch_interval):
            for consumer in self.consumers:
                try:
                    await consumer.revive()
                except Exception as error:
                    if not self.outages.noted(error):
                        log.exception("could not create the group %s of %s again", consumer.group, consumer.stream)

    async def stop(self) -> None:
        self._stopping.set()
        self.relay.stop()
        self.worker.stop()
        self.housekeeper.stop()
        await self.broker.stop()
        for task in self._tasks:  # a job still running after 5 s is cancelled; its lease runs out
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(task, timeout=5)
        self._tasks.clear()
        await self.outages.close()
        await self.redis.aclose()
        await self.db.dispose()

    async def ping_redis(self) -> None:
        await self.redis.ping()


def build_runtime(
    entry: ServiceEntry,
    settings: ServiceSettings,
    *,
    tables: MessagingTables,
    store: Callable[[AsyncConnection], S],
    translate: Callable[[D, Envelope | None], Sequence[Event[Any]]],
    subscriptions: Callable[[Callable[[], UnitOfWork[S, D]]], Sequence[Subscription]],
    jobs: Callable[[Callable[[], UnitOfWork[S, D]]], Sequence[JobKind[Any]]] = lambda uow: (),
    periodic: Callable[[Callable[[], UnitOfWork[S, D]]], Sequence[Periodic]] = lambda uow: (),
    db: Database | None = None,
) -> Runtime[S, D]:
    """Wire a service as its registry entry describes it: nothing connects until ``Runtime.start``."""
    name = entry.name
    db = db or Database.connect(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
    redis = connect_redis(settings)
    outages = Outages(name, probes={REDIS: redis.ping})
    broker_log = logging.getLogger(f"{name}.broker")
    broker_log.addFilter(outages.filter_for())  # FastStream's fetch errors during an outage: noted, not logged
    broker = connect_broker(settings, broker_log)
    relay = OutboxRelay(db, tables, redis, outages=outages, batch_size=settings.outbox_batch)
    # From the settings, stable across restarts (a restarted process owns its earlier pending
    # entries again) and different for each replica; never the hostname, which a container changes.
    consumer_name = settings.consumer_name or f"{name}-1"
    workers: list[JobWorker] = []
    unit_of_work = functools.partial(
        UnitOfWork[S, D],
        db=db,
        tables=tables,
        store=store,
        translate=translate,
        produces=entry.writes,
        after_commit=relay.publish_now,
        jobs_committed=lambda: workers[0].wake(),
    )
    worker = JobWorker(db, tables, jobs(unit_of_work), outages, worker=consumer_name)
    workers.append(worker)
    housekeeper = Housekeeper(
        service=entry,
        redis=redis,
        db=db,
        tables=tables,
        retention=Retention.of(settings),
        outages=outages,
        per_unit_streams=relay.streams,
        interval=settings.housekeeping_seconds,
    )
    runtime = Runtime(entry, settings, db, tables, redis, broker, outages, relay, worker, housekeeper, unit_of_work)
    runtime.periodic.extend(periodic(unit_of_work))
    subs = list(subscriptions(unit_of_work))
    runtime.subscriptions.extend(subs)
    streams = sorted(sub.stream for sub in subs)
    if streams != sorted(entry.consumes):
        raise ValueError(f"{name} subscribes to {streams}, but the registry says it reads {sorted(entry.consumes)}")
    for sub in subs:
        consumer = StreamConsumer(
            redis=redis,
            stream=sub.stream,
            group=name,
            consumer=consumer_name,
            handler=sub.handler,
            outages=outages,
            max_deliveries=settings.max_deliveries,
            claim_idle_ms=settings.claim_idle_ms,
            read_batch=settings.read_batch,
            dead_letter_maxlen=settings.dead_letter_maxlen,
            title=f"{sub.stream}:{name}",
            description=sub.description,
        )
        consumer.attach(broker)
        runtime.consumers.append(consumer)
    return runtime


def create_app(
    runtime: Runtime[Any, Any],
    *,
    title: str,
    description: str,
    routers: Sequence[APIRouter],
    on_start: Callable[[], Awaitable[Any]] | None = None,
    on_stop: Callable[[], Awaitable[Any]] | None = None,
    error_page: Callable[[Request, int], Response | None] | None = None,
) -> FastAPI:
    """The FastAPI app of a service; its lifespan runs the consumers, the relay and the worker.

    ``error_page`` gives the page a person's browser gets for a status (a 503 during an outage),
    or None where the JSON answer stands."""

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        if on_start is not None:
            await on_start()
        log.info("%s ready at %s", runtime.service, runtime.settings.public_base())
        try:
            yield
        finally:
            if on_stop is not None:
                await on_stop()
            await runtime.stop()

    app = FastAPI(title=title, description=description, lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.runtime = runtime
    app.state.token_verifier = TokenVerifier(
        runtime.settings.secret(), max_lifetime_seconds=runtime.settings.max_token_hours * 3600
    )
    app.add_middleware(BodyLimit, max_bytes=runtime.settings.max_request_bytes)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)

    @app.middleware("http")
    async def unavailable(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        """The database or Redis away is a 503 to try again, logged once for the outage (no traceback)."""
        try:
            return await call_next(request)
        except Exception as error:
            if not runtime.outages.noted(error):
                raise
            page = error_page(request, 503) if error_page else None
            if page is not None:
                page.headers["Retry-After"] = "10"
                return page
            return JSONResponse({"detail": error_body(503, None)}, status_code=503, headers={"Retry-After": "10"})

    offline_docs(app, title=title)
    app.include_router(health_router({"database": runtime.db.ping, "redis": runtime.ping_redis}))
    for router in routers:
        app.include_router(router)
    return app
