"""HTTP API of the editors for occasions: the calendar with each occasion's next day and its
reportages, and a reportage drafted on request."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request, status
from pydantic import BaseModel, Field

from common.auth import Principal, Role, require_roles
from common.dates import VIETNAM_TIME
from publishing.adapters.occasion_records import Reportage
from publishing.adapters.repository import PublishingStore
from publishing.domain.model import PublicationState, StoryStatus
from publishing.domain.occasions import Occasion
from publishing.entrypoints.deps import DatabaseDep, SiteDep
from publishing.service.occasions import PORTAL, AlreadyEdited, NothingToCompile, Occasions, draft_reportage_now

__all__ = ["router"]

router = APIRouter(prefix="/api/editor/occasions", tags=["editor"])

Editor = Annotated[Principal, require_roles(Role.EDITOR)]
Reader = Annotated[Principal, require_roles(Role.EDITOR, Role.OPERATOR)]
OccasionId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")]


class ReportageView(BaseModel):
    story_id: uuid.UUID
    year: int
    title: str
    status: StoryStatus
    revision: int
    url: str
    sources: list[uuid.UUID] = Field(description="the stories it compiles, in order")
    withdrawn_sources: list[uuid.UUID] = Field(
        description="stories it compiles that are no longer on the portal (retracted): the text needs correcting"
    )
    drafted_at: datetime


class OccasionView(BaseModel):
    occasion_id: str
    name: str
    next_day: date
    reportage: bool = Field(description="whether a reportage is drafted for it every year")
    drafting_from: date | None = Field(description="when the next reportage is drafted")
    fields: list[str]
    reportages: list[ReportageView] = Field(description="the reportages drafted so far, newest first")


def _occasions(request: Request) -> Occasions:
    occasions: Occasions = request.app.state.occasions
    return occasions


async def _reportage_view(store: PublishingStore, site: SiteDep, kept: Reportage) -> ReportageView | None:
    story = await store.get_story(kept.story_id)
    if story is None:
        return None
    records = await store.publications_for(kept.sources)
    on_portal = {
        i
        for i, found in records.items()
        if any(r.channel == PORTAL and r.state is PublicationState.PUBLISHED for r in found)
    }
    withdrawn = [s for s in kept.sources if s not in on_portal]
    return ReportageView(
        story_id=story.story_id,
        year=kept.year,
        title=story.title,
        status=story.status,
        revision=story.revision,
        url=site.url(story.path),
        sources=list(kept.sources),
        withdrawn_sources=withdrawn,
        drafted_at=kept.drafted_at,
    )


def _view(occasion: Occasion, today: date, reportages: list[ReportageView]) -> OccasionView:
    day = occasion.next_on(today)
    return OccasionView(
        occasion_id=occasion.id,
        name=occasion.name,
        next_day=day,
        reportage=occasion.reportage,
        drafting_from=occasion.drafting_from(day.year) if occasion.reportage else None,
        fields=[f.value for f in occasion.fields],
        reportages=reportages,
    )


@router.get("", response_model=list[OccasionView])
async def calendar(request: Request, db: DatabaseDep, site: SiteDep, _who: Reader) -> list[OccasionView]:
    """Every occasion, the soonest first, with its reportages (and the stories they compile that were
    retracted since)."""
    today = datetime.now(UTC).astimezone(VIETNAM_TIME).date()
    views = []
    async with db.read() as connection:
        store = PublishingStore(connection)
        kept = await store.reportages()
        for _day, occasion in _occasions(request).calendar.upcoming(today):
            mine = [await _reportage_view(store, site, r) for r in kept if r.occasion_id == occasion.id]
            views.append(_view(occasion, today, [r for r in mine if r is not None]))
    return views


@router.post("/{occasion_id}/reportage", response_model=ReportageView, status_code=status.HTTP_201_CREATED)
async def draft_now(
    request: Request,
    db: DatabaseDep,
    site: SiteDep,
    occasion_id: OccasionId,
    _who: Editor,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="the occasion's year; its next by default")] = None,
) -> ReportageView:
    """Draft the occasion's reportage now (before its drafting days), or bring an untouched draft up to
    date with what is on the portal."""
    occasions = _occasions(request)
    occasion = occasions.calendar.occasion(occasion_id)
    if occasion is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, {"code": "no-such-occasion", "message": f"không có ngày kỷ niệm “{occasion_id}”"}
        )
    if not occasion.reportage:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            {"code": "no-reportage", "message": f"lịch không định soạn phóng sự cho “{occasion.name}”"},
        )
    today = datetime.now(UTC).astimezone(VIETNAM_TIME).date()
    year = year or occasion.next_on(today).year
    try:
        drafted = await draft_reportage_now(
            request.app.state.runtime.unit_of_work(), occasions, request.app.state.newsroom, occasion, year
        )
    except NothingToCompile as nothing:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, {"code": "nothing-to-compile", "message": str(nothing)}
        ) from nothing
    except AlreadyEdited as edited:
        raise HTTPException(status.HTTP_409_CONFLICT, {"code": "already-edited", "message": str(edited)}) from edited
    async with db.read() as connection:
        store = PublishingStore(connection)
        kept = await store.reportage(drafted.story_id)
        view = await _reportage_view(store, site, kept) if kept else None
    assert view is not None, "the reportage was stored with its story just before"
    return view
