"""Bulletins and rundowns in the publishing datastore."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from publishing.adapters.orm import bulletins, rundowns
from publishing.domain.model import RadioPriority

__all__ = ["Bulletin", "RadioRecords", "Rundown"]


@dataclass(frozen=True)
class Bulletin:
    """A story on its commune's radio: what is read, its audio, and when it is on air."""

    story_id: uuid.UUID
    commune_id: str
    priority: RadioPriority
    title: str
    script: str
    revision: int
    audio: str  # below the media folder
    seconds: float
    bytes: int
    on_air_from: datetime
    on_air_until: datetime
    withdrawn_at: datetime | None
    updated_at: datetime


@dataclass(frozen=True)
class Rundown:
    """What a commune's radio plays in one slot of one day."""

    commune_id: str
    day: date
    slot: str
    guid: uuid.UUID
    candidates: str
    starts_at: datetime
    played: list[dict[str, Any]]  # {story_id, revision, title, seconds}, in order
    left_out: list[str]
    audio: str
    seconds: float
    bytes: int
    built_at: datetime


def _bulletin(row: Any) -> Bulletin:
    data = dict(row._mapping)
    data["priority"] = RadioPriority(data["priority"])
    return Bulletin(**data)


class RadioRecords:
    connection: AsyncConnection

    async def bulletins_of(self, story_id: uuid.UUID) -> list[Bulletin]:
        """The story's bulletin in each commune it airs in."""
        query = select(bulletins).where(bulletins.c.story_id == story_id).order_by(bulletins.c.commune_id)
        return [_bulletin(row) for row in await self.connection.execute(query)]

    async def bulletin_of(self, story_id: uuid.UUID) -> Bulletin | None:
        found = await self.bulletins_of(story_id)
        return found[0] if found else None

    async def put_bulletin(self, bulletin: Bulletin) -> None:
        row = asdict(bulletin) | {"priority": bulletin.priority.value}
        c = bulletins.c
        done = await self.connection.execute(
            bulletins.update().where(c.story_id == bulletin.story_id, c.commune_id == bulletin.commune_id).values(row)
        )
        if not done.rowcount:
            await self.connection.execute(bulletins.insert().values(row))

    async def withdraw_bulletin(self, story_id: uuid.UUID, at: datetime) -> None:
        await self.connection.execute(
            bulletins.update().where(bulletins.c.story_id == story_id).values(withdrawn_at=at, updated_at=at)
        )

    async def on_air(self, at: datetime, commune_id: str | None = None) -> list[Bulletin]:
        """The bulletins on air at ``at`` (of one commune, or of all)."""
        c = bulletins.c
        conditions = [c.on_air_from <= at, c.on_air_until > at, c.withdrawn_at.is_(None)]
        if commune_id is not None:
            conditions.append(c.commune_id == commune_id)
        query = select(bulletins).where(and_(*conditions)).order_by(c.on_air_from, c.story_id)
        return [_bulletin(row) for row in await self.connection.execute(query)]

    async def rundown(self, commune_id: str, day: date, slot: str) -> Rundown | None:
        c = rundowns.c
        query = select(rundowns).where(c.commune_id == commune_id, c.day == day, c.slot == slot)
        row = (await self.connection.execute(query)).first()
        return Rundown(**row._mapping) if row else None

    async def put_rundown(self, rundown: Rundown) -> None:
        c = rundowns.c
        row = asdict(rundown)
        done = await self.connection.execute(
            rundowns.update()
            .where(c.commune_id == rundown.commune_id, c.day == rundown.day, c.slot == rundown.slot)
            .values(row)
        )
        if not done.rowcount:
            await self.connection.execute(rundowns.insert().values(row))

    async def drop_rundowns(self, keys: Sequence[tuple[str, date, str]]) -> None:
        """Rundowns of slots still to come that have nothing left to play."""
        c = rundowns.c
        for commune_id, day, slot in keys:
            await self.connection.execute(
                delete(rundowns).where(c.commune_id == commune_id, c.day == day, c.slot == slot)
            )

    async def rundowns_of(self, commune_id: str, *, limit: int) -> list[Rundown]:
        """A commune's rundowns, the latest slot first."""
        c = rundowns.c
        query = select(rundowns).where(c.commune_id == commune_id).order_by(c.starts_at.desc()).limit(limit)
        return [Rundown(**row._mapping) for row in await self.connection.execute(query)]

    async def rundowns_at(self, starts_at: datetime) -> list[Rundown]:
        """Every commune's rundown of the slot starting at ``starts_at``."""
        query = select(rundowns).where(rundowns.c.starts_at == starts_at)
        return [Rundown(**row._mapping) for row in await self.connection.execute(query)]
