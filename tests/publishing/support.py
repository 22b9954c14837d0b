"""What the publishing tests share: the service's event processor without Redis, the service wired
as it runs (``serving``), its units of work, and its own job kinds run by a worker (``jobs_running``)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

from fastapi import FastAPI
from pydantic import SecretStr

from common.consumer import EntryHandler
from common.db import Database
from common.jobs import JobWorker
from common.migrations import upgrade
from common.outages import Outages
from publishing.adapters.orm import messaging
from publishing.adapters.repository import PublishingStore
from publishing.bootstrap import bootstrap
from publishing.channels import channels_for
from publishing.config import MIGRATIONS, Settings
from publishing.entrypoints.consumers import subscriptions_for
from publishing.integration import to_integration
from publishing.service.editorial import Newsroom
from publishing.service.placing import PublishingUnitOfWork
from tests.conftest import TEST_SECRET
from tests.helpers import units_of_work
from tests.publishing.builders import BASE, SITE, organisation

__all__ = ["AUTO", "event_processor", "jobs_running", "serving", "uow_of"]

# An office that lets stories reach its own site without an editor: what most tests look at.
AUTO = frozenset({"web", "feeds"})


def uow_of(db: Database) -> Callable[[], PublishingUnitOfWork]:
    """The service's unit of work, without Redis: committed events stay in the outbox."""
    return units_of_work(db, "publishing", messaging, PublishingStore, to_integration)


def event_processor(db: Database, auto: frozenset[str] = AUTO) -> EntryHandler:
    """What the running service does with both its streams (one processor, one inbox; no Redis used)."""
    newsroom = Newsroom(channels_for(SITE), auto_approve=auto)
    handlers = {sub.handler for sub in subscriptions_for(newsroom, organisation())(uow_of(db))}
    [processor] = handlers
    return processor


@contextlib.asynccontextmanager
async def serving(db_url: str, redis_url: str, **settings: Any) -> AsyncIterator[FastAPI]:
    """Publishing wired by its own bootstrap on a migrated database; no periodic work runs (tests call
    the planners themselves)."""
    await asyncio.to_thread(upgrade, MIGRATIONS, db_url)
    quiet = {"rundown_seconds": 0, "leaflet_seconds": 0, "occasion_seconds": 0}
    app = bootstrap(
        Settings(
            database_url=db_url,
            redis_url=redis_url,
            auth_secret=SecretStr(TEST_SECRET),
            public_url=BASE,
            **(quiet | settings),
        )
    )
    try:
        yield app
    finally:
        await app.state.runtime.redis.aclose()
        await app.state.runtime.db.dispose()


@contextlib.asynccontextmanager
async def jobs_running(app: FastAPI) -> AsyncIterator[None]:
    """The service's own job kinds (placing, bulletins, rundowns, leaflets), run by a worker that
    looks often (jobs enqueued outside the runtime's unit of work do not wake it)."""
    runtime = app.state.runtime
    worker = JobWorker(runtime.db, messaging, runtime.worker.kinds, Outages("publishing"), poll_interval=0.05)
    task = asyncio.create_task(worker.run())
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
