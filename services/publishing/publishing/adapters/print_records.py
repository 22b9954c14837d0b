"""Leaflets in the publishing datastore."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from publishing.adapters.orm import leaflets, publications, stories
from publishing.domain.model import PublicationState, StoryKind

__all__ = ["InPrint", "Leaflet", "PrintRecords"]


@dataclass(frozen=True)
class InPrint:
    """A story out on the print channel."""

    story_id: uuid.UUID
    commune_id: str | None
    quarter: str
    kind: StoryKind
    title: str


@dataclass(frozen=True)
class Leaflet:
    leaflet_id: uuid.UUID
    kind: str  # "quarter", "chosen" or "reportage" (an occasion's reportage while it is in print)
    commune_id: str | None
    quarter: str | None
    size: str  # "A4" or "A5"
    title: str
    story_ids: list[str]
    state: str  # building, ready, empty
    digest: str | None
    file: str | None
    bytes: int | None
    pages: int | None
    requested_by: str | None
    built_at: datetime | None
    created_at: datetime


def _leaflet(row: Any) -> Leaflet:
    return Leaflet(**row._mapping)


class PrintRecords:
    connection: AsyncConnection

    async def leaflet(self, leaflet_id: uuid.UUID) -> Leaflet | None:
        row = (await self.connection.execute(select(leaflets).where(leaflets.c.leaflet_id == leaflet_id))).first()
        return _leaflet(row) if row else None

    async def put_leaflet(self, leaflet: Leaflet) -> None:
        row = asdict(leaflet)
        done = await self.connection.execute(
            leaflets.update().where(leaflets.c.leaflet_id == leaflet.leaflet_id).values(row)
        )
        if not done.rowcount:
            await self.connection.execute(leaflets.insert().values(row))

    async def leaflets_of(self, *, commune_id: str | None = None, kind: str | None = None) -> list[Leaflet]:
        conditions = []
        if commune_id is not None:
            conditions.append(leaflets.c.commune_id == commune_id)
        if kind is not None:
            conditions.append(leaflets.c.kind == kind)
        query = select(leaflets).where(*conditions).order_by(leaflets.c.quarter.desc(), leaflets.c.size)
        return [_leaflet(row) for row in await self.connection.execute(query)]

    async def in_print(self) -> list[InPrint]:
        """Every story out on the print channel."""
        placed = select(publications.c.story_id).where(
            publications.c.channel == "print", publications.c.state == PublicationState.PUBLISHED.value
        )
        c = stories.c
        query = select(c.story_id, c.commune_id, c.quarter, c.kind, c.title).where(c.story_id.in_(placed))
        return [
            InPrint(row.story_id, row.commune_id, row.quarter, StoryKind(row.kind), row.title)
            for row in await self.connection.execute(query)
        ]
