"""Fixtures of the publishing tests: a migrated database, the app with its lifespan not started, a client."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from common.db import Database
from common.migrations import upgrade
from common.runtime import Runtime
from publishing.adapters.repository import PublishingStore
from publishing.bootstrap import bootstrap
from publishing.config import MIGRATIONS, Settings
from publishing.domain.model import StoryEvent
from tests.conftest import TEST_SECRET
from tests.helpers import migrated_database
from tests.publishing.builders import BASE
from tests.publishing.support import AUTO


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    async with migrated_database(MIGRATIONS, db_url) as database:
        yield database


@pytest.fixture
async def app(db_url: str, redis_url: str) -> AsyncIterator[FastAPI]:
    """Publishing for an office that lets stories reach its own site without an editor; two stories a page."""
    await asyncio.to_thread(upgrade, MIGRATIONS, db_url)
    settings = Settings(
        database_url=db_url,
        redis_url=redis_url,
        auth_secret=SecretStr(TEST_SECRET),
        public_url=BASE,
        page_size=2,
        claim_idle_ms=500,
        auto_approve=AUTO,
    )
    application = bootstrap(settings)
    yield application
    runtime: Runtime[PublishingStore, StoryEvent] = application.state.runtime
    await runtime.redis.aclose()
    await runtime.db.dispose()


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://publishing") as http:
        yield http
