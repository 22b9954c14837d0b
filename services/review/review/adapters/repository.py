"""Loading and saving review cases."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from common.events import Reason
from review.adapters.orm import reviews
from review.domain.model import ReviewCase, ReviewStatus

__all__ = ["add", "count", "get", "list_cases", "save"]

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


async def add(session: AsyncConnection, case: ReviewCase, correlation_id: uuid.UUID) -> None:
    await session.execute(reviews.insert(), {**_to_row(case), "correlation_id": correlation_id})


async def get(
    session: AsyncConnection, nomination_id: uuid.UUID, *, for_update: bool = False
) -> tuple[ReviewCase, uuid.UUID] | None:
    query = select(reviews).where(reviews.c.nomination_id == nomination_id)
    if for_update:
        query = query.with_for_update()
    row = (await session.execute(query)).first()
    return (_to_case(row), row.correlation_id) if row else None


async def save(session: AsyncConnection, case: ReviewCase) -> None:
    await session.execute(reviews.update().where(reviews.c.nomination_id == case.nomination_id).values(**_to_row(case)))


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
