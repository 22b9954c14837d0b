"""HTTP API of the editors (biên tập viên): stories with their channel states; edit, approve for some
or all channels now or at a set time, correct, retract."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, status
from pydantic import AwareDatetime, BaseModel, Field

from common.auth import Principal, Role, require_roles
from common.events import LongText, ShortText, Text
from common.paging import Offset
from publishing.adapters.repository import PublishingStore
from publishing.domain.model import (
    CorrectionNeedsNote,
    NoConsent,
    NotEditable,
    Publication,
    PublicationState,
    RadioPriority,
    Story,
    StoryKind,
    StoryStatus,
)
from publishing.entrypoints.deps import DatabaseDep, SiteDep
from publishing.service.editorial import (
    Newsroom,
    StoryNotFound,
    UnknownChannel,
    approve_story,
    edit_story,
    retract_story,
)

__all__ = ["router"]

router = APIRouter(prefix="/api/editor", tags=["editor"])

Editor = Annotated[Principal, require_roles(Role.EDITOR)]
Reader = Annotated[Principal, require_roles(Role.EDITOR, Role.OPERATOR)]


class ChannelView(BaseModel):
    channel: str
    state: PublicationState
    url: str | None
    scheduled_for: datetime | None
    published_at: datetime | None
    approved_by: str | None
    attempts: int
    last_error: str | None

    @classmethod
    def of(cls, record: Publication) -> ChannelView:
        return cls.model_validate(record, from_attributes=True)


class CorrectionView(BaseModel):
    at: datetime
    by: str
    note: str


class EditorStory(BaseModel):
    story_id: uuid.UUID
    exemplar_id: uuid.UUID
    slug: str
    url: str
    kind: StoryKind = Field(description="exemplar, or reportage (an occasion's compilation)")
    status: StoryStatus
    title: str
    summary: str
    body: str
    achievements: str
    unit_id: str
    unit_name: str
    commune_id: str | None
    field: str
    quarter: str
    nominee_kind: str
    nominee_name: str
    nominee_title: str
    consent: bool
    radio_priority: RadioPriority
    revision: int
    drafted_at: datetime
    published_at: datetime | None
    updated_at: datetime
    edited_by: str | None
    corrections: list[CorrectionView]
    retracted_at: datetime | None
    retraction_reason: str | None
    channels: list[ChannelView] = Field(description="the story on each channel it was approved for")

    @classmethod
    def of(cls, story: Story, records: list[Publication], url: str) -> EditorStory:
        data = {name: getattr(story, name) for name in cls.model_fields if hasattr(story, name)}
        data["corrections"] = [CorrectionView(at=c.at, by=c.by, note=c.note) for c in story.corrections]
        return cls.model_validate(data | {"url": url, "channels": [ChannelView.of(r) for r in records]})


class EditorStoryList(BaseModel):
    total: int
    items: list[EditorStory]


class TextBody(BaseModel):
    title: ShortText
    summary: Annotated[Text, Field(min_length=1, max_length=2000)]
    body: LongText
    note: Annotated[Text, Field(max_length=2000)] = Field(
        default="", description="for a published story: the correction readers are told of (đính chính)"
    )


class Approval(BaseModel):
    channels: list[Annotated[str, Field(max_length=40)]] | None = Field(
        default=None, max_length=20, description="the channels to go out on; all when omitted"
    )
    at: AwareDatetime | None = Field(default=None, description="when; now when omitted")
    radio_priority: RadioPriority | None = Field(
        default=None, description="ordinary, priority (played first) or emergency (in the very next rundown)"
    )


class Retraction(BaseModel):
    reason: Annotated[Text, Field(min_length=1, max_length=2000)]


def _newsroom(request: Request) -> Newsroom:
    newsroom: Newsroom = request.app.state.newsroom
    return newsroom


async def _view(db: DatabaseDep, site: SiteDep, story_id: uuid.UUID) -> EditorStory:
    async with db.read() as connection:
        store = PublishingStore(connection)
        story = await store.get_story(story_id)
        if story is None:
            raise HTTPException(
                status.HTTP_404_NOT_FOUND, {"code": "no-such-story", "message": "không có bài viết này"}
            )
        records = (await store.publications_for([story_id]))[story_id]
    return EditorStory.of(story, records, site.url(story.path))


def _refused(error: Exception) -> HTTPException:
    codes = {
        StoryNotFound: (status.HTTP_404_NOT_FOUND, "no-such-story"),
        NotEditable: (status.HTTP_409_CONFLICT, "story-retracted"),
        NoConsent: (status.HTTP_422_UNPROCESSABLE_CONTENT, "no-consent"),
        CorrectionNeedsNote: (status.HTTP_422_UNPROCESSABLE_CONTENT, "correction-note-required"),
        UnknownChannel: (status.HTTP_422_UNPROCESSABLE_CONTENT, "unknown-channel"),
    }
    code, slug = codes.get(type(error), (status.HTTP_422_UNPROCESSABLE_CONTENT, "invalid"))
    return HTTPException(code, {"code": slug, "message": str(error)})


_REFUSALS = (StoryNotFound, NotEditable, NoConsent, CorrectionNeedsNote, UnknownChannel, ValueError)


@router.get("/stories", response_model=EditorStoryList)
async def list_stories(
    db: DatabaseDep,
    site: SiteDep,
    _who: Reader,
    status_: Annotated[StoryStatus | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Offset = 0,
) -> EditorStoryList:
    """Every story (drafts, published, retracted), last changed first, with its channel states."""
    async with db.read() as connection:
        store = PublishingStore(connection)
        total, found = await store.list_stories(status=status_, limit=limit, offset=offset)
        records = await store.publications_for([s.story_id for s in found])
    items = [EditorStory.of(s, records[s.story_id], site.url(s.path)) for s in found]
    return EditorStoryList(total=total, items=items)


@router.get("/stories/{story_id}", response_model=EditorStory)
async def get_story(db: DatabaseDep, site: SiteDep, story_id: uuid.UUID, _who: Reader) -> EditorStory:
    return await _view(db, site, story_id)


@router.get("/channels")
async def channels(request: Request, _who: Reader) -> list[dict[str, object]]:
    """The channels a story can go out on, and whether corrections reach each."""
    return [
        {"channel": c.name, "updatable": c.updatable, "immediate": c.immediate} for c in _newsroom(request).channels
    ]


@router.put("/stories/{story_id}/text", response_model=EditorStory)
async def edit(
    request: Request, db: DatabaseDep, site: SiteDep, story_id: uuid.UUID, body: TextBody, who: Editor
) -> EditorStory:
    """New title, summary and text; a published story is corrected, the note shown with it on every
    channel that takes corrections."""
    try:
        await edit_story(
            request.app.state.runtime.unit_of_work(),
            _newsroom(request),
            story_id,
            title=body.title,
            summary=body.summary,
            body=body.body,
            by=who.name,
            note=body.note,
        )
    except _REFUSALS as error:
        raise _refused(error) from error
    return await _view(db, site, story_id)


@router.post("/stories/{story_id}/approve", response_model=EditorStory)
async def approve(
    request: Request, db: DatabaseDep, site: SiteDep, story_id: uuid.UUID, body: Approval, who: Editor
) -> EditorStory:
    """Approve for some or all channels, now or at a set time (a time already past means now)."""
    if body.at is not None and body.at > datetime.now(UTC).replace(year=datetime.now(UTC).year + 1):
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, {"code": "too-far", "message": "chỉ hẹn giờ đăng trong vòng một năm"}
        )
    try:
        await approve_story(
            request.app.state.runtime.unit_of_work(),
            _newsroom(request),
            story_id,
            by=who.name,
            channels=body.channels,
            at=body.at,
            radio_priority=body.radio_priority,
        )
    except _REFUSALS as error:
        raise _refused(error) from error
    return await _view(db, site, story_id)


@router.post("/stories/{story_id}/retract", response_model=EditorStory)
async def retract(
    request: Request, db: DatabaseDep, site: SiteDep, story_id: uuid.UUID, body: Retraction, who: Editor
) -> EditorStory:
    """Take the story down from every channel it went to (a nominee withdrew consent, say)."""
    try:
        await retract_story(
            request.app.state.runtime.unit_of_work(), _newsroom(request), story_id, reason=body.reason, by=who.name
        )
    except _REFUSALS as error:
        raise _refused(error) from error
    return await _view(db, site, story_id)


class RundownView(BaseModel):
    commune_id: str
    day: date
    slot: str
    starts_at: datetime
    guid: uuid.UUID
    played: list[dict[str, Any]]
    left_out: list[str] = Field(description="bulletins on air the slot had no room for")
    audio_url: str
    seconds: float
    bytes: int
    built_at: datetime


class BulletinView(BaseModel):
    story_id: uuid.UUID
    commune_id: str
    priority: RadioPriority
    title: str
    script: str = Field(description="what the loudspeaker reads")
    revision: int
    audio_url: str
    seconds: float
    on_air_from: datetime
    on_air_until: datetime
    withdrawn_at: datetime | None


Commune = Annotated[str, Query(pattern=r"^[a-z0-9][a-z0-9-]{0,79}$")]


@router.get("/radio/rundowns", response_model=list[RundownView])
async def rundowns(
    db: DatabaseDep, site: SiteDep, _who: Reader, commune: Commune, limit: Annotated[int, Query(ge=1, le=100)] = 20
) -> list[RundownView]:
    """A commune's rundowns, the latest slot first: what each plays, and what had no room."""
    async with db.read() as connection:
        found = await PublishingStore(connection).rundowns_of(commune, limit=limit)
    return [
        RundownView.model_validate(
            {
                **{k: getattr(r, k) for k in RundownView.model_fields if hasattr(r, k)},
                "audio_url": site.url(f"/media/{r.audio}"),
            }
        )
        for r in found
    ]


@router.get("/radio/bulletins", response_model=list[BulletinView])
async def bulletins_on_air(db: DatabaseDep, site: SiteDep, _who: Reader, commune: Commune) -> list[BulletinView]:
    """A commune's bulletins on air now, with what the loudspeaker reads."""
    async with db.read() as connection:
        found = await PublishingStore(connection).on_air(datetime.now(UTC), commune)
    return [
        BulletinView.model_validate(
            {
                **{k: getattr(b, k) for k in BulletinView.model_fields if hasattr(b, k)},
                "audio_url": site.url(f"/media/{b.audio}"),
            }
        )
        for b in found
    ]
