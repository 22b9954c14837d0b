"""Occasions' reportages, drafted for the editors before the day.

A planner looks every hour at the calendar: for each occasion with a reportage whose drafting
days have come, it compiles the outstanding exemplars out on the portal since the same occasion a
year before and stores the reportage as a draft. Until an editor touches it, the draft follows
what is on the portal (a story published since, or one retracted, changes it); once edited,
approved or scheduled it is the editors' own. Where the office lets stories reach channels
without an editor, the reportage is scheduled for the morning of the day on those channels.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from common.dates import VIETNAM_TIME
from publishing.adapters.occasion_records import Reportage
from publishing.domain.model import StoryStatus
from publishing.domain.occasions import Calendar, Occasion
from publishing.domain.reportage import choose_outstanding, draft_reportage, reportage_id
from publishing.service.editorial import Newsroom, approve_story
from publishing.service.placing import PublishingUnitOfWork

__all__ = [
    "MORNING",
    "PORTAL",
    "AlreadyEdited",
    "Drafted",
    "NothingToCompile",
    "Occasions",
    "draft_occasions",
    "draft_reportage_now",
]

log = logging.getLogger(__name__)

MORNING = time(7, 0)  # when an automatically approved reportage goes out on its day
PORTAL = "web"  # the channel whose stories a reportage compiles


class NothingToCompile(LookupError):
    """No exemplar's story is on the portal for the period the reportage covers."""


class AlreadyEdited(RuntimeError):
    """The reportage is the editors' own now (edited, scheduled or published): it is not redrafted."""


@dataclass(frozen=True)
class Occasions:
    calendar: Calendar
    agency: str


@dataclass(frozen=True)
class Drafted:
    story_id: uuid.UUID
    sources: int
    fresh: bool  # drafted now for the first time (False: an untouched draft brought up to date)


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), VIETNAM_TIME).astimezone(UTC)


async def _compile(
    uow: PublishingUnitOfWork, occasions: Occasions, occasion: Occasion, year: int, newsroom: Newsroom, now: datetime
) -> Drafted:
    """Draft (or bring up to date) the reportage of ``occasion`` in ``year``, inside ``uow``."""
    store = uow.store
    story_id = reportage_id(occasion.id, year)
    existing = await store.get_story(story_id, for_update=True)
    if existing is not None and (
        existing.status is not StoryStatus.DRAFT
        or existing.revision > 1
        or any((await store.publications_for([story_id]))[story_id])
    ):
        raise AlreadyEdited(f"phóng sự “{existing.title}” đã được biên tập viên xử lý, không soạn lại")
    first, _ = occasion.covers(year)
    ids = await store.exemplars_published(PORTAL, _start_of(first), now, [f.value for f in occasion.fields])
    found = await store.get_stories(ids)
    commendations = await store.commendations_for([s.exemplar_id for s in found])
    chosen = choose_outstanding(found, commendations, occasion.at_most)
    if not chosen:
        raise NothingToCompile(
            f"chưa có gương điển hình nào được đăng trên cổng thông tin từ ngày {first:%d/%m/%Y} để soạn phóng sự"
        )
    compiled = draft_reportage(occasion, year, chosen, commendations, agency=occasions.agency, now=now)
    reportage = Reportage(story_id, occasion.id, year, compiled.sources, now)
    if existing is None:
        await store.add_stories([compiled.story])
        await store.put_reportage(reportage)
        if newsroom.auto_approve:
            on_the_day = datetime.combine(occasion.on(year), MORNING, VIETNAM_TIME).astimezone(UTC)
            await approve_story(
                uow, newsroom, story_id, by="tự động", channels=sorted(newsroom.auto_approve), at=on_the_day
            )
        return Drafted(story_id, len(compiled.sources), fresh=True)
    kept = await store.reportage(story_id)
    if kept is None or kept.sources != compiled.sources:
        text = compiled.story
        existing.title, existing.summary, existing.body, existing.updated_at = (
            text.title, text.summary, text.body, now,
        )  # fmt: skip
        await store.save_story(existing)
        await store.put_reportage(reportage)
    return Drafted(story_id, len(compiled.sources), fresh=False)


async def draft_reportage_now(
    uow: PublishingUnitOfWork, occasions: Occasions, newsroom: Newsroom, occasion: Occasion, year: int
) -> Drafted:
    """An editor asks for the reportage now (before its drafting days, or to bring it up to date).

    Refused (NothingToCompile, AlreadyEdited) when there is nothing to compile or the editors
    already worked on it."""
    async with uow:
        return await _compile(uow, occasions, occasion, year, newsroom, datetime.now(UTC))


async def draft_occasions(
    uow: PublishingUnitOfWork, occasions: Occasions, newsroom: Newsroom, *, now: datetime | None = None
) -> list[Drafted]:
    """Draft each reportage whose drafting days have come (and keep untouched drafts up to date)."""
    now = now or datetime.now(UTC)
    today = now.astimezone(VIETNAM_TIME).date()
    done: list[Drafted] = []
    for occasion in occasions.calendar.occasions:
        year = occasion.drafting_year(today)
        if year is None:
            continue
        try:
            async with uow:
                drafted = await _compile(uow, occasions, occasion, year, newsroom, now)
        except AlreadyEdited:
            continue
        except NothingToCompile as nothing:
            log.warning("no reportage for %s %d yet: %s", occasion.id, year, nothing)
            continue
        if drafted.fresh:
            log.info("reportage of %s %d drafted from %d stories", occasion.id, year, drafted.sources)
        done.append(drafted)
    return done
