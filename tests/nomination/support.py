"""The nomination service running in the test's own process, as a context manager."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI
from pydantic import SecretStr

from nomination.bootstrap import bootstrap
from nomination.config import Settings
from tests.conftest import TEST_SECRET


@contextlib.asynccontextmanager
async def running_nomination(db_url: str, redis_url: str, state: Path) -> AsyncIterator[FastAPI]:
    """The service on a migrated database with its consumers running; deliveries retried quickly."""
    settings = Settings(
        database_url=db_url,
        redis_url=redis_url,
        auth_secret=SecretStr(TEST_SECRET),
        organisation_file=state / "organisation.toml",
        claim_idle_ms=500,
        max_deliveries=3,
    )
    app = bootstrap(settings)
    async with app.router.lifespan_context(app):
        yield app
