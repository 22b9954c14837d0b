"""The public web side: the index of stories, story pages and the feeds (no login to read).

A page answers in HTML whatever happens: 404 for what does not exist or is not public, 410 for
a story that was retracted, 500 and 503 when the service fails; only ``/api/`` answers JSON.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, FastAPI, Query, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from common.api_errors import error_body, validation_error
from common.api_errors import http_error as json_error
from common.dates import vietnam_date
from common.events import QUARTER_PATTERN, FieldOfWork, NomineeKind
from common.organisation import Organisation
from publishing.adapters.repository import Filters, PublishingStore
from publishing.channels.atom import CONTENT_TYPE, build_feed
from publishing.channels.feeds import (
    JSON_FEED_TYPE,
    RSS_TYPE,
    SITEMAP_TYPE,
    build_json_feed,
    build_rss,
    build_sitemap,
    robots,
)
from publishing.channels.html import render_error, render_index, render_story_page
from publishing.channels.site import Site
from publishing.domain.model import Commendation, Story
from publishing.domain.portal import Choice, Listing
from publishing.entrypoints.deps import DatabaseDep, PageSizeDep, SiteDep

__all__ = ["FEED_SIZE", "error_page", "html_errors", "router"]

FEED_SIZE = 50
SITEMAP_SIZE = 50_000  # the most one sitemap may list

router = APIRouter(tags=["web"])
log = logging.getLogger(__name__)


def _error_page(site: Site, code: int) -> HTMLResponse:
    return HTMLResponse(render_error(site, code), status_code=code)


def error_page(site: Site) -> Callable[[Request, int], Response | None]:
    """The page a reader gets for a status, or None where JSON answers (the API, health checks)."""

    def page(request: Request, code: int) -> Response | None:
        if request.url.path.startswith("/api/") or request.url.path in ("/health", "/ready"):
            return None
        return _error_page(site, code)

    return page


Field = Annotated[FieldOfWork | None, Query(description="a field of work")]
Kind = Annotated[NomineeKind | None, Query(description="individual, collective or household")]
QuarterQuery = Annotated[str | None, Query(pattern=QUARTER_PATTERN)]
UnitQuery = Annotated[str | None, Query(pattern=r"^[a-z0-9][a-z0-9-]{0,79}$", description="a commune or a unit")]
Words = Annotated[str, Query(max_length=100, description="words to find, with or without diacritics")]


@router.get("/", response_class=HTMLResponse)
async def index(
    request: Request,
    db: DatabaseDep,
    site: SiteDep,
    page_size: PageSizeDep,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    q: Words = "",
    field: Field = None,
    kind: Kind = None,
    quarter: QuarterQuery = None,
    unit: UnitQuery = None,
) -> HTMLResponse:
    """Published stories, newest first: by field, kind, quarter, commune or unit, and found by words."""
    filters = Filters(
        field=field.value if field else None, kind=kind.value if kind else None, quarter=quarter, unit=unit, words=q
    )
    async with db.read() as connection:
        store = PublishingStore(connection)
        total = await store.count_on("web", filters)
        stories = await store.list_on("web", limit=page_size, offset=(page - 1) * page_size, filters=filters)
        quarters = await store.quarters_on("web")
    pages = max(1, -(-total // page_size))
    if page > pages:
        return _error_page(site, status.HTTP_404_NOT_FOUND)
    listing = Listing(
        field=filters.field,
        kind=filters.kind,
        quarter=quarter,
        unit=unit,
        words=q.strip(),
        page=page,
        pages=pages,
        total=total,
        units=_units(request),
        quarters=quarters,
    )
    return HTMLResponse(render_index(site, stories, listing))


def _units(request: Request) -> list[Choice]:
    """Today's communes, each followed by its offices and organisations (worked out once a day)."""
    today = vietnam_date(datetime.now(UTC))
    kept: tuple[date, list[Choice]] | None = getattr(request.app.state, "unit_choices", None)
    if kept is not None and kept[0] == today:
        return kept[1]
    organisation: Organisation = request.app.state.organisation
    units = [u for u in organisation.units if u.valid_on(today)]
    communes = organisation.communes_on(today)
    choices = []
    for commune in communes:
        choices.append(Choice(commune.id, commune.name))
        members = [u for u in units if u != commune and organisation.commune_of(u.id, today) == commune]
        choices += [Choice(u.id, f"— {u.name}") for u in members]
    request.app.state.unit_choices = (today, choices)
    return choices


