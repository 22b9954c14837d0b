"""Database access shared by the services: engines for SQLite or PostgreSQL, and sessions.

SQLite is the default datastore of a local run. It allows one writer at a time, so write
transactions start with ``BEGIN IMMEDIATE`` (they wait for the lock instead of failing half-way)
and reads go through a second engine that never takes the write lock.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Insert, Integer, Table, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.types import TypeDecorator

__all__ = ["Database", "IdColumn", "UtcDateTime", "async_url", "insert_if_new", "sync_url"]

# An autoincrementing key that is BIGINT on PostgreSQL and the rowid alias on SQLite.
IdColumn = BigInteger().with_variant(Integer(), "sqlite")


class UtcDateTime(TypeDecorator[datetime]):
    """A moment in time, stored as UTC and read back timezone-aware, also on SQLite (which keeps
    no offset). A naive datetime is refused rather than guessed."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"a naive datetime cannot be stored: {value!r}")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def insert_if_new(connection: AsyncConnection, table: Table) -> Insert:
    """An INSERT that does nothing when the row's key exists; its rowcount says which happened."""
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()


def async_url(url: str) -> str:
    """The same database URL with the async driver the services use."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite").render_as_string(hide_password=False)
    if parsed.get_backend_name() == "postgresql":
        return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    raise ValueError(f"unsupported database {parsed.get_backend_name()!r}: use sqlite or postgresql")


def sync_url(url: str) -> str:
    """The same database URL with a blocking driver, for migrations."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return parsed.set(drivername="sqlite").render_as_string(hide_password=False)
    if parsed.get_backend_name() == "postgresql":
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    raise ValueError(f"unsupported database {parsed.get_backend_name()!r}: use sqlite or postgresql")


def _sqlite_pragmas(dbapi_connection: Any, synchronous: str) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute(f"PRAGMA synchronous={synchronous}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _make_sqlite_engine(url: str, *, immediate: bool, synchronous: str) -> AsyncEngine:
    engine = create_async_engine(url, pool_size=4, max_overflow=4)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy decide where transactions begin, not the sqlite3 module.
        dbapi_connection.isolation_level = None
        _sqlite_pragmas(dbapi_connection, synchronous)

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


@dataclass
class Database:
    """The engines and session factories of one service's datastore."""

    url: str
    writer_engine: AsyncEngine
    reader_engine: AsyncEngine
    _write_lock: asyncio.Lock | None = None

    def __post_init__(self) -> None:
        if self.writer_engine.dialect.name == "sqlite":
            self._write_lock = asyncio.Lock()

    @classmethod
    def connect(cls, url: str, *, sqlite_synchronous: str = "FULL", pool_size: int = 10) -> Database:
        """Create engines for ``url``; nothing touches the database until first use."""
        aurl = async_url(url)
        if make_url(aurl).get_backend_name() == "sqlite":
            writer = _make_sqlite_engine(aurl, immediate=True, synchronous=sqlite_synchronous)
            reader = _make_sqlite_engine(aurl, immediate=False, synchronous=sqlite_synchronous)
        else:
            writer = create_async_engine(aurl, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)
            reader = writer
        return cls(url=aurl, writer_engine=writer, reader_engine=reader)

    @property
    def is_sqlite(self) -> bool:
        return self.writer_engine.dialect.name == "sqlite"

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        """A write transaction: committed when the block ends, rolled back on error."""
        if self._write_lock is None:
            async with self.writer_engine.begin() as connection:
                yield connection
            return
        # SQLite has one writer at a time. Writers of this process queue here, in order, instead
        # of polling the file lock in SQLite's busy handler, which sleeps up to 100 ms a try.
        async with self._write_lock, self.writer_engine.begin() as connection:
            yield connection

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        """A read-only session that never holds the SQLite write lock."""
        async with self.reader_engine.connect() as connection:
            yield connection

    async def ping(self) -> None:
        """Raise unless the database answers."""
        async with self.reader_engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.writer_engine.dispose()
        if self.reader_engine is not self.writer_engine:
            await self.reader_engine.dispose()
