"""Leaflets (tờ tin), as PDF ready to print, A4 and A5: each commune's stories of a quarter, each
occasion's reportage, and sets an editor chose.

A planner looks every minute at what each leaflet should hold (the stories approved for print of
its commune and quarter, or its chosen set, less any retracted since, with their text's revision
and their commendations): where that differs from what the leaflet was built from, it enqueues a
job that builds it again on the slow-work path. A leaflet left with no story says so.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel

from common.dates import quarter_label
from common.jobs import Job, JobKind
from common.organisation import Organisation, lower_kind_word
from common.ports.pdf import PdfRenderer
from publishing.adapters.print_records import InPrint, Leaflet
from publishing.adapters.repository import PublishingStore
from publishing.channels.html import render_page
from publishing.channels.site import Site
from publishing.domain.model import Commendation, Story, StoryKind
from publishing.service.placing import PublishingUnitOfWork

__all__ = ["BUILD_LEAFLET", "SIZES", "BuildLeaflet", "Printing", "choose_leaflet", "leaflet_building", "plan_leaflets"]

log = logging.getLogger(__name__)

BUILD_LEAFLET = "build-leaflet"
SIZES = ("A4", "A5")


@dataclass(frozen=True)
class Printing:
    """What leaflets need: a PDF renderer, where files go, the site and its agency, the communes' names."""

    renderer: PdfRenderer
    media: Path
    site: Site
    organisation: Organisation


class BuildLeaflet(BaseModel):
    leaflet_id: uuid.UUID
    digest: str  # what the planner saw: a later change makes another job


def quarter_leaflet_id(commune_id: str, quarter: str, size: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"leaflet:{commune_id}:{quarter}:{size}")


