"""The registry's record of the titles and forms its nominees received, in the nomination datastore."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import asdict

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from common.db import insert_if_new
from nomination.adapters.orm import nominations, registry_titles
from nomination.domain.registry import HeldTitle

__all__ = ["TitleRecords"]


class TitleRecords:
    """Reading and writing the titles of the registry's nominees."""

    connection: AsyncConnection

    async def people_of(self, nomination_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID | None]:
        """The registry's nominee of each nomination stored here (None before the registry linked it)."""
        if not nomination_ids:
            return {}
        query = select(nominations.c.nomination_id, nominations.c.person_id).where(
            nominations.c.nomination_id.in_(sorted(nomination_ids))
        )
        return {row.nomination_id: row.person_id for row in await self.connection.execute(query)}

    async def add_titles(self, titles: Sequence[HeldTitle]) -> None:
        """Keep titles in one statement; one already kept (a redelivered event) stays as it is."""
        if titles:
            await self.connection.execute(insert_if_new(self.connection, registry_titles), [asdict(t) for t in titles])

    async def titles_of(self, person_id: uuid.UUID) -> list[HeldTitle]:
        """What the nominee received, oldest year first."""
        c = registry_titles.c
        query = select(registry_titles).where(c.person_id == person_id).order_by(c.year, c.signed_on, c.form)
        return [HeldTitle(**row._mapping) for row in await self.connection.execute(query)]
