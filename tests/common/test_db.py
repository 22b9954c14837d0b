"""Timestamps keep their moment on both databases, and naive ones are refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, select
from sqlalchemy.exc import StatementError

from common.db import Database, UtcDateTime
from tests.helpers import database_with

metadata = MetaData()
moments = Table("moments", metadata, Column("id", Integer, primary_key=True), Column("at", UtcDateTime()))


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    async with database_with(metadata, db_url) as database:
        yield database


async def test_moment_round_trips_as_aware_utc(db: Database) -> None:
    hanoi = timezone(timedelta(hours=7))
    written = datetime(2026, 6, 11, 7, 30, tzinfo=hanoi)
    async with db.transaction() as session:
        await session.execute(moments.insert().values(id=1, at=written))
    async with db.read() as session:
        read = (await session.execute(select(moments.c.at))).scalar_one()
    assert read == written
    assert read.tzinfo is not None and read.utcoffset() == timedelta(0)
    assert read == datetime(2026, 6, 11, 0, 30, tzinfo=UTC)


async def test_naive_moment_is_refused(db: Database) -> None:
    with pytest.raises(StatementError, match="naive"):
        async with db.transaction() as session:
            await session.execute(moments.insert().values(id=2, at=datetime(2026, 6, 11, 7, 30)))