def _digest(stories: Sequence[Story], commendations: dict[uuid.UUID, list[Commendation]]) -> str:
    parts = [
        f"{s.story_id}:{s.revision}:{','.join(str(c.award_id) for c in commendations.get(s.exemplar_id, []))}"
        for s in stories
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def reportage_leaflet_id(story_id: uuid.UUID, size: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"leaflet:reportage:{story_id}:{size}")


async def _contents(
    store: PublishingStore, leaflet: Leaflet, in_print: Sequence[InPrint] | None = None
) -> tuple[list[Story], dict[uuid.UUID, list[Commendation]]]:
    """The stories the leaflet holds now, in order, and their commendations (a reportage's leaflet
    holds the reportage while it is in print)."""
    placed = in_print if in_print is not None else await store.in_print()
    if leaflet.kind == "quarter":
        ids = [p.story_id for p in placed if (p.commune_id, p.quarter) == (leaflet.commune_id, leaflet.quarter)]
    elif leaflet.kind == "reportage":
        out = {p.story_id for p in placed}
        ids = [i for i in (uuid.UUID(i) for i in leaflet.story_ids) if i in out]
    else:
        ids = [uuid.UUID(i) for i in leaflet.story_ids]
    found = [s for s in await store.get_stories(ids) if not s.retracted]
    if leaflet.kind == "quarter":
        found.sort(key=lambda s: (s.published_at or s.drafted_at, str(s.story_id)))
    return found, await store.commendations_for([s.exemplar_id for s in found])


async def plan_leaflets(uow: PublishingUnitOfWork, printing: Printing, *, now: datetime | None = None) -> int:
    """Make sure every commune and quarter with stories in print (and every reportage in print) has its
    leaflets, and enqueue a build for each leaflet whose contents changed; the number enqueued."""
    now = now or datetime.now(UTC)
    enqueued = 0
    async with uow:
        store = uow.store
        kept = {found.leaflet_id: found for found in await store.leaflets_of()}
        in_print = await store.in_print()
        wanted: list[Leaflet] = []
        for commune_id, quarter in sorted({(p.commune_id, p.quarter) for p in in_print if p.commune_id is not None}):
            title = f"Tờ tin {quarter_label(quarter)} – {_commune(printing, commune_id)}"
            wanted += [
                _new(
                    quarter_leaflet_id(commune_id, quarter, size), "quarter", commune_id, quarter, size, title, [], now
                )
                for size in SIZES
            ]
        for placed in in_print:
            if placed.kind is StoryKind.REPORTAGE:
                ids = [str(placed.story_id)]
                wanted += [
                    _new(
                        reportage_leaflet_id(placed.story_id, size),
                        "reportage",
                        None,
                        placed.quarter,
                        size,
                        placed.title,
                        ids,
                        now,
                    )
                    for size in SIZES
                ]
        for fresh in wanted:
            if fresh.leaflet_id not in kept:
                await store.put_leaflet(fresh)
                kept[fresh.leaflet_id] = fresh
        for leaflet in kept.values():
            stories, commendations = await _contents(store, leaflet, in_print)
            digest = _digest(stories, commendations)
            if digest != leaflet.digest:
                payload = BuildLeaflet(leaflet_id=leaflet.leaflet_id, digest=digest)
                uow.enqueue(Job(BUILD_LEAFLET, f"{leaflet.leaflet_id}:{digest}", payload.model_dump_json(), 8, now))
                enqueued += 1
    return enqueued


def _new(
    leaflet_id: uuid.UUID,
    kind: str,
    commune_id: str | None,
    quarter: str | None,
    size: str,
    title: str,
    story_ids: list[str],
    now: datetime,
) -> Leaflet:
    return Leaflet(
        leaflet_id, kind, commune_id, quarter, size, title, story_ids, "building",
        None, None, None, None, None, None, now,
    )  # fmt: skip


async def choose_leaflet(
    uow: PublishingUnitOfWork, story_ids: Sequence[uuid.UUID], *, size: str, title: str, by: str
) -> Leaflet:
    """A leaflet of stories an editor chose, in that order; built by a job."""
    now = datetime.now(UTC)
    leaflet = replace(
        _new(uuid.uuid4(), "chosen", None, None, size, title, [str(i) for i in story_ids], now), requested_by=by
    )
    async with uow:
        await uow.store.put_leaflet(leaflet)
        stories, commendations = await _contents(uow.store, leaflet)
        digest = _digest(stories, commendations)
        payload = BuildLeaflet(leaflet_id=leaflet.leaflet_id, digest=digest)
        uow.enqueue(Job(BUILD_LEAFLET, f"{leaflet.leaflet_id}:{digest}", payload.model_dump_json(), 8, now))
    return leaflet


def _commune(printing: Printing, commune_id: str | None) -> str:
    return lower_kind_word(printing.organisation.name_of(commune_id)) if commune_id else ""


_SLUG = re.compile(r"[^a-z0-9-]+")


def leaflet_building(unit_of_work: Callable[[], PublishingUnitOfWork], printing: Printing) -> JobKind[BuildLeaflet]:
    """The job kind that renders one leaflet's PDF from what it holds now."""

    async def build(job: BuildLeaflet) -> None:
        async with unit_of_work().reading() as store:
            leaflet = await store.leaflet(job.leaflet_id)
            if leaflet is None:
                return
            stories, commendations = await _contents(store, leaflet)
        if _digest(stories, commendations) != job.digest:
            return  # changed since: the planner has made a job for what it holds now
        now = datetime.now(UTC)
        if not stories:
            async with unit_of_work() as uow:
                await uow.store.put_leaflet(replace(leaflet, state="empty", digest=job.digest, built_at=now))
            return
        subtitle = leaflet.title
        if leaflet.kind == "quarter":
            subtitle = f"{_commune(printing, leaflet.commune_id).capitalize()} – {quarter_label(leaflet.quarter or '')}"
        html = render_page(
            "leaflet.html",
            title=leaflet.title,
            subtitle=subtitle,
            size=leaflet.size,
            agency=printing.site.agency,
            site_title=printing.site.title,
            site_url=printing.site.home_url,
            items=[{"story": s, "commendations": commendations.get(s.exemplar_id, [])} for s in stories],
        )
        pdf = await printing.renderer.render(html)
        if leaflet.kind == "quarter":
            stem = f"{leaflet.commune_id}-{leaflet.quarter}"
        else:
            stem = f"{'phong-su' if leaflet.kind == 'reportage' else 'chon'}-{leaflet.leaflet_id.hex[:8]}"
        stem = _SLUG.sub("-", stem.lower())
        relative = f"leaflets/{stem}-{leaflet.size.lower()}-{job.digest[:12]}.pdf"
        target = printing.media / relative
        await asyncio.to_thread(_write, target, pdf.content)
        done = replace(
            leaflet,
            state="ready",
            digest=job.digest,
            file=relative,
            bytes=len(pdf.content),
            pages=pdf.pages,
            built_at=now,
        )
        async with unit_of_work() as uow:
            await uow.store.put_leaflet(done)
        log.info("leaflet %s (%s, %d stories, %d pages) built", leaflet.title, leaflet.size, len(stories), pdf.pages)

    return JobKind(BUILD_LEAFLET, BuildLeaflet, build, max_attempts=8)


def _write(target: Path, content: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.part")
    partial.write_bytes(content)
    partial.replace(target)
