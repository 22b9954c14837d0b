"""Review cases in the review datastore, over one open connection."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from common.db import insert_if_new
from common.events import Reason
from review.adapters.orm import reviews
from review.domain.model import ReviewCase, ReviewStatus

__all__ = ["ReviewStore"]

_CASE_COLUMNS = [c.name for c in reviews.columns]

# What a decision changes, built once and run for many cases at a time.
_DECIDED = ("status", "exemplar_id", "decided_by", "decided_at", "note", "reasons")
_SAVE_DECISION = (
    reviews.update()
    .where(reviews.c.nomination_id == bindparam("b_nomination_id"))
    .values({name: bindparam(f"b_{name}") for name in _DECIDED})
)


def _filters(
    *,
    unit_ids: Sequence[str] | None,
    person_id: uuid.UUID | None,
    quarter: str | None,
    field: str | None,
    kind: str | None,
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if person_id is not None:
        conditions.append(reviews.c.person_id == person_id)
    if unit_ids is not None:
        conditions.append(reviews.c.unit_id.in_(list(unit_ids)))
    if quarter is not None:
        conditions.append(reviews.c.quarter == quarter)
    if field is not None:
        conditions.append(reviews.c.field == field)
    if kind is not None:
        conditions.append(reviews.c.nominee_kind == kind)
    return conditions


_FLAG = (
    reviews.update()
    .where(reviews.c.nomination_id == bindparam("b_nomination_id"))
    .values(
        person_id=bindparam("b_person_id"),
        possible_person_ids=bindparam("b_possible_person_ids"),
        warnings=bindparam("b_warnings"),
    )
)


def _to_case(row: Any) -> ReviewCase:
    data = {name: getattr(row, name) for name in _CASE_COLUMNS}
    data["status"] = ReviewStatus(data["status"])
    data["reasons"] = [Reason.model_validate(r) for r in data["reasons"]]
    data["warnings"] = [Reason.model_validate(r) for r in data["warnings"]]
    data["possible_person_ids"] = [uuid.UUID(i) for i in data["possible_person_ids"]]
    return ReviewCase(**data)


def _to_row(case: ReviewCase) -> dict[str, Any]:
    row = {name: getattr(case, name) for name in _CASE_COLUMNS}
    row["status"] = case.status.value
    row["reasons"] = [r.model_dump() for r in case.reasons]
    row["warnings"] = [r.model_dump() for r in case.warnings]
    row["possible_person_ids"] = [str(i) for i in case.possible_person_ids]
    return row


class ReviewStore:
    """Loading and saving review cases."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def add_cases(self, cases: Sequence[ReviewCase]) -> None:
        """Open new cases in one statement; existing ones stay as they are."""
        if cases:
            await self.connection.execute(insert_if_new(self.connection, reviews), [_to_row(c) for c in cases])

    async def flag_cases(self, flags: Sequence[tuple[uuid.UUID, uuid.UUID, list[uuid.UUID], list[Reason]]]) -> None:
        """Attach what the registry knows to each case (nomination, person, possible persons, warnings)."""
        params = [
            {
                "b_nomination_id": nomination_id,
                "b_person_id": person_id,
                "b_possible_person_ids": [str(i) for i in possible],
                "b_warnings": [w.model_dump() for w in found],
            }
            for nomination_id, person_id, possible, found in flags
        ]
        if params:
            await self.connection.execute(_FLAG, params)

    async def get_cases(
        self, nomination_ids: Sequence[uuid.UUID], *, for_update: bool = False
    ) -> dict[uuid.UUID, ReviewCase]:
        query = select(reviews).where(reviews.c.nomination_id.in_(list(set(nomination_ids))))
        if for_update:
            query = query.with_for_update()
        return {row.nomination_id: _to_case(row) for row in (await self.connection.execute(query)).all()}

    async def save_decisions(self, cases: Sequence[ReviewCase]) -> None:
        """Store the decisions taken on these cases, in one statement."""
        if not cases:
            return
        rows = []
        for case in cases:
            row = _to_row(case)
            rows.append({"b_nomination_id": case.nomination_id} | {f"b_{name}": row[name] for name in _DECIDED})
        await self.connection.execute(_SAVE_DECISION, rows)

    async def list_cases(
        self,
        *,
        status: ReviewStatus | None,
        unit_ids: Sequence[str] | None,
        limit: int,
        offset: int,
        person_id: uuid.UUID | None = None,
        quarter: str | None = None,
        field: str | None = None,
        kind: str | None = None,
    ) -> tuple[int, list[ReviewCase]]:
        """The total matching the filters, and one page of them, oldest first; ``unit_ids`` narrows
        them to those units (a unit and its predecessors)."""
        conditions = _filters(unit_ids=unit_ids, person_id=person_id, quarter=quarter, field=field, kind=kind)
        if status is not None:
            conditions.append(reviews.c.status == status.value)
        total = await self.connection.execute(select(func.count()).select_from(reviews).where(*conditions))
        query = (
            select(reviews)
            .where(*conditions)
            .order_by(reviews.c.received_at, reviews.c.nomination_id)
            .limit(limit)
            .offset(offset)
        )
        return int(total.scalar_one()), [_to_case(row) for row in (await self.connection.execute(query)).all()]

    async def counts_by_status(
        self,
        *,
        unit_ids: Sequence[str] | None = None,
        quarter: str | None = None,
        field: str | None = None,
        kind: str | None = None,
    ) -> dict[str, int]:
        """How many cases of each status the other filters leave (one query)."""
        conditions = _filters(unit_ids=unit_ids, person_id=None, quarter=quarter, field=field, kind=kind)
        query = select(reviews.c.status, func.count()).where(*conditions).group_by(reviews.c.status)
        return {str(status): int(count) for status, count in (await self.connection.execute(query)).all()}
