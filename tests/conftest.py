"""Fixtures every test level shares: real Redis, real SQLite and PostgreSQL databases."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import redis
from redis.asyncio import Redis as AsyncRedis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.servers import postgres_server, redis_server

TEST_SECRET = "test-secret-" + "x" * 40
REDIS_TEST_DB = 11


@pytest.fixture(scope="session")
def redis_base() -> Iterator[str]:
    with redis_server() as url:
        yield url


@pytest.fixture
def redis_url(redis_base: str) -> str:
    """An empty Redis database for this test."""
    url = f"{redis_base}/{REDIS_TEST_DB}"
    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()
    return url


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[AsyncRedis]:
    client = AsyncRedis.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    with postgres_server() as url:
        yield url


def _fresh_postgres(admin_url: str) -> tuple[str, str]:
    name = f"t_{uuid.uuid4().hex[:16]}"
    engine = create_engine(make_url(admin_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(admin_url).set(drivername="postgresql", database=name).render_as_string(False), name


def _drop_postgres(admin_url: str, name: str) -> None:
    engine = create_engine(make_url(admin_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


class DatabaseFactory:
    """Makes empty databases of one kind for a test, and removes them afterwards."""

    def __init__(self, kind: str, tmp_path: Path, admin_url: str | None) -> None:
        self.kind = kind
        self._tmp = tmp_path
        self._admin = admin_url
        self._made: list[str] = []

    def new(self, label: str = "db") -> str:
        if self.kind == "sqlite":
            return f"sqlite:///{self._tmp / f'{label}-{uuid.uuid4().hex[:8]}.db'}"
        assert self._admin is not None
        url, name = _fresh_postgres(self._admin)
        self._made.append(name)
        return url

    def cleanup(self) -> None:
        for name in self._made:
            _drop_postgres(self._admin or "", name)


@pytest.fixture(params=["sqlite", "postgresql"])
def databases(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DatabaseFactory]:
    """Empty databases on SQLite and, in a second run of the test, on PostgreSQL."""
    admin = request.getfixturevalue("postgres_admin_url") if request.param == "postgresql" else None
    factory = DatabaseFactory(request.param, tmp_path, admin)
    yield factory
    factory.cleanup()


@pytest.fixture
def db_url(databases: DatabaseFactory) -> str:
    """One empty database (SQLite, then PostgreSQL)."""
    return databases.new()
