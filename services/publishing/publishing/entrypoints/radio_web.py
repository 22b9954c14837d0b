"""The radio on the public site: a commune's page to listen to its latest rundowns, and its podcast."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request, status
from fastapi.responses import HTMLResponse, Response

from common.dates import vietnam_date, vn_date
from common.labels import upper_first
from common.organisation import lower_kind_word
from publishing.adapters.radio_records import Rundown
from publishing.adapters.repository import PublishingStore
from publishing.channels.html import render_page
from publishing.channels.radio import Radio
from publishing.entrypoints.deps import DatabaseDep, SiteDep
from publishing.radio.podcast import PODCAST_TYPE, build_podcast

__all__ = ["router"]

router = APIRouter(tags=["radio"])

EPISODES = 30
Commune = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,79}$")]


@dataclass(frozen=True)
class Episode:
    rundown: Rundown
    title: str
    length: str


def _radio(request: Request) -> Radio:
    radio: Radio | None = getattr(request.app.state, "radio", None)
    if radio is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no radio")
    return radio


def _commune_name(radio: Radio, commune_id: str) -> str:
    """ "xã Bản Nguyên", for a commune or ward of the organisation; 404 for anything else."""
    if not radio.organisation.is_commune(commune_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no commune {commune_id}")
    return lower_kind_word(radio.organisation.name_of(commune_id))


def _episode(radio: Radio, rundown: Rundown) -> Episode:
    slot = radio.station.slot(rundown.slot)
    minutes, seconds = divmod(round(rundown.seconds), 60)
    title = f"{upper_first(slot.name if slot else rundown.slot)} ngày {vn_date(rundown.day)}"
    return Episode(rundown, title, f"{minutes} phút {seconds:02d} giây")


@dataclass(frozen=True)
class Station:
    id: str
    station: str


@router.get("/radio", response_class=HTMLResponse)
async def stations(request: Request, site: SiteDep) -> HTMLResponse:
    """Every commune's radio today, to listen to."""
    radio = _radio(request)
    today = vietnam_date(datetime.now(UTC))
    communes = [
        Station(u.id, upper_first(radio.station.station_of(lower_kind_word(u.name))))
        for u in radio.organisation.communes_on(today)
    ]
    slots = " và ".join(f"{s.name} ({s.starts:%H:%M})" for s in radio.station.slots)
    return HTMLResponse(
        render_page("radio_index.html", site=site, series=radio.station.series, slots=slots, communes=communes)
    )


@router.get("/radio/{commune_id}", response_class=HTMLResponse)
async def listen(request: Request, db: DatabaseDep, site: SiteDep, commune_id: Commune) -> HTMLResponse:
    """The commune's latest rundown to listen to, and the ones before."""
    radio = _radio(request)
    commune = _commune_name(radio, commune_id)
    async with db.read() as connection:
        rundowns = await PublishingStore(connection).rundowns_of(commune_id, limit=EPISODES)
    episodes = [_episode(radio, r) for r in rundowns]
    return HTMLResponse(
        render_page(
            "radio.html",
            site=site,
            commune_id=commune_id,
            station_name=upper_first(radio.station.station_of(commune)),
            series=radio.station.series,
            latest=episodes[0] if episodes else None,
            earlier=episodes[1:],
        )
    )


@router.get(
    "/radio/{commune_id}/podcast.xml", response_class=Response, responses={200: {"content": {PODCAST_TYPE: {}}}}
)
async def podcast(request: Request, db: DatabaseDep, site: SiteDep, commune_id: Commune) -> Response:
    """RSS 2.0 with iTunes and Podcasting 2.0 tags: radio automation ingests it."""
    radio = _radio(request)
    commune = _commune_name(radio, commune_id)
    async with db.read() as connection:
        rundowns = await PublishingStore(connection).rundowns_of(commune_id, limit=EPISODES)
    document = build_podcast(site, radio.station, commune_id, commune, radio.agency, rundowns)
    return Response(document, media_type=PODCAST_TYPE)
