"""Fixtures of the awards tests: the app on a migrated database, and an HTTP client for it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from awards.bootstrap import bootstrap
from awards.config import MIGRATIONS, Settings
from common.migrations import upgrade
from tests.conftest import TEST_SECRET


@pytest.fixture
async def app(db_url: str, redis_url: str) -> AsyncIterator[FastAPI]:
    """The awards app on a migrated database, with its lifespan (consumers, relay) running."""
    upgrade(MIGRATIONS, db_url)
    application = bootstrap(Settings(database_url=db_url, redis_url=redis_url, auth_secret=SecretStr(TEST_SECRET)))
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://awards") as http:
        yield http
