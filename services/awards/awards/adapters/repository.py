"""Exemplars, decisions and their awards in the awards datastore, over one open connection."""

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

__all__ = ["AwardsStore"]

_EXEMPLAR_COLUMNS = [c.name for c in exemplars.columns]
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


def _award_row(award: Award) -> dict[str, Any]:
    row = {name: getattr(award, name) for name in _AWARD_COLUMNS}
    row["multiplier"] = str(award.multiplier)
    row["kind_factor"] = str(award.kind_factor)
    row["base_salary_vnd"] = int(award.base_salary_vnd)
    return row


def _to_decision(row: Any, its_awards: Sequence[Award]) -> Decision:
    data = {name: getattr(row, name) for name in _DECISION_COLUMNS}
    return Decision(**data, awards=tuple(its_awards))


class AwardsStore:
    """Loading and saving exemplars, decisions and their awards; allocating decision numbers."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def add_exemplars(self, new: Sequence[Exemplar]) -> None:
        """Record exemplars in one statement; recorded ones stay as they are."""
        if new:
            rows = [{name: getattr(exemplar, name) for name in _EXEMPLAR_COLUMNS} for exemplar in new]
            await self.connection.execute(insert_if_new(self.connection, exemplars), rows)

    async def load_exemplars(self, exemplar_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Exemplar]:
        """The recorded exemplars among ``exemplar_ids``, in one query."""
        if not exemplar_ids:
            return {}
        query = select(exemplars).where(exemplars.c.exemplar_id.in_(exemplar_ids))
        return {row.exemplar_id: _to_exemplar(row) for row in (await self.connection.execute(query)).all()}

    async def list_exemplars(self, *, unit_id: str | None, limit: int, offset: int) -> tuple[int, list[Exemplar]]:
        """How many there are, and one page of them, in order of approval."""
        conditions = [] if unit_id is None else [exemplars.c.unit_id == unit_id]
        total = await self.connection.execute(select(func.count()).select_from(exemplars).where(*conditions))
        query = (
            select(exemplars)
            .where(*conditions)
            .order_by(exemplars.c.approved_at, exemplars.c.exemplar_id)
            .limit(limit)
            .offset(offset)
        )
        return int(total.scalar_one()), [_to_exemplar(row) for row in (await self.connection.execute(query)).all()]

    async def add_decision(self, decision: Decision) -> None:
        """The decision's row, then all its awards in one executemany."""
        await self.connection.execute(decisions.insert(), {name: getattr(decision, name) for name in _DECISION_COLUMNS})
        await self.connection.execute(awards.insert(), [_award_row(award) for award in decision.awards])

    async def get_award(self, award_id: uuid.UUID) -> Award | None:
        row = (await self.connection.execute(select(awards).where(awards.c.award_id == award_id))).first()
        return _to_award(row) if row else None

    async def granted_numbers(self, exemplar_ids: Sequence[uuid.UUID], form: str) -> dict[uuid.UUID, str]:
        """Which of ``exemplar_ids`` already hold ``form``, and by which decision number, in one query."""
        if not exemplar_ids:
            return {}
        query = select(awards.c.exemplar_id, awards.c.decision_number).where(
            awards.c.form == form, awards.c.exemplar_id.in_(exemplar_ids)
        )
        return {row.exemplar_id: row.decision_number for row in (await self.connection.execute(query)).all()}

    async def awards_of(self, exemplar_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Award]]:
        found: dict[uuid.UUID, list[Award]] = {i: [] for i in exemplar_ids}
        if not exemplar_ids:
            return found
        query = select(awards).where(awards.c.exemplar_id.in_(exemplar_ids)).order_by(awards.c.signed_on)
        for row in (await self.connection.execute(query)).all():
            found[row.exemplar_id].append(_to_award(row))
        return found

    async def list_awards(self, *, year: int | None, limit: int, offset: int) -> tuple[int, list[Award]]:
        conditions = [] if year is None else [awards.c.decision_year == year]
        total = await self.connection.execute(select(func.count()).select_from(awards).where(*conditions))
        order = (awards.c.decision_year, awards.c.decision_seq, awards.c.award_id)
        query = select(awards).where(*conditions).order_by(*order).limit(limit).offset(offset)
        return int(total.scalar_one()), [_to_award(row) for row in (await self.connection.execute(query)).all()]

    async def _with_awards(self, rows: Sequence[Any]) -> list[Decision]:
        ids = [row.decision_id for row in rows]
        found: dict[uuid.UUID, list[Award]] = {i: [] for i in ids}
        if ids:
            query = (
                select(awards).where(awards.c.decision_id.in_(ids)).order_by(awards.c.recipient_name, awards.c.award_id)
            )
            for award_row in (await self.connection.execute(query)).all():
                found[award_row.decision_id].append(_to_award(award_row))
        return [_to_decision(row, found[row.decision_id]) for row in rows]

    async def get_decision(self, decision_id: uuid.UUID) -> Decision | None:
        row = (await self.connection.execute(select(decisions).where(decisions.c.decision_id == decision_id))).first()
        if row is None:
            return None
        [decision] = await self._with_awards([row])
        return decision

    async def list_decisions(self, *, year: int | None, limit: int, offset: int) -> tuple[int, list[Decision]]:
        conditions = [] if year is None else [decisions.c.year == year]
        total = await self.connection.execute(select(func.count()).select_from(decisions).where(*conditions))
        query = (
            select(decisions).where(*conditions).order_by(decisions.c.year, decisions.c.seq).limit(limit).offset(offset)
        )
        rows = (await self.connection.execute(query)).all()
        return int(total.scalar_one()), await self._with_awards(rows)

    async def next_decision_seq(self, year: int) -> int:
        """The next decision number of ``year``, taken in the caller's transaction.

        One upsert both creates the year's counter and increments it; on PostgreSQL the row stays
        locked until the transaction ends, so concurrent grants get consecutive, distinct numbers
        (and a rolled-back grant gives its number back).
        """
        dialect = postgresql if self.connection.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(decision_counters).values(year=year, last_seq=1)
        statement = statement.on_conflict_do_update(
            index_elements=[decision_counters.c.year],
            set_={"last_seq": decision_counters.c.last_seq + 1},
        ).returning(decision_counters.c.last_seq)
        return int((await self.connection.execute(statement)).scalar_one())
