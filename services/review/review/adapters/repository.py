"""Loading and saving review cases."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from common.db import insert_if_new
from common.events import Reason
from review.adapters.orm import reviews
from review.domain.model import ReviewCase, ReviewStatus

__all__ = ["add_many", "count", "get", "get_many", "list_cases", "save"]

_CASE_COLUMNS = [c.name for c in reviews.columns if c.name not in {"correlation_id"}]


def _to_case(row: Any) -> ReviewCase:
    data = {name: getattr(row, name) for name in _CASE_COLUMNS}
    data["status"] = ReviewStatus(data["status"])
    data["reasons"] = [Reason.model_validate(r) for r in data["reasons"]]
    return ReviewCase(**data)


def _to_row(case: ReviewCase) -> dict[str, Any]:
    row = {name: getattr(case, name) for name in _CASE_COLUMNS}
    row["status"] = case.status.value
    row["reasons"] = [r.model_dump() for r in case.reasons]
    return row


async def add_many(session: AsyncConnection, cases: Sequence[tuple[ReviewCase, uuid.UUID]]) -> None:
    """Open new cases (each with its correlation id) in one statement; existing ones stay as they are."""
    if cases:
        rows = [{**_to_row(case), "correlation_id": correlation_id} for case, correlation_id in cases]
        await session.execute(insert_if_new(session, reviews), rows)


async def get(
    session: AsyncConnection, nomination_id: uuid.UUID, *, for_update: bool = False
) -> tuple[ReviewCase, uuid.UUID] | None:
    query = select(reviews).where(reviews.c.nomination_id == nomination_id)
    if for_update:
        query = query.with_for_update()
    row = (await session.execute(query)).first()
    return (_to_case(row), row.correlation_id) if row else None


async def get_many(
    session: AsyncConnection, nomination_ids: Sequence[uuid.UUID], *, for_update: bool = False
) -> dict[uuid.UUID, tuple[ReviewCase, uuid.UUID]]:
    query = select(reviews).where(reviews.c.nomination_id.in_(list(set(nomination_ids))))
    if for_update:
        query = query.with_for_update()
    return {row.nomination_id: (_to_case(row), row.correlation_id) for row in (await session.execute(query)).all()}


# What a decision changes, built once and run for many cases at a time.
_DECIDED = ("status", "exemplar_id", "decided_by", "decided_at", "note", "reasons")
_SAVE_DECISION = (
    reviews.update()
    .where(reviews.c.nomination_id == bindparam("b_nomination_id"))
    .values({name: bindparam(f"b_{name}") for name in _DECIDED})
)


async def save(session: AsyncConnection, *cases: ReviewCase) -> None:
    """Store the decisions taken on these cases."""
    if not cases:
        return
    rows = []
    for case in cases:
        row = _to_row(case)
        rows.append({"b_nomination_id": case.nomination_id} | {f"b_{name}": row[name] for name in _DECIDED})
    await session.execute(_SAVE_DECISION, rows)


async def list_cases(
    session: AsyncConnection, *, status: ReviewStatus | None, unit_id: str | None, limit: int, offset: int
) -> list[ReviewCase]:
    query = select(reviews).order_by(reviews.c.received_at, reviews.c.nomination_id).limit(limit).offset(offset)
    if status is not None:
        query = query.where(reviews.c.status == status.value)
    if unit_id is not None:
        query = query.where(reviews.c.unit_id == unit_id)
    return [_to_case(row) for row in (await session.execute(query)).all()]


async def count(session: AsyncConnection, *, status: ReviewStatus | None) -> int:
    query = select(func.count()).select_from(reviews)
    if status is not None:
        query = query.where(reviews.c.status == status.value)
    return int((await session.execute(query)).scalar_one())
