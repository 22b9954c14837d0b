"""Occasions' reportages in the publishing datastore, and the stories they may compile."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from publishing.adapters.orm import publications, reportages, stories
from publishing.domain.model import PublicationState, StoryKind

__all__ = ["OccasionRecords", "Reportage"]


@dataclass(frozen=True)
class Reportage:
    story_id: uuid.UUID
    occasion_id: str
    year: int
    sources: tuple[uuid.UUID, ...]
    drafted_at: datetime


def _reportage(row: Any) -> Reportage:
    return Reportage(row.story_id, row.occasion_id, row.year, tuple(uuid.UUID(s) for s in row.sources), row.drafted_at)


class OccasionRecords:
    connection: AsyncConnection

    async def put_reportage(self, reportage: Reportage) -> None:
        row = {
            "story_id": reportage.story_id,
            "occasion_id": reportage.occasion_id,
            "year": reportage.year,
            "sources": [str(s) for s in reportage.sources],
            "drafted_at": reportage.drafted_at,
        }
        done = await self.connection.execute(
            reportages.update().where(reportages.c.story_id == reportage.story_id).values(row)
        )
        if not done.rowcount:
            await self.connection.execute(reportages.insert().values(row))

    async def reportage(self, story_id: uuid.UUID) -> Reportage | None:
        row = (await self.connection.execute(select(reportages).where(reportages.c.story_id == story_id))).first()
        return _reportage(row) if row else None

    async def reportages(self) -> list[Reportage]:
        query = select(reportages).order_by(reportages.c.year.desc(), reportages.c.occasion_id)
        return [_reportage(row) for row in await self.connection.execute(query)]

    async def exemplars_published(
        self, channel: str, since: datetime, before: datetime, fields: Sequence[str] = ()
    ) -> list[uuid.UUID]:
        """The exemplars' stories first published in [since, before) and out on ``channel`` now."""
        c = stories.c
        placed = select(publications.c.story_id).where(
            publications.c.channel == channel, publications.c.state == PublicationState.PUBLISHED.value
        )
        conditions = [
            c.story_id.in_(placed),
            c.kind == StoryKind.EXEMPLAR.value,
            c.published_at >= since,
            c.published_at < before,
        ]
        if fields:
            conditions.append(c.field.in_(list(fields)))
        query = select(c.story_id).where(*conditions).order_by(c.published_at, c.story_id)
        return list((await self.connection.execute(query)).scalars())
