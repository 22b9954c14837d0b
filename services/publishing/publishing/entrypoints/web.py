"""The public web side: the index of stories, story pages and the Atom feed (no login to read)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import HTMLResponse, Response

from publishing.adapters.repository import PublishingStore
from publishing.channels.atom import CONTENT_TYPE, build_feed
from publishing.channels.html import render_index, render_not_found, render_story_page
from publishing.entrypoints.deps import DatabaseDep, PageSizeDep, SiteDep

__all__ = ["FEED_SIZE", "router"]

FEED_SIZE = 50

router = APIRouter(tags=["web"])


@router.get("/", response_class=HTMLResponse)
async def index(
    db: DatabaseDep, site: SiteDep, page_size: PageSizeDep, page: Annotated[int, Query(ge=1, le=1_000_000)] = 1
) -> HTMLResponse:
    """Published stories, newest first."""
    async with db.read() as connection:
        store = PublishingStore(connection)
        total = await store.count_published()
        stories = await store.list_published(limit=page_size, offset=(page - 1) * page_size)
    pages = max(1, -(-total // page_size))
    if page > pages:
        return HTMLResponse(render_not_found(site), status_code=status.HTTP_404_NOT_FOUND)
    return HTMLResponse(render_index(site, stories, page=page, pages=pages))


@router.get("/stories/{slug}", response_class=HTMLResponse)
async def story_page(db: DatabaseDep, site: SiteDep, slug: str) -> HTMLResponse:
    """A story with its commendations; a withheld story is as unknown as a missing one."""
    async with db.read() as connection:
        store = PublishingStore(connection)
        story = await store.get_story_by_slug(slug)
        if story is None or not story.visible:
            return HTMLResponse(render_not_found(site), status_code=status.HTTP_404_NOT_FOUND)
        commendations = await store.commendations_for([story.exemplar_id])
    return HTMLResponse(render_story_page(site, story, commendations[story.exemplar_id]))


@router.get("/feed.atom", response_class=Response, responses={200: {"content": {CONTENT_TYPE: {}}}})
async def feed(db: DatabaseDep, site: SiteDep) -> Response:
    """Atom 1.0: the newest stories by last change, with stable entry ids."""
    async with db.read() as connection:
        store = PublishingStore(connection)
        stories = await store.list_published(limit=FEED_SIZE, by_updated=True)
        commendations = await store.commendations_for([s.exemplar_id for s in stories])
    return Response(build_feed(site, stories, commendations), media_type=CONTENT_TYPE)
