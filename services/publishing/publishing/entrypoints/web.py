"""The public web side: the index of stories, story pages and the feeds (no login to read).

A page answers in HTML whatever happens: 404 for what does not exist or is not public, 410 for
a story that was retracted, 500 and 503 when the service fails; only ``/api/`` answers JSON.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, FastAPI, Query, Request, status
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from publishing.adapters.repository import PublishingStore
from publishing.channels.atom import CONTENT_TYPE, build_feed
from publishing.channels.html import render_error, render_index, render_story_page
from publishing.channels.site import Site
from publishing.entrypoints.deps import DatabaseDep, PageSizeDep, SiteDep

__all__ = ["FEED_SIZE", "error_page", "html_errors", "router"]

FEED_SIZE = 50

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


@router.get("/", response_class=HTMLResponse)
async def index(
    db: DatabaseDep, site: SiteDep, page_size: PageSizeDep, page: Annotated[int, Query(ge=1, le=1_000_000)] = 1
) -> HTMLResponse:
    """Published stories, newest first."""
    async with db.read() as connection:
        store = PublishingStore(connection)
        total = await store.count_on("web")
        stories = await store.list_on("web", limit=page_size, offset=(page - 1) * page_size)
    pages = max(1, -(-total // page_size))
    if page > pages:
        return _error_page(site, status.HTTP_404_NOT_FOUND)
    return HTMLResponse(render_index(site, stories, page=page, pages=pages))


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


@router.get("/feed.atom", response_class=Response, responses={200: {"content": {CONTENT_TYPE: {}}}})
async def feed(db: DatabaseDep, site: SiteDep) -> Response:
    """Atom 1.0: the newest stories by last change, with stable entry ids; a retracted story leaves it."""
    async with db.read() as connection:
        store = PublishingStore(connection)
        stories = await store.list_on("feeds", limit=FEED_SIZE, by_updated=True)
        commendations = await store.commendations_for([s.exemplar_id for s in stories])
    return Response(build_feed(site, stories, commendations), media_type=CONTENT_TYPE)


def html_errors(app: FastAPI, site: Site) -> None:
    """Pages answer errors in HTML; the JSON API keeps its JSON."""
    page = error_page(site)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        return page(request, exc.status_code) or await http_exception_handler(request, exc)

    async def failure(request: Request, exc: Exception) -> Response:
        log.exception("%s %s failed", request.method, request.url.path, exc_info=exc)
        return page(request, 500) or JSONResponse({"detail": "Lỗi hệ thống; xin thử lại sau."}, status_code=500)

    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, failure)
