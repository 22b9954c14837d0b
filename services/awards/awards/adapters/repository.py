"""Loading and saving exemplars and awards; allocating decision numbers."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from awards.adapters.orm import awards, decision_counters, exemplars
from awards.domain.model import Award, Exemplar

__all__ = [
    "add_award",
    "add_exemplar",
    "awards_of",
    "count_awards",
    "count_exemplars",
    "find_award",
    "get_award",
    "get_exemplar",
    "list_awards",
    "list_exemplars",
    "next_decision_seq",
]

_EXEMPLAR_COLUMNS = [c.name for c in exemplars.columns if c.name != "correlation_id"]
_AWARD_COLUMNS = [c.name for c in awards.columns]


def _to_exemplar(row: Any) -> Exemplar:
    data = {name: getattr(row, name) for name in _EXEMPLAR_COLUMNS}
    return Exemplar(**data)


def _to_award(row: Any) -> Award:
    data = {name: getattr(row, name) for name in _AWARD_COLUMNS}
    data["multiplier"] = Decimal(data["multiplier"])
    data["kind_factor"] = Decimal(data["kind_factor"])
    data["base_salary_vnd"] = Decimal(data["base_salary_vnd"])
    return Award(**data)


async def add_exemplar(session: AsyncConnection, exemplar: Exemplar, correlation_id: uuid.UUID) -> None:
    row = {name: getattr(exemplar, name) for name in _EXEMPLAR_COLUMNS}
    await session.execute(exemplars.insert(), {**row, "correlation_id": correlation_id})


async def get_exemplar(session: AsyncConnection, exemplar_id: uuid.UUID) -> tuple[Exemplar, uuid.UUID] | None:
    row = (await session.execute(select(exemplars).where(exemplars.c.exemplar_id == exemplar_id))).first()
    return (_to_exemplar(row), row.correlation_id) if row else None


async def list_exemplars(session: AsyncConnection, *, unit_id: str | None, limit: int, offset: int) -> list[Exemplar]:
    query = select(exemplars).order_by(exemplars.c.approved_at, exemplars.c.exemplar_id).limit(limit).offset(offset)
    if unit_id is not None:
        query = query.where(exemplars.c.unit_id == unit_id)
    return [_to_exemplar(row) for row in (await session.execute(query)).all()]


async def count_exemplars(session: AsyncConnection, *, unit_id: str | None) -> int:
    query = select(func.count()).select_from(exemplars)
    if unit_id is not None:
        query = query.where(exemplars.c.unit_id == unit_id)
    return int((await session.execute(query)).scalar_one())


async def add_award(session: AsyncConnection, award: Award) -> None:
    row = {name: getattr(award, name) for name in _AWARD_COLUMNS}
    row["multiplier"] = str(award.multiplier)
    row["kind_factor"] = str(award.kind_factor)
    row["base_salary_vnd"] = int(award.base_salary_vnd)
    await session.execute(awards.insert(), row)


async def get_award(session: AsyncConnection, award_id: uuid.UUID) -> Award | None:
    row = (await session.execute(select(awards).where(awards.c.award_id == award_id))).first()
    return _to_award(row) if row else None


async def find_award(session: AsyncConnection, exemplar_id: uuid.UUID, form: str) -> Award | None:
    query = select(awards).where(awards.c.exemplar_id == exemplar_id, awards.c.form == form)
    row = (await session.execute(query)).first()
    return _to_award(row) if row else None


async def awards_of(session: AsyncConnection, exemplar_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Award]]:
    found: dict[uuid.UUID, list[Award]] = {i: [] for i in exemplar_ids}
    if not exemplar_ids:
        return found
    query = select(awards).where(awards.c.exemplar_id.in_(exemplar_ids)).order_by(awards.c.signed_on)
    for row in (await session.execute(query)).all():
        found[row.exemplar_id].append(_to_award(row))
    return found


async def list_awards(session: AsyncConnection, *, year: int | None, limit: int, offset: int) -> list[Award]:
    query = select(awards).order_by(awards.c.decision_year, awards.c.decision_seq).limit(limit).offset(offset)
    if year is not None:
        query = query.where(awards.c.decision_year == year)
    return [_to_award(row) for row in (await session.execute(query)).all()]


async def count_awards(session: AsyncConnection, *, year: int | None) -> int:
    query = select(func.count()).select_from(awards)
    if year is not None:
        query = query.where(awards.c.decision_year == year)
    return int((await session.execute(query)).scalar_one())


async def next_decision_seq(session: AsyncConnection, year: int) -> int:
    """The next decision number of ``year``, taken in the caller's transaction.

    One upsert both creates the year's counter and increments it; on PostgreSQL the row stays
    locked until the transaction ends, so concurrent grants get consecutive, distinct numbers
    (and a rolled-back grant gives its number back).
    """
    dialect = postgresql if session.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(decision_counters).values(year=year, last_seq=1)
    statement = statement.on_conflict_do_update(
        index_elements=[decision_counters.c.year],
        set_={"last_seq": decision_counters.c.last_seq + 1},
    ).returning(decision_counters.c.last_seq)
    return int((await session.execute(statement)).scalar_one())
