"""The nomination service running in the test's own process, as a context manager."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI
from pydantic import SecretStr

from exemplars_tools.state import StateFolder
from nomination.bootstrap import bootstrap
from nomination.config import Settings
from tests.conftest import TEST_SECRET


@contextlib.asynccontextmanager
async def running_nomination(
    db_url: str, redis_url: str, state: Path, *, redis_user: str = ""
) -> AsyncIterator[FastAPI]:
    """The service on a migrated database with its consumers running; deliveries retried quickly.

    ``redis_user``: connect as that user, with its password from the state folder.
    """
    folder = StateFolder(state)
    settings = Settings(
        database_url=db_url,
        redis_url=redis_url,
        redis_username=redis_user,
        redis_password_file=folder.redis_password(redis_user) if redis_user else None,
        auth_secret=SecretStr(TEST_SECRET),
        organisation_file=folder.organisation,
        claim_idle_ms=500,
        max_deliveries=3,
    )
    app = bootstrap(settings)
    async with app.router.lifespan_context(app):
        yield app
