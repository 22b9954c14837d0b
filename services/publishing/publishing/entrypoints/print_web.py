"""Leaflets on the public site, and for the editors: a commune's leaflets to download, sets to build."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import groupby
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Request, status
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from common.auth import Principal, Role, require_roles
from common.dates import quarter_label, vietnam_date
from common.events import ShortText
from common.labels import upper_first
from common.organisation import lower_kind_word
from publishing.adapters.print_records import Leaflet
from publishing.adapters.repository import PublishingStore
from publishing.channels.html import render_page
from publishing.channels.site import Site
from publishing.entrypoints.deps import DatabaseDep, SiteDep
from publishing.service.printing import Printing, choose_leaflet

__all__ = ["editor_router", "router"]

router = APIRouter(tags=["print"])
editor_router = APIRouter(prefix="/api/editor/leaflets", tags=["editor"])

Editor = Annotated[Principal, require_roles(Role.EDITOR)]
Reader = Annotated[Principal, require_roles(Role.EDITOR, Role.OPERATOR)]
Commune = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,79}$")]


class LeafletView(BaseModel):
    leaflet_id: uuid.UUID
    kind: str
    commune_id: str | None
    quarter: str | None
    size: str
    title: str
    story_ids: list[str]
    state: str
    url: str | None
    bytes: int | None
    pages: int | None
    built_at: datetime | None

    @classmethod
    def of(cls, leaflet: Leaflet, site: Site) -> LeafletView:
        data = {k: getattr(leaflet, k) for k in cls.model_fields if hasattr(leaflet, k)}
        return cls.model_validate(data | {"url": site.url(f"/media/{leaflet.file}") if leaflet.file else None})


class Chosen(BaseModel):
    story_ids: list[uuid.UUID] = Field(min_length=1, max_length=50)
    size: Literal["A4", "A5"] = "A4"
    title: ShortText = "Tờ tin gương điển hình tiên tiến"


def _printing(request: Request) -> Printing:
    printing: Printing = request.app.state.printing
    return printing


@dataclass(frozen=True)
class CommuneLink:
    id: str
    name: str


@router.get("/leaflets", response_class=HTMLResponse)
async def leaflets_index(request: Request, db: DatabaseDep, site: SiteDep) -> HTMLResponse:
    """The occasions' leaflets, and a link to each commune's."""
    organisation = _printing(request).organisation
    today = vietnam_date(datetime.now(UTC))
    async with db.read() as connection:
        found = await PublishingStore(connection).leaflets_of(kind="reportage")
    ready = sorted((f for f in found if f.state == "ready" and f.file), key=lambda f: (f.title, f.size))
    ready.sort(key=lambda f: f.quarter or "", reverse=True)  # the newest first, each with its sizes together
    occasions = [(title, list(g)) for title, g in groupby(ready, key=lambda f: f.title)]
    communes = [CommuneLink(u.id, u.name) for u in organisation.communes_on(today)]
    return HTMLResponse(render_page("leaflets_index.html", site=site, occasions=occasions, communes=communes))


@router.get("/leaflets/{commune_id}", response_class=HTMLResponse)
async def leaflets_page(request: Request, db: DatabaseDep, site: SiteDep, commune_id: Commune) -> HTMLResponse:
    """A commune's leaflets of each quarter, A4 and A5, to download and print."""
    organisation = _printing(request).organisation
    if not organisation.is_commune(commune_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no commune {commune_id}")
    async with db.read() as connection:
        found = await PublishingStore(connection).leaflets_of(commune_id=commune_id, kind="quarter")
    ready = [f for f in found if f.state == "ready" and f.file]
    grouped = [(upper_first(quarter_label(q or "")), list(g)) for q, g in groupby(ready, key=lambda f: f.quarter)]
    return HTMLResponse(
        render_page(
            "leaflets.html",
            site=site,
            commune_name=upper_first(lower_kind_word(organisation.name_of(commune_id))),
            leaflets=grouped,
        )
    )


@editor_router.post("", response_model=LeafletView, status_code=status.HTTP_202_ACCEPTED)
async def choose(request: Request, site: SiteDep, body: Chosen, who: Editor) -> LeafletView:
    """A leaflet of the stories chosen, in that order; built in the background (``state``)."""
    leaflet = await choose_leaflet(
        request.app.state.runtime.unit_of_work(), body.story_ids, size=body.size, title=body.title, by=who.name
    )
    return LeafletView.of(leaflet, site)


@editor_router.get("", response_model=list[LeafletView])
async def listed(db: DatabaseDep, site: SiteDep, _who: Reader, commune: str | None = None) -> list[LeafletView]:
    async with db.read() as connection:
        found = await PublishingStore(connection).leaflets_of(commune_id=commune)
    return [LeafletView.of(f, site) for f in found]


@editor_router.get("/{leaflet_id}", response_model=LeafletView)
async def one(db: DatabaseDep, site: SiteDep, leaflet_id: uuid.UUID, _who: Reader) -> LeafletView:
    async with db.read() as connection:
        found = await PublishingStore(connection).leaflet(leaflet_id)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, {"code": "no-such-leaflet", "message": "không có tờ tin này"})
    return LeafletView.of(found, site)
