"""Stories, their publications and commendations in the publishing datastore, over one open connection."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from common.db import insert_if_new
from common.labels import search_key
from publishing.adapters.occasion_records import OccasionRecords
from publishing.adapters.orm import commendations, publications, stories
from publishing.adapters.print_records import PrintRecords
from publishing.adapters.radio_records import RadioRecords
from publishing.adapters.social_records import SocialRecords
from publishing.domain.model import (
    Commendation,
    Correction,
    Placement,
    Publication,
    PublicationState,
    RadioPriority,
    Story,
    StoryKind,
    StoryStatus,
)

__all__ = ["Filters", "PublishingStore"]

_STORY_COLUMNS = [c.name for c in stories.columns if c.name != "search_key"]
_PUBLICATION_COLUMNS = [c.name for c in publications.columns]
_COMMENDATION_COLUMNS = [c.name for c in commendations.columns if c.name not in {"nomination_id", "recorded_at"}]
# What an editor or a retraction changes; the facts a story states never change.
_EDITED = (
    *("status", "title", "summary", "body", "published_at", "updated_at", "revision", "edited_by"),
    *("corrections", "retracted_at", "retraction_reason", "search_key", "radio_priority"),
)


# Statements on the consumers' path, built once (building one costs more than running it).
_TOUCH_STORY = (
    stories.update()
    .where(stories.c.story_id == bindparam("b_story_id"), stories.c.updated_at < bindparam("b_at"))
    .values(updated_at=bindparam("b_at"))
)


def _to_story(row: Any) -> Story:
    data = {name: getattr(row, name) for name in _STORY_COLUMNS}
    data["status"] = StoryStatus(data["status"])
    data["radio_priority"] = RadioPriority(data["radio_priority"])
    data["kind"] = StoryKind(data["kind"])
    data["corrections"] = [Correction(datetime.fromisoformat(c["at"]), c["by"], c["note"]) for c in data["corrections"]]
    return Story(**data)


def _to_commendation(row: Any) -> Commendation:
    return Commendation(**{name: getattr(row, name) for name in _COMMENDATION_COLUMNS})


def _to_publication(row: Any) -> Publication:
    data = {name: getattr(row, name) for name in _PUBLICATION_COLUMNS}
    data["state"] = PublicationState(data["state"])
    return Publication(**data)


def _story_row(story: Story) -> dict[str, Any]:
    row = {name: getattr(story, name) for name in _STORY_COLUMNS}
    row["status"] = story.status.value
    row["radio_priority"] = story.radio_priority.value
    row["kind"] = story.kind.value
    row["corrections"] = [{"at": c.at.isoformat(), "by": c.by, "note": c.note} for c in story.corrections]
    row["search_key"] = story.search_key
    return row


@dataclass(frozen=True)
class Filters:
    """What a reader narrows the stories to: a field, a kind of nominee, a quarter, a commune or unit,
    and words to find (without diacritics or case)."""

    field: str | None = None
    kind: str | None = None
    quarter: str | None = None
    unit: str | None = None  # a unit, or a commune with every unit in it
    words: str = ""

    def conditions(self) -> list[ColumnElement[bool]]:
        c = stories.c
        found: list[ColumnElement[bool]] = []
        if self.field:
            found.append(c.field == self.field)
        if self.kind:
            found.append(c.nominee_kind == self.kind)
        if self.quarter:
            found.append(c.quarter == self.quarter)
        if self.unit:
            found.append(or_(c.unit_id == self.unit, c.commune_id == self.unit))
        for word in search_key(self.words).split()[:10]:
            escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            found.append(c.search_key.like(f"%{escaped}%", escape="\\"))
        return found


def _on(channel: str) -> ColumnElement[bool]:
    """The stories out on ``channel`` now (a retracted story's publications are withdrawn)."""
    placed = select(publications.c.story_id).where(
        publications.c.channel == channel, publications.c.state == PublicationState.PUBLISHED.value
    )
    return stories.c.story_id.in_(placed)


class PublishingStore(RadioRecords, SocialRecords, PrintRecords, OccasionRecords):
    """Loading and saving stories, their publications and commendations (and the radio's records)."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    # -- stories ---------------------------------------------------------------------------------

    async def add_stories(self, new: Sequence[Story]) -> set[uuid.UUID]:
        """Store the stories that do not exist yet, in one statement; the ids of those stored."""
        if not new:
            return set()
        statement = insert_if_new(self.connection, stories).returning(stories.c.story_id)
        return set((await self.connection.execute(statement, [_story_row(story) for story in new])).scalars())

    async def save_story(self, story: Story) -> None:
        """What an editor or a retraction changed."""
        row = _story_row(story)
        await self.connection.execute(
            stories.update().where(stories.c.story_id == story.story_id).values({k: row[k] for k in _EDITED})
        )

    async def get_story(self, story_id: uuid.UUID, *, for_update: bool = False) -> Story | None:
        query = select(stories).where(stories.c.story_id == story_id)
        if for_update:
            query = query.with_for_update()
        row = (await self.connection.execute(query)).first()
        return _to_story(row) if row else None

    async def get_stories(self, story_ids: Sequence[uuid.UUID]) -> list[Story]:
        """The stories stored of ``story_ids``, in that order, in one query."""
        if not story_ids:
            return []
        rows = await self.connection.execute(select(stories).where(stories.c.story_id.in_(list(story_ids))))
        found = {row.story_id: _to_story(row) for row in rows}
        return [found[i] for i in story_ids if i in found]

    async def get_story_by_slug(self, slug: str) -> Story | None:
        row = (await self.connection.execute(select(stories).where(stories.c.slug == slug))).first()
        return _to_story(row) if row else None

    async def on_channel(self, story_id: uuid.UUID, channel: str) -> bool:
        """Whether the story is out on ``channel`` now."""
        query = select(func.count()).select_from(stories).where(stories.c.story_id == story_id, _on(channel))
        return bool((await self.connection.execute(query)).scalar_one())

    async def touch_stories(self, story_ids: Iterable[uuid.UUID], at: datetime) -> None:
        """Move each story's ``updated_at`` forward to ``at`` (never back), in one statement.

        A story not stored yet is not changed."""
        params = [{"b_story_id": story_id, "b_at": at} for story_id in story_ids]
        if params:
            await self.connection.execute(_TOUCH_STORY, params)

    async def list_on(
        self,
        channel: str,
        *,
        limit: int,
        offset: int = 0,
        by_updated: bool = False,
        filters: Filters | None = None,
    ) -> list[Story]:
        """The stories out on ``channel`` (those the filters keep), newest first (by publication, or by
        last change for feeds)."""
        newest = stories.c.updated_at if by_updated else stories.c.published_at
        query = (
            select(stories)
            .where(_on(channel), *(filters or Filters()).conditions())
            .order_by(newest.desc(), stories.c.story_id.desc())
            .limit(limit)
            .offset(offset)
        )
        return [_to_story(row) for row in (await self.connection.execute(query)).all()]

    async def pages_on(self, channel: str, *, limit: int) -> list[tuple[str, datetime]]:
        """The slug and last change of each story out on ``channel``, last changed first (a sitemap)."""
        query = (
            select(stories.c.slug, stories.c.updated_at)
            .where(_on(channel))
            .order_by(stories.c.updated_at.desc(), stories.c.story_id.desc())
            .limit(limit)
        )
        return [(row.slug, row.updated_at) for row in await self.connection.execute(query)]

    async def quarters_on(self, channel: str) -> list[str]:
        """The quarters of the stories out on ``channel``, newest first."""
        query = select(stories.c.quarter).where(_on(channel)).distinct().order_by(stories.c.quarter.desc())
        return list((await self.connection.execute(query)).scalars())

    async def count_on(self, channel: str, filters: Filters | None = None) -> int:
        query = select(func.count()).select_from(stories).where(_on(channel), *(filters or Filters()).conditions())
        return int((await self.connection.execute(query)).scalar_one())

    async def list_stories(self, *, status: StoryStatus | None, limit: int, offset: int) -> tuple[int, list[Story]]:
        """Every story for the editors, those waiting first (drafts), then by last change."""
        conditions = [] if status is None else [stories.c.status == status.value]
        total = await self.connection.execute(select(func.count()).select_from(stories).where(*conditions))
        query = (
            select(stories)
            .where(*conditions)
            .order_by(stories.c.updated_at.desc(), stories.c.story_id)
            .limit(limit)
            .offset(offset)
        )
        return int(total.scalar_one()), [_to_story(row) for row in (await self.connection.execute(query)).all()]

    # -- publications ------------------------------------------------------------------------------

    async def publications_for(self, story_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[Publication]]:
        """Each story's publications, by channel name."""
        ids = list(story_ids)
        found: dict[uuid.UUID, list[Publication]] = {i: [] for i in ids}
        if ids:
            query = select(publications).where(publications.c.story_id.in_(ids)).order_by(publications.c.channel)
            for row in (await self.connection.execute(query)).all():
                found[row.story_id].append(_to_publication(row))
        return found

    async def put_publications(self, records: Sequence[Publication]) -> None:
        """Write these publication records as they are now (new ones added, known ones replaced)."""
        for record in records:
            row = {name: getattr(record, name) for name in _PUBLICATION_COLUMNS}
            row["state"] = record.state.value
            done = await self.connection.execute(
                publications.update()
                .where(publications.c.story_id == record.story_id, publications.c.channel == record.channel)
                .values(row)
            )
            if not done.rowcount:
                await self.connection.execute(publications.insert().values(row))

    async def record_placement(self, story_id: uuid.UUID, channel: str, placement: Placement, at: datetime) -> bool:
        """The story is on the channel; False when it already was (a job that ran twice) or it was
        withdrawn meanwhile."""
        statement = (
            publications.update()
            .where(
                publications.c.story_id == story_id,
                publications.c.channel == channel,
                publications.c.state.in_([PublicationState.SCHEDULED.value, PublicationState.PENDING.value]),
            )
            .values(
                state=PublicationState.PUBLISHED.value,
                external_id=placement.external_id,
                url=placement.url,
                attempts=publications.c.attempts + 1,
                last_error=None,
                published_at=at,
                updated_at=at,
            )
        )
        return bool((await self.connection.execute(statement)).rowcount)

    async def record_update(self, story_id: uuid.UUID, channel: str, placement: Placement, at: datetime) -> None:
        """A correction reached the channel."""
        await self.connection.execute(
            publications.update()
            .where(publications.c.story_id == story_id, publications.c.channel == channel)
            .values(external_id=placement.external_id, url=placement.url, last_error=None, updated_at=at)
        )

    async def record_withdrawal(self, story_id: uuid.UUID, channel: str, at: datetime) -> None:
        await self.connection.execute(
            publications.update()
            .where(publications.c.story_id == story_id, publications.c.channel == channel)
            .values(state=PublicationState.WITHDRAWN.value, last_error=None, updated_at=at)
        )

    async def record_failure(self, story_id: uuid.UUID, channel: str, error: str, at: datetime) -> None:
        """An attempt on the channel failed; the job will try again (or ``mark_failed`` follows)."""
        await self.connection.execute(
            publications.update()
            .where(publications.c.story_id == story_id, publications.c.channel == channel)
            .values(attempts=publications.c.attempts + 1, last_error=error[:2000], updated_at=at)
        )

    async def mark_failed(self, story_id: uuid.UUID, channel: str, error: str, at: datetime) -> None:
        """No more attempts to place it: the story is not on the channel until an operator retries its job."""
        await self.connection.execute(
            publications.update()
            .where(
                publications.c.story_id == story_id,
                publications.c.channel == channel,
                publications.c.state.in_([PublicationState.SCHEDULED.value, PublicationState.PENDING.value]),
            )
            .values(state=PublicationState.FAILED.value, last_error=error[:2000], updated_at=at)
        )

    # -- commendations -------------------------------------------------------------------------------

    async def add_commendations(
        self, new: Sequence[tuple[Commendation, uuid.UUID]], *, recorded_at: datetime
    ) -> set[uuid.UUID]:
        """Store commendations (each with its nomination id) not recorded yet, in one statement; their award ids."""
        if not new:
            return set()
        rows = [
            {
                **{name: getattr(commendation, name) for name in _COMMENDATION_COLUMNS},
                "nomination_id": nomination_id,
                "recorded_at": recorded_at,
            }
            for commendation, nomination_id in new
        ]
        statement = insert_if_new(self.connection, commendations).returning(commendations.c.award_id)
        return set((await self.connection.execute(statement, rows)).scalars())

    async def commendations_for(self, exemplar_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[Commendation]]:
        """Each exemplar's commendations, oldest decision first."""
        ids = list(exemplar_ids)
        found: dict[uuid.UUID, list[Commendation]] = {i: [] for i in ids}
        if not ids:
            return found
        query = (
            select(commendations)
            .where(commendations.c.exemplar_id.in_(ids))
            .order_by(commendations.c.signed_on, commendations.c.award_id)
        )
        for row in (await self.connection.execute(query)).all():
            found[row.exemplar_id].append(_to_commendation(row))
        return found
