"""Loading and saving exemplars, decisions and their awards; allocating decision numbers."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from awards.adapters.orm import awards, decision_counters, decisions, exemplars
from awards.domain.model import Award, Decision, Exemplar
from common.db import insert_if_new

__all__ = [
    "add_decision",
    "add_exemplars",
    "awards_of",
    "count_awards",
    "count_decisions",
    "count_exemplars",
    "get_award",
    "get_decision",
    "get_exemplar",
    "granted_numbers",
    "list_awards",
    "list_decisions",
    "list_exemplars",
    "load_exemplars",
    "next_decision_seq",
]

_EXEMPLAR_COLUMNS = [c.name for c in exemplars.columns if c.name != "correlation_id"]
_AWARD_COLUMNS = [c.name for c in awards.columns]
_DECISION_COLUMNS = [c.name for c in decisions.columns]


def _to_exemplar(row: Any) -> Exemplar:
    data = {name: getattr(row, name) for name in _EXEMPLAR_COLUMNS}
    return Exemplar(**data)


def _to_award(row: Any) -> Award:
    data = {name: getattr(row, name) for name in _AWARD_COLUMNS}
    data["multiplier"] = Decimal(data["multiplier"])
    data["kind_factor"] = Decimal(data["kind_factor"])
    data["base_salary_vnd"] = Decimal(data["base_salary_vnd"])
    return Award(**data)


async def add_exemplars(session: AsyncConnection, new: Sequence[tuple[Exemplar, uuid.UUID]]) -> None:
    """Record exemplars (each with its correlation id) in one statement; recorded ones stay as they are."""
    if new:
        rows = [
            {**{name: getattr(exemplar, name) for name in _EXEMPLAR_COLUMNS}, "correlation_id": correlation_id}
            for exemplar, correlation_id in new
        ]
        await session.execute(insert_if_new(session, exemplars), rows)


async def load_exemplars(
    session: AsyncConnection, exemplar_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, tuple[Exemplar, uuid.UUID]]:
    """The recorded exemplars among ``exemplar_ids``, with their correlation ids, in one query."""
    if not exemplar_ids:
        return {}
    query = select(exemplars).where(exemplars.c.exemplar_id.in_(exemplar_ids))
    return {row.exemplar_id: (_to_exemplar(row), row.correlation_id) for row in (await session.execute(query)).all()}


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


def _award_row(award: Award) -> dict[str, Any]:
    row = {name: getattr(award, name) for name in _AWARD_COLUMNS}
    row["multiplier"] = str(award.multiplier)
    row["kind_factor"] = str(award.kind_factor)
    row["base_salary_vnd"] = int(award.base_salary_vnd)
    return row


async def add_decision(session: AsyncConnection, decision: Decision) -> None:
    """The decision's row, then all its awards in one executemany."""
    await session.execute(decisions.insert(), {name: getattr(decision, name) for name in _DECISION_COLUMNS})
    await session.execute(awards.insert(), [_award_row(award) for award in decision.awards])


async def get_award(session: AsyncConnection, award_id: uuid.UUID) -> Award | None:
    row = (await session.execute(select(awards).where(awards.c.award_id == award_id))).first()
    return _to_award(row) if row else None


async def granted_numbers(
    session: AsyncConnection, exemplar_ids: Sequence[uuid.UUID], form: str
) -> dict[uuid.UUID, str]:
    """Which of ``exemplar_ids`` already hold ``form``, and by which decision number, in one query."""
    if not exemplar_ids:
        return {}
    query = select(awards.c.exemplar_id, awards.c.decision_number).where(
        awards.c.form == form, awards.c.exemplar_id.in_(exemplar_ids)
    )
    return {row.exemplar_id: row.decision_number for row in (await session.execute(query)).all()}


async def awards_of(session: AsyncConnection, exemplar_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Award]]:
    found: dict[uuid.UUID, list[Award]] = {i: [] for i in exemplar_ids}
    if not exemplar_ids:
        return found
    query = select(awards).where(awards.c.exemplar_id.in_(exemplar_ids)).order_by(awards.c.signed_on)
    for row in (await session.execute(query)).all():
        found[row.exemplar_id].append(_to_award(row))
    return found


async def list_awards(session: AsyncConnection, *, year: int | None, limit: int, offset: int) -> list[Award]:
    order = (awards.c.decision_year, awards.c.decision_seq, awards.c.award_id)
    query = select(awards).order_by(*order).limit(limit).offset(offset)
    if year is not None:
        query = query.where(awards.c.decision_year == year)
    return [_to_award(row) for row in (await session.execute(query)).all()]


async def count_awards(session: AsyncConnection, *, year: int | None) -> int:
    query = select(func.count()).select_from(awards)
    if year is not None:
        query = query.where(awards.c.decision_year == year)
    return int((await session.execute(query)).scalar_one())


def _to_decision(row: Any, its_awards: Sequence[Award]) -> Decision:
    data = {name: getattr(row, name) for name in _DECISION_COLUMNS}
    return Decision(**data, awards=tuple(its_awards))


async def _with_awards(session: AsyncConnection, rows: Sequence[Any]) -> list[Decision]:
    ids = [row.decision_id for row in rows]
    found: dict[uuid.UUID, list[Award]] = {i: [] for i in ids}
    if ids:
        query = select(awards).where(awards.c.decision_id.in_(ids)).order_by(awards.c.recipient_name, awards.c.award_id)
        for award_row in (await session.execute(query)).all():
            found[award_row.decision_id].append(_to_award(award_row))
    return [_to_decision(row, found[row.decision_id]) for row in rows]


async def get_decision(session: AsyncConnection, decision_id: uuid.UUID) -> Decision | None:
    row = (await session.execute(select(decisions).where(decisions.c.decision_id == decision_id))).first()
    if row is None:
        return None
    [decision] = await _with_awards(session, [row])
    return decision


async def list_decisions(session: AsyncConnection, *, year: int | None, limit: int, offset: int) -> list[Decision]:
    query = select(decisions).order_by(decisions.c.year, decisions.c.seq).limit(limit).offset(offset)
    if year is not None:
        query = query.where(decisions.c.year == year)
    return await _with_awards(session, (await session.execute(query)).all())


async def count_decisions(session: AsyncConnection, *, year: int | None) -> int:
    query = select(func.count()).select_from(decisions)
    if year is not None:
        query = query.where(decisions.c.year == year)
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