@router.get("/stories/{slug}", response_class=HTMLResponse)
async def story_page(db: DatabaseDep, site: SiteDep, slug: str) -> HTMLResponse:
    """A story with its commendations; 410 once retracted, and a draft is as unknown as a missing one."""
    async with db.read() as connection:
        store = PublishingStore(connection)
        story = await store.get_story_by_slug(slug)
        if story is not None and story.retracted and story.published_at is not None:
            return _error_page(site, status.HTTP_410_GONE)
        if story is None or not await store.on_channel(story.story_id, "web"):
            return _error_page(site, status.HTTP_404_NOT_FOUND)
        commendations = await store.commendations_for([story.exemplar_id])
    return HTMLResponse(render_story_page(site, story, commendations[story.exemplar_id]))


async def _feed_stories(db: DatabaseDep) -> tuple[list[Story], dict[uuid.UUID, list[Commendation]]]:
    async with db.read() as connection:
        store = PublishingStore(connection)
        stories = await store.list_on("feeds", limit=FEED_SIZE, by_updated=True)
        commendations = await store.commendations_for([s.exemplar_id for s in stories])
    return stories, commendations


@router.get("/feed.atom", response_class=Response, responses={200: {"content": {CONTENT_TYPE: {}}}})
async def feed(db: DatabaseDep, site: SiteDep) -> Response:
    """Atom 1.0: the newest stories by last change, with stable entry ids; a retracted story leaves it."""
    return Response(build_feed(site, *await _feed_stories(db)), media_type=CONTENT_TYPE)


@router.get("/feed.rss", response_class=Response, responses={200: {"content": {RSS_TYPE: {}}}})
async def rss(db: DatabaseDep, site: SiteDep) -> Response:
    """RSS 2.0: the same stories, with the same ids, as the Atom feed."""
    return Response(build_rss(site, *await _feed_stories(db)), media_type=RSS_TYPE)


@router.get("/feed.json", response_class=Response, responses={200: {"content": {JSON_FEED_TYPE: {}}}})
async def json_feed(db: DatabaseDep, site: SiteDep) -> Response:
    """JSON Feed 1.1: the same stories, with the same ids, as the Atom feed."""
    return Response(build_json_feed(site, *await _feed_stories(db)), media_type=JSON_FEED_TYPE)


@router.get("/sitemap.xml", response_class=Response, responses={200: {"content": {SITEMAP_TYPE: {}}}})
async def sitemap(db: DatabaseDep, site: SiteDep) -> Response:
    """Every published story page, for search engines."""
    async with db.read() as connection:
        pages = await PublishingStore(connection).pages_on("web", limit=SITEMAP_SIZE)
    return Response(build_sitemap(site, pages), media_type=SITEMAP_TYPE)


@router.get("/robots.txt", response_class=PlainTextResponse)
async def robots_txt(site: SiteDep) -> PlainTextResponse:
    return PlainTextResponse(robots(site))


def html_errors(app: FastAPI, site: Site) -> None:
    """Pages answer errors in HTML; the JSON API keeps its JSON."""
    page = error_page(site)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        return page(request, exc.status_code) or await json_error(request, exc)

    async def failure(request: Request, exc: Exception) -> Response:
        log.exception("%s %s failed", request.method, request.url.path, exc_info=exc)
        return page(request, 500) or JSONResponse({"detail": error_body(500, None)}, status_code=500)

    async def invalid(request: Request, exc: Exception) -> Response:
        return page(request, status.HTTP_400_BAD_REQUEST) or await validation_error(request, exc)

    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(Exception, failure)
