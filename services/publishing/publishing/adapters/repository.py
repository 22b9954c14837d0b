"""Loading and saving stories and commendations."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from common.db import insert_if_new
from publishing.adapters.orm import commendations, stories
from publishing.domain.model import Commendation, Story, StoryStatus

__all__ = [
    "add_commendations",
    "add_stories",
    "commendations_for",
    "count_published",
    "get_story",
    "get_story_by_slug",
    "list_published",
    "touch_stories",
]

_STORY_COLUMNS = [c.name for c in stories.columns]
_COMMENDATION_COLUMNS = [c.name for c in commendations.columns if c.name not in {"nomination_id", "recorded_at"}]


def _to_story(row: Any) -> Story:
    data = {name: getattr(row, name) for name in _STORY_COLUMNS}
    data["status"] = StoryStatus(data["status"])
    return Story(**data)


def _to_commendation(row: Any) -> Commendation:
    return Commendation(**{name: getattr(row, name) for name in _COMMENDATION_COLUMNS})


def _story_row(story: Story) -> dict[str, Any]:
    row = {name: getattr(story, name) for name in _STORY_COLUMNS}
    row["status"] = story.status.value
    return row


async def add_stories(session: AsyncConnection, new: Sequence[Story]) -> set[uuid.UUID]:
    """Store the stories that do not exist yet, in one statement; the ids of those stored."""
    if not new:
        return set()
    statement = insert_if_new(session, stories).returning(stories.c.story_id)
    return set((await session.execute(statement, [_story_row(story) for story in new])).scalars())


async def get_story(session: AsyncConnection, story_id: uuid.UUID) -> Story | None:
    row = (await session.execute(select(stories).where(stories.c.story_id == story_id))).first()
    return _to_story(row) if row else None


async def get_story_by_slug(session: AsyncConnection, slug: str) -> Story | None:
    row = (await session.execute(select(stories).where(stories.c.slug == slug))).first()
    return _to_story(row) if row else None


# Statements on the consumers' path, built once (building one costs more than running it).
_TOUCH_STORY = (
    stories.update()
    .where(stories.c.story_id == bindparam("b_story_id"), stories.c.updated_at < bindparam("b_at"))
    .values(updated_at=bindparam("b_at"))
)


async def touch_stories(session: AsyncConnection, story_ids: Iterable[uuid.UUID], at: datetime) -> None:
    """Move each story's ``updated_at`` forward to ``at`` (never back), in one statement; no story yet, no change."""
    params = [{"b_story_id": story_id, "b_at": at} for story_id in story_ids]
    if params:
        await session.execute(_TOUCH_STORY, params)


async def list_published(
    session: AsyncConnection, *, limit: int, offset: int = 0, by_updated: bool = False
) -> list[Story]:
    """Published stories, newest first (by publication, or by last change for feeds)."""
    newest = stories.c.updated_at if by_updated else stories.c.published_at
    query = (
        select(stories)
        .where(stories.c.status == StoryStatus.PUBLISHED.value)
        .order_by(newest.desc(), stories.c.story_id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [_to_story(row) for row in (await session.execute(query)).all()]


async def count_published(session: AsyncConnection) -> int:
    query = select(func.count()).select_from(stories).where(stories.c.status == StoryStatus.PUBLISHED.value)
    return int((await session.execute(query)).scalar_one())


async def add_commendations(
    session: AsyncConnection, new: Sequence[tuple[Commendation, uuid.UUID]], *, recorded_at: datetime
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
    statement = insert_if_new(session, commendations).returning(commendations.c.award_id)
    return set((await session.execute(statement, rows)).scalars())


async def commendations_for(
    session: AsyncConnection, exemplar_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[Commendation]]:
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
    for row in (await session.execute(query)).all():
        found[row.exemplar_id].append(_to_commendation(row))
    return found
