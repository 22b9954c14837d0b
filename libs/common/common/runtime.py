"""One service process: its HTTP API and its stream consumers, started and stopped together.

A service's ``bootstrap`` builds a ``Runtime`` (database, Redis, broker, relay, consumers) and
hands it to ``create_app``; uvicorn serves the app, whose lifespan starts the consumers and the
relay after the HTTP side is ready and stops them cleanly on shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from faststream.redis import RedisBroker
from redis.asyncio import Redis

from common.auth import TokenVerifier
from common.consumer import EntryHandler, StreamConsumer, ensure_group
from common.db import Database
from common.health import health_router
from common.messaging_tables import MessagingTables
from common.outbox import OutboxRelay
from common.settings import ServiceSettings

__all__ = ["Runtime", "Subscription", "build_runtime", "create_app"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Subscription:
    """A stream this service reads, the group it reads in, and what it does with entries."""

    stream: str
    handler: EntryHandler
    title: str
    description: str


@dataclass
class Runtime:
    service: str
    settings: ServiceSettings
    db: Database
    tables: MessagingTables
    redis: Redis
    broker: RedisBroker
    relay: OutboxRelay
    consumers: list[StreamConsumer] = field(default_factory=list)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def start(self) -> None:
        for consumer in self.consumers:
            await ensure_group(self.redis, consumer.stream, consumer.group)
        await self.broker.start()
        self._tasks.append(asyncio.create_task(self.relay.run(), name=f"{self.service}-relay"))

    async def stop(self) -> None:
        self.relay.stop()
        await self.broker.stop()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(task, timeout=5)
        self._tasks.clear()
        await self.redis.aclose()
        await self.db.dispose()

    async def ping_redis(self) -> None:
        await self.redis.ping()


def build_runtime(
    service: str,
    settings: ServiceSettings,
    tables: MessagingTables,
    subscriptions: Callable[[Database, OutboxRelay], Sequence[Subscription]],
    *,
    db: Database | None = None,
) -> Runtime:
    """Wire a service: nothing connects until ``Runtime.start``."""
    db = db or Database.connect(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
    redis = Redis.from_url(settings.redis_url)
    broker = RedisBroker(settings.redis_url, logger=logging.getLogger(f"{service}.broker"))
    relay = OutboxRelay(db, tables, redis, batch_size=settings.outbox_batch)
    # Stable across restarts, so a restarted process owns its earlier pending entries again.
    consumer_name = settings.consumer_name or f"{service}-{socket.gethostname()}"
    runtime = Runtime(service, settings, db, tables, redis, broker, relay)
    for sub in subscriptions(db, relay):
        consumer = StreamConsumer(
            redis=redis,
            stream=sub.stream,
            group=service,
            consumer=consumer_name,
            handler=sub.handler,
            max_deliveries=settings.max_deliveries,
            claim_idle_ms=settings.claim_idle_ms,
            read_batch=settings.read_batch,
            title=sub.title,
            description=sub.description,
        )
        consumer.attach(broker)
        runtime.consumers.append(consumer)
    return runtime


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{"where": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg", "")} for e in exc.errors()]
    return JSONResponse({"detail": "the request is not valid", "errors": errors}, status_code=422)


def create_app(
    runtime: Runtime,
    *,
    title: str,
    description: str,
    routers: Sequence[APIRouter],
    on_start: Callable[[], Awaitable[Any]] | None = None,
) -> FastAPI:
    """The FastAPI app of a service; its lifespan runs the consumers and the relay."""

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        if on_start is not None:
            await on_start()
        log.info("%s ready at %s", runtime.service, runtime.settings.public_base())
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(title=title, description=description, lifespan=lifespan)
    app.state.runtime = runtime
    app.state.token_verifier = TokenVerifier(runtime.settings.secret())
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.include_router(health_router({"database": runtime.db.ping, "redis": runtime.ping_redis}))
    for router in routers:
        app.include_router(router)
    return app
