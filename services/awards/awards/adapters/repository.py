"""Exemplars, decisions and their awards in the awards datastore, over one open connection."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from awards.adapters.orm import awards, decision_registers, decisions, exemplars, recorded_titles, rule_amendments
from awards.domain.history import Held
from awards.domain.model import Award, Decision, Exemplar, Registered
from awards.domain.rewards import Amendment, AmendmentKind
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

    async def list_exemplars(
        self, *, unit_ids: Sequence[str] | None, limit: int, offset: int, person_id: uuid.UUID | None = None
    ) -> tuple[int, list[Exemplar]]:
        """How many there are, and one page of them, in order of approval; ``unit_ids`` narrows them to
        those units (a unit and its predecessors)."""
        conditions: list[ColumnElement[bool]] = []
        if unit_ids is not None:
            conditions.append(exemplars.c.unit_id.in_(list(unit_ids)))
        if person_id is not None:
            conditions.append(exemplars.c.person_id == person_id)
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

    async def titles_of(self, person_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, list[Held]]:
        """What each nominee holds: the awards issued here to any exemplar of theirs, and the titles
        recorded as given elsewhere, oldest first (two queries)."""
        found: dict[uuid.UUID, list[Held]] = {p: [] for p in person_ids}
        if not person_ids:
            return found
        people = sorted(person_ids)
        issued = (
            select(
                exemplars.c.person_id,
                exemplars.c.quarter,
                awards.c.form,
                awards.c.form_name,
                awards.c.decision_number,
                awards.c.signed_on,
                decisions.c.authority_name,
            )
            .join(awards, awards.c.exemplar_id == exemplars.c.exemplar_id)
            .join(decisions, decisions.c.decision_id == awards.c.decision_id)
            .where(exemplars.c.person_id.in_(people))
            .order_by(awards.c.granted_at, awards.c.award_id)
        )
        for row in await self.connection.execute(issued):
            held = Held(
                row.person_id,
                row.form,
                row.form_name,
                int(row.quarter[:4]),
                row.decision_number,
                row.signed_on,
                row.authority_name,
                recorded=False,
            )
            found[row.person_id].append(held)
        recorded = (
            select(recorded_titles)
            .where(recorded_titles.c.person_id.in_(people))
            .order_by(recorded_titles.c.recorded_at)
        )
        for row in await self.connection.execute(recorded):
            held = Held(
                row.person_id,
                row.form,
                row.form_name,
                row.year,
                row.decision_number,
                row.signed_on,
                row.authority_name,
                recorded=True,
                title_id=row.title_id,
            )
            found[row.person_id].append(held)
        for history in found.values():
            history.sort(key=lambda h: (h.year, h.signed_on))  # stable: issued in order, then recorded
        return found

    async def lock_people(self, person_ids: Collection[uuid.UUID]) -> None:
        """Hold these nominees' histories until the commit (PostgreSQL; SQLite writes one at a time):
        two decisions at once could otherwise each find a yearly title free and both grant it."""
        if self.connection.dialect.name != "postgresql":
            return
        for person_id in sorted(person_ids):  # always in one order: two transactions never wait on each other
            await self.connection.execute(
                text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": f"person:{person_id}"}
            )

    async def kind_of(self, person_id: uuid.UUID) -> str | None:
        """The kind of recipient a nominee is (individual, collective, household), if an exemplar of theirs is here."""
        query = select(exemplars.c.nominee_kind).where(exemplars.c.person_id == person_id).limit(1)
        return (await self.connection.execute(query)).scalar_one_or_none()

    async def add_recorded_title(self, held: Held, *, recorded_by: str, recorded_at: datetime) -> None:
        """A title given elsewhere; the same decision recorded twice for a nominee fails on the key."""
        await self.connection.execute(
            recorded_titles.insert().values(
                title_id=held.title_id,
                person_id=held.person_id,
                form=held.form,
                form_name=held.form_name,
                year=held.year,
                decision_number=held.decision_number,
                signed_on=held.signed_on,
                authority_name=held.authority_name,
                recorded_by=recorded_by,
                recorded_at=recorded_at,
            )
        )

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

    async def list_decisions(
        self, *, year: int | None, authority_id: str | None = None, limit: int, offset: int
    ) -> tuple[int, list[Decision]]:
        conditions = [] if year is None else [decisions.c.year == year]
        if authority_id is not None:
            conditions.append(decisions.c.authority_id == authority_id)
        total = await self.connection.execute(select(func.count()).select_from(decisions).where(*conditions))
        query = (
            select(decisions)
            .where(*conditions)
            .order_by(decisions.c.year, decisions.c.authority_id, decisions.c.seq)
            .limit(limit)
            .offset(offset)
        )
        rows = (await self.connection.execute(query)).all()
        return int(total.scalar_one()), await self._with_awards(rows)

    async def next_decision_seq(self, authority_id: str, year: int) -> int:
        """The next number of an authority's register for ``year``, taken in the caller's transaction.

        One upsert both creates the register's year and increments it; on PostgreSQL the row stays
        locked until the transaction ends, so concurrent grants get consecutive, distinct numbers
        (and a rolled-back grant gives its number back).
        """
        dialect = postgresql if self.connection.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(decision_registers).values(authority_id=authority_id, year=year, last_seq=1)
        statement = statement.on_conflict_do_update(
            index_elements=[decision_registers.c.authority_id, decision_registers.c.year],
            set_={"last_seq": decision_registers.c.last_seq + 1},
        ).returning(decision_registers.c.last_seq)
        return int((await self.connection.execute(statement)).scalar_one())

    async def neighbours(self, authority_id: str, year: int, seq: int) -> tuple[Registered | None, Registered | None]:
        """The numbers just before and just after ``seq`` in a register, with their dates."""
        columns = (decisions.c.seq, decisions.c.number, decisions.c.signed_on)
        in_register = (decisions.c.authority_id == authority_id, decisions.c.year == year)
        before = select(*columns).where(*in_register, decisions.c.seq < seq).order_by(decisions.c.seq.desc()).limit(1)
        after = select(*columns).where(*in_register, decisions.c.seq > seq).order_by(decisions.c.seq).limit(1)
        found = []
        for query in (before, after):
            row = (await self.connection.execute(query)).first()
            found.append(Registered(seq=row.seq, number=row.number, signed_on=row.signed_on) if row else None)
        return found[0], found[1]

    async def number_in_register(self, authority_id: str, year: int, seq: int) -> str | None:
        """The number ``seq`` of a register if a decision already has it."""
        query = select(decisions.c.number).where(
            decisions.c.authority_id == authority_id, decisions.c.year == year, decisions.c.seq == seq
        )
        return (await self.connection.execute(query)).scalar_one_or_none()

    async def amendments(self) -> list[Amendment]:
        """The operator's additions to the rules, in the order they were recorded."""
        query = select(rule_amendments).order_by(rule_amendments.c.amendment_id)
        return [
            Amendment(
                kind=AmendmentKind(row.kind),
                value=Decimal(row.value),
                effective_from=row.effective_from,
                source=row.source,
                recorded_by=row.recorded_by,
                recorded_at=row.recorded_at,
                form=row.form,
                grantor=row.grantor,
                recipient_kind=row.recipient_kind,
                verify=row.verify,
                amendment_id=row.amendment_id,
            )
            for row in (await self.connection.execute(query)).all()
        ]

    async def add_amendment(self, amendment: Amendment) -> int:
        row = {
            "kind": amendment.kind.value,
            "value": str(amendment.value),
            "effective_from": amendment.effective_from,
            "form": amendment.form,
            "grantor": amendment.grantor,
            "recipient_kind": amendment.recipient_kind,
            "source": amendment.source,
            "verify": amendment.verify,
            "recorded_by": amendment.recorded_by,
            "recorded_at": amendment.recorded_at,
        }
        result = await self.connection.execute(rule_amendments.insert().returning(rule_amendments.c.amendment_id), row)
        return int(result.scalar_one())

    async def lock_amendments(self) -> None:
        """Serialise amendments (PostgreSQL): two at once could each pass the check alone."""
        if self.connection.dialect.name == "postgresql":
            await self.connection.execute(text("LOCK TABLE rule_amendments IN SHARE ROW EXCLUSIVE MODE"))

    async def signed_since(self, day: date) -> int:
        """How many decisions are dated on or after ``day`` (already priced by the rules then)."""
        query = select(func.count()).select_from(decisions).where(decisions.c.signed_on >= day)
        return int((await self.connection.execute(query)).scalar_one())
