"""The editors' pages (biên tập viên): the stories and their state on every channel; a story's text
to edit or correct, its approval for some or all channels now or at a set time, its retraction; the
radio's rundowns of a commune with their audio; the leaflets.

Each action goes through the same service functions as the editors' API (``/api/editor``).
"""

from __future__ import annotations

import unicodedata
import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from common.auth import Role
from common.dates import VIETNAM_TIME
from common.web import labels
from common.web.pages import Pages
from common.web.people import Person, form_of, signed_in
from publishing.adapters.repository import PublishingStore
from publishing.domain.model import (
    CorrectionNeedsNote,
    NoConsent,
    NotEditable,
    RadioPriority,
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

__all__ = ["CHANNEL_NAMES", "PREFIX", "router"]

PREFIX = "/staff/editor/"
PAGE_SIZE = 30

router = APIRouter(prefix="/staff/editor", include_in_schema=False)
Editor = Annotated[Person, signed_in(Role.EDITOR)]
EditorForm = Annotated[FormData, form_of(signed_in(Role.EDITOR))]

CHANNEL_NAMES = {
    "web": "Cổng thông tin",
    "feeds": "Nguồn tin (RSS, Atom, JSON)",
    "radio": "Đài truyền thanh cơ sở",
    "print": "Tờ tin in",
    "zalo": "Zalo",
    "facebook": "Facebook",
}
PRIORITIES = [
    (RadioPriority.ORDINARY.value, "Thông thường"),
    (RadioPriority.PRIORITY.value, "Ưu tiên (phát trước)"),
    (RadioPriority.EMERGENCY.value, "Khẩn cấp (phát ngay buổi gần nhất)"),
]
REFUSED = {
    StoryNotFound: "Không có bài viết này.",
    NotEditable: "Bài đã gỡ thì không sửa, duyệt hay gỡ lại được.",
    NoConsent: "Người được giới thiệu không đồng ý công khai: không kênh nào được đăng bài này.",
    CorrectionNeedsNote: "Bài đã đăng: sửa bài là đính chính, xin ghi nội dung đính chính để người đọc được biết.",
    UnknownChannel: "Kênh đăng không có trong hệ thống.",
}


def _pages(request: Request) -> Pages:
    pages: Pages = request.app.state.pages
    return pages


def _newsroom(request: Request) -> Newsroom:
    newsroom: Newsroom = request.app.state.newsroom
    return newsroom


def _text(form: FormData, name: str, limit: int) -> str:
    value = form.get(name)
    return unicodedata.normalize("NFC", value).replace("\r\n", "\n").strip()[:limit] if isinstance(value, str) else ""


@router.get("/", response_class=HTMLResponse)
async def stories(
    request: Request,
    db: DatabaseDep,
    person: Editor,
    status_: Annotated[str, Query(alias="status", max_length=20)] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    chosen = labels.chosen(StoryStatus, status_)
    async with db.read() as connection:
        store = PublishingStore(connection)
        total, found = await store.list_stories(status=chosen, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        records = await store.publications_for([s.story_id for s in found])
    return _pages(request).render(
        request,
        "stories.html",
        title="Biên tập tin bài",
        items=found,
        records=records,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        page_link=lambda n: "?" + urlencode({"status": chosen.value if chosen else "", "page": n}),
        status=chosen.value if chosen else "",
        statuses=[(s.value, labels.status_label(s.value)) for s in StoryStatus],
        channel_names=CHANNEL_NAMES,
    )


async def _story_page(
    request: Request, db: DatabaseDep, site: SiteDep, story_id: uuid.UUID, *, error: str = "", code: int = 200
) -> Response:
    async with db.read() as connection:
        store = PublishingStore(connection)
        story = await store.get_story(story_id)
        if story is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND)
        records = (await store.publications_for([story_id]))[story_id]
    return _pages(request).render(
        request,
        "story.html",
        status_code=code,
        title=story.title,
        story=story,
        records=records,
        url=site.url(story.path),
        channels=[(c.name, CHANNEL_NAMES.get(c.name, c.name)) for c in _newsroom(request).channels],
        channel_names=CHANNEL_NAMES,
        priorities=PRIORITIES,
        error=error,
        done=request.query_params.get("done", ""),
    )


@router.get("/stories/{story_id}", response_class=HTMLResponse)
async def story(request: Request, db: DatabaseDep, site: SiteDep, story_id: uuid.UUID, person: Editor) -> Response:
    return await _story_page(request, db, site, story_id)


def _back(story_id: uuid.UUID, done: str) -> Response:
    return RedirectResponse(f"{PREFIX}stories/{story_id}?done={done}", status_code=status.HTTP_303_SEE_OTHER)


async def _refused(request: Request, db: DatabaseDep, site: SiteDep, story_id: uuid.UUID, error: Exception) -> Response:
    message = REFUSED.get(type(error), "Thao tác không hợp lệ.")
    code = status.HTTP_404_NOT_FOUND if isinstance(error, StoryNotFound) else status.HTTP_409_CONFLICT
    return await _story_page(request, db, site, story_id, error=message, code=code)


EMPTY_TEXT = "Tiêu đề, sapô và nội dung không được để trống."
_REFUSALS = (StoryNotFound, NotEditable, NoConsent, CorrectionNeedsNote, UnknownChannel)


@router.post("/stories/{story_id}/text", response_class=HTMLResponse)
async def edit(
    request: Request, db: DatabaseDep, site: SiteDep, story_id: uuid.UUID, person: Editor, form: EditorForm
) -> Response:
    title, summary = _text(form, "title", 300), _text(form, "summary", 2000)
    body, note = _text(form, "body", 20_000), _text(form, "note", 2000)
    if not title or not summary or not body:
        return await _story_page(
            request, db, site, story_id, error="Tiêu đề, sapô và nội dung không được để trống.", code=400
        )
    try:
        await edit_story(
            request.app.state.runtime.unit_of_work(),
            _newsroom(request),
            story_id,
            title=title,
            summary=summary,
            body=body,
            by=person.name,
            note=note,
        )
    except _REFUSALS as error:
        return await _refused(request, db, site, story_id, error)
    return _back(story_id, "corrected" if note else "edited")


def _moment(value: str) -> datetime | None:
    """A time typed on the page (``YYYY-MM-DDTHH:MM``), in Vietnam's time."""
    try:
        return datetime.fromisoformat(value).replace(tzinfo=VIETNAM_TIME) if value else None
    except ValueError:
        return None


@router.post("/stories/{story_id}/approve", response_class=HTMLResponse)
async def approve(
    request: Request, db: DatabaseDep, site: SiteDep, story_id: uuid.UUID, person: Editor, form: EditorForm
) -> Response:
    channels = [str(c) for c in form.getlist("channel")]
    at_text = _text(form, "at", 40)
    at = _moment(at_text)
    if not channels:
        return await _story_page(request, db, site, story_id, error="Xin chọn ít nhất một kênh đăng.", code=400)
    if at_text and at is None:
        return await _story_page(request, db, site, story_id, error="Thời điểm hẹn đăng không hợp lệ.", code=400)
    if at is not None and at > datetime.now(UTC) + timedelta(days=366):
        return await _story_page(request, db, site, story_id, error="Chỉ hẹn giờ đăng trong vòng một năm.", code=400)
    priority = labels.chosen(RadioPriority, _text(form, "radio_priority", 20))
    try:
        await approve_story(
            request.app.state.runtime.unit_of_work(),
            _newsroom(request),
            story_id,
            by=person.name,
            channels=channels,
            at=at,
            radio_priority=priority,
        )
    except _REFUSALS as error:
        return await _refused(request, db, site, story_id, error)
    return _back(story_id, "scheduled" if at and at > datetime.now(UTC) else "approved")


@router.post("/stories/{story_id}/retract", response_class=HTMLResponse)
async def retract(
    request: Request, db: DatabaseDep, site: SiteDep, story_id: uuid.UUID, person: Editor, form: EditorForm
) -> Response:
    reason = _text(form, "reason", 2000)
    if not reason:
        return await _story_page(request, db, site, story_id, error="Xin ghi lý do gỡ bài.", code=400)
    try:
        await retract_story(
            request.app.state.runtime.unit_of_work(), _newsroom(request), story_id, reason=reason, by=person.name
        )
    except _REFUSALS as error:
        return await _refused(request, db, site, story_id, error)
    return _back(story_id, "retracted")


@router.get("/radio", response_class=HTMLResponse)
async def radio(
    request: Request,
    db: DatabaseDep,
    site: SiteDep,
    person: Editor,
    commune: Annotated[str, Query(max_length=80)] = "",
) -> Response:
    organisation = request.app.state.organisation
    communes = [(u.id, u.name) for u in organisation.communes_on(datetime.now(VIETNAM_TIME).date())]
    chosen = commune if commune in dict(communes) else (communes[0][0] if communes else "")
    async with db.read() as connection:
        store = PublishingStore(connection)
        rundowns = await store.rundowns_of(chosen, limit=10) if chosen else []
        on_air = await store.on_air(datetime.now(UTC), chosen) if chosen else []
    return _pages(request).render(
        request,
        "radio.html",
        title="Chương trình phát thanh",
        communes=communes,
        commune=chosen,
        rundowns=rundowns,
        on_air=on_air,
        media=lambda name: site.url(f"/media/{name}"),
        priorities=dict(PRIORITIES),
    )


@router.get("/leaflets", response_class=HTMLResponse)
async def leaflets(request: Request, db: DatabaseDep, site: SiteDep, person: Editor) -> Response:
    async with db.read() as connection:
        found = await PublishingStore(connection).leaflets_of()
    return _pages(request).render(
        request,
        "leaflets.html",
        title="Tờ tin",
        leaflets=found,
        media=lambda name: site.url(f"/media/{name}"),
        organisation=request.app.state.organisation,
    )
