"""JSON API for other systems: published stories and their commendations (public, read-only)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, Field

from common.api_errors import api_error
from common.labels import field_label
from common.paging import Offset
from publishing.adapters.repository import PublishingStore
from publishing.channels.html import render_body
from publishing.channels.site import Site
from publishing.domain.model import Commendation, Publication, Story, StoryKind
from publishing.entrypoints.deps import DatabaseDep, SiteDep

__all__ = ["router"]

router = APIRouter(prefix="/api/stories", tags=["stories"])


class CommendationView(BaseModel):
    award_id: uuid.UUID
    form: str
    form_name: str
    decision_number: str
    signed_on: date
    signer: str
    citation: str

    @classmethod
    def of(cls, commendation: Commendation) -> CommendationView:
        return cls.model_validate(commendation, from_attributes=True)


class StorySummary(BaseModel):
    story_id: uuid.UUID
    exemplar_id: uuid.UUID
    nomination_id: uuid.UUID
    slug: str
    url: str
    title: str
    summary: str
    unit_name: str
    kind: StoryKind = Field(description="exemplar, or reportage (an occasion's compilation of exemplars)")
    field: str = Field(description="empty for a reportage")
    field_label: str
    quarter: str
    nominee_kind: str
    nominee_name: str
    nominee_title: str
    published_at: datetime | None
    updated_at: datetime

    @classmethod
    def fields_of(cls, story: Story, site: Site) -> dict[str, object]:
        data = {name: getattr(story, name) for name in StorySummary.model_fields if hasattr(story, name)}
        return data | {"url": site.url(story.path), "field_label": field_label(story.field) if story.field else ""}

    @classmethod
    def of(cls, story: Story, site: Site) -> StorySummary:
        return cls.model_validate(cls.fields_of(story, site))


class PublicationView(BaseModel):
    """The story on one channel."""

    channel: str
    state: str
    url: str | None
    published_at: datetime | None


class StoryView(StorySummary):
    body: str  # plain text, one paragraph per line
    body_html: str  # as the web page shows it
    achievements: str
    commendations: list[CommendationView]
    publications: list[PublicationView]

    @classmethod
    def full(
        cls,
        story: Story,
        site: Site,
        commendations: Sequence[Commendation],
        publications: Sequence[Publication],
    ) -> StoryView:
        extra = {
            "body": story.body,
            "body_html": render_body(story),
            "achievements": story.achievements,
            "commendations": [CommendationView.of(c) for c in commendations],
            "publications": [PublicationView.model_validate(p, from_attributes=True) for p in publications],
        }
        return cls.model_validate(cls.fields_of(story, site) | extra)


class StoryList(BaseModel):
    total: int
    items: list[StorySummary]


@router.get("", response_model=StoryList)
async def list_stories(
    db: DatabaseDep,
    site: SiteDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Offset = 0,
) -> StoryList:
    """Published stories, newest first."""
    async with db.read() as connection:
        store = PublishingStore(connection)
        stories = await store.list_on("web", limit=limit, offset=offset)
        total = await store.count_on("web")
    return StoryList(total=total, items=[StorySummary.of(s, site) for s in stories])


@router.get("/{story_id}", response_model=StoryView)
async def get_story(db: DatabaseDep, site: SiteDep, story_id: uuid.UUID) -> StoryView:
    async with db.read() as connection:
        store = PublishingStore(connection)
        story = await store.get_story(story_id)
        if story is None or not await store.on_channel(story_id, "web"):
            raise api_error(status.HTTP_404_NOT_FOUND, "no-such-story", "Không có bài đã đăng này.")
        commendations = await store.commendations_for([story.exemplar_id])
        publications = await store.publications_for([story.story_id])
    return StoryView.full(story, site, commendations[story.exemplar_id], publications[story.story_id])
