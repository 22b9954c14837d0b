"""Draft decisions in the awards datastore."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from awards.adapters.orm import decision_drafts
from awards.domain.drafts import Draft, DraftState

__all__ = ["DraftStore"]


def _draft(row: Any) -> Draft:
    return Draft(
        draft_id=row.draft_id,
        form=row.form,
        exemplar_ids=tuple(uuid.UUID(i) for i in row.exemplar_ids),
        citation=row.citation,
        drafted_by=row.drafted_by,
        drafted_at=row.drafted_at,
        state=DraftState(row.state),
        decision_id=row.decision_id,
        closed_by=row.closed_by,
        closed_at=row.closed_at,
    )


class DraftStore:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, draft: Draft) -> None:
        await self._connection.execute(
            decision_drafts.insert().values(
                draft_id=draft.draft_id,
                form=draft.form,
                exemplar_ids=[str(i) for i in draft.exemplar_ids],
                citation=draft.citation,
                drafted_by=draft.drafted_by,
                drafted_at=draft.drafted_at,
                state=draft.state.value,
            )
        )

    async def get(self, draft_id: uuid.UUID) -> Draft | None:
        row = (
            await self._connection.execute(select(decision_drafts).where(decision_drafts.c.draft_id == draft_id))
        ).first()
        return _draft(row) if row else None

    async def waiting(self, limit: int = 100) -> tuple[int, list[Draft]]:
        """Drafts waiting for a signature, oldest first."""
        where = decision_drafts.c.state == DraftState.DRAFT.value
        total = (
            await self._connection.execute(select(func.count()).select_from(decision_drafts).where(where))
        ).scalar_one()
        rows = await self._connection.execute(
            select(decision_drafts).where(where).order_by(decision_drafts.c.drafted_at).limit(limit)
        )
        return int(total), [_draft(row) for row in rows]

    async def close(
        self, draft_id: uuid.UUID, state: DraftState, *, by: str, at: datetime, decision_id: uuid.UUID | None = None
    ) -> bool:
        """Sign or discard a draft that is still one; False when it no longer is."""
        done = await self._connection.execute(
            decision_drafts.update()
            .where(decision_drafts.c.draft_id == draft_id, decision_drafts.c.state == DraftState.DRAFT.value)
            .values(state=state.value, closed_by=by, closed_at=at, decision_id=decision_id)
        )
        return bool(done.rowcount)
