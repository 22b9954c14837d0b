"""Rundowns (chương trình phát thanh): what each commune's radio plays in each slot.

A planner looks every minute at the slots still to come (today and tomorrow): where the bulletins
on air at a slot's start are not those its rundown was built from, it enqueues a job that builds
it again; a slot left with nothing to play loses its rundown. The job, on the slow-work path,
speaks the opening and closing words (kept once made), chooses the bulletins that fit the slot
(emergency and priority first), joins their audio and records the rundown. An emergency bulletin
is therefore in the next rundown within a minute of its approval.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from pydantic import BaseModel

from common.jobs import Job, JobKind
from common.organisation import Organisation, lower_kind_word
from publishing.adapters.radio_records import Bulletin, Rundown
from publishing.channels.radio import Radio
from publishing.radio.audio import Tags, encode, join, seconds_of, silence
from publishing.radio.station import On, Slot, choose, rundown_guid
from publishing.service.placing import PublishingUnitOfWork

__all__ = ["BUILD", "BuildRundown", "building", "candidates_digest", "plan_rundowns"]

log = logging.getLogger(__name__)

BUILD = "build-rundown"
BUILD_ATTEMPTS = 8


class BuildRundown(BaseModel):
    commune_id: str
    day: date
    slot: str
    candidates: str  # the digest the planner saw: a later change makes another job


def candidates_digest(found: Sequence[Bulletin]) -> str:
    """What a rundown was built from: each bulletin on air with its text's revision and priority."""
    parts = sorted(f"{b.story_id}:{b.revision}:{b.priority.value}" for b in found)
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def _job(commune_id: str, day: date, slot: str, digest: str, now: datetime) -> Job:
    payload = BuildRundown(commune_id=commune_id, day=day, slot=slot, candidates=digest)
    return Job(BUILD, f"{commune_id}:{day.isoformat()}:{slot}:{digest}", payload.model_dump_json(), BUILD_ATTEMPTS, now)


async def plan_rundowns(uow: PublishingUnitOfWork, radio: Radio, *, now: datetime | None = None) -> int:
    """Enqueue a build for each slot to come whose bulletins changed; the number enqueued."""
    now = now or datetime.now(UTC)
    enqueued = 0
    async with uow:
        store = uow.store
        dropped: list[tuple[str, date, str]] = []
        for day, slot in radio.station.upcoming(now):
            starts = slot.on(day)
            by_commune: dict[str, list[Bulletin]] = {}
            for bulletin in await store.on_air(starts):
                by_commune.setdefault(bulletin.commune_id, []).append(bulletin)
            built = {r.commune_id: r for r in await store.rundowns_at(starts)}
            for commune_id, found in by_commune.items():
                digest = candidates_digest(found)
                kept = built.get(commune_id)
                if kept is None or kept.candidates != digest:
                    uow.enqueue(_job(commune_id, day, slot.id, digest, now))
                    enqueued += 1
            dropped += [(c, day, slot.id) for c in built if c not in by_commune]
        await store.drop_rundowns(dropped)
    return enqueued


def building(unit_of_work: Callable[[], PublishingUnitOfWork], radio: Radio) -> JobKind[BuildRundown]:
    """The job kind that builds one rundown from the bulletins on air at its slot's start."""

    async def build(job: BuildRundown) -> None:
        slot = radio.station.slot(job.slot)
        if slot is None:
            return  # the slot left the radio file
        starts = slot.on(job.day)
        async with unit_of_work().reading() as store:
            found = await store.on_air(starts, job.commune_id)
        if candidates_digest(found) != job.candidates:
            return  # changed since: the planner has made a job for what is on air now
        await _build(unit_of_work, radio, job.commune_id, job.day, slot, found)

    return JobKind(BUILD, BuildRundown, build, max_attempts=BUILD_ATTEMPTS)


def _commune_name(organisation: Organisation, commune_id: str) -> str:
    return lower_kind_word(organisation.name_of(commune_id))


async def _spoken_once(radio: Radio, text: str, tags: Tags) -> tuple[Path, float]:
    """Words spoken once and kept (an opening, a closing), by what they say."""
    digest = hashlib.sha256(text.encode()).hexdigest()[:24]
    target = radio.media / "radio" / "frames" / f"{digest}.mp3"
    if not await asyncio.to_thread(target.exists):
        speech = await radio.speech.synthesize(text, voice="vi")
        await encode(speech.audio, target, tags)
    return target, await asyncio.to_thread(seconds_of, target)


async def _build(
    unit_of_work: Callable[[], PublishingUnitOfWork],
    radio: Radio,
    commune_id: str,
    day: date,
    slot: Slot,
    found: Sequence[Bulletin],
) -> None:
    station, organisation = radio.station, radio.organisation
    commune = _commune_name(organisation, commune_id)
    title = f"{station.series} – {slot.name} ngày {day.strftime('%d/%m/%Y')}"
    tags = Tags(
        title=title,
        artist=station.station_of(commune),
        album=station.series,
        publisher=radio.agency,
        date=day.isoformat(),
    )
    opening, opening_seconds = await _spoken_once(radio, station.opening_words(commune, slot, day), tags)
    closing, closing_seconds = await _spoken_once(radio, station.closing_words(commune), tags)
    gap = await silence(radio.media / "radio" / "frames" / f"gap-{station.gap_seconds:.1f}.mp3", station.gap_seconds)
    by_story = {b.story_id: b for b in found}
    candidates = [On(b.story_id, b.revision, b.priority, b.seconds, b.on_air_from) for b in found]
    limit = slot.minutes * 60.0
    frame = opening_seconds + closing_seconds + station.gap_seconds
    budget = limit
    while True:
        choice = choose(candidates, slot_seconds=budget, frame_seconds=frame, gap_seconds=station.gap_seconds)
        if not choice.played:
            async with unit_of_work() as uow:
                await uow.store.drop_rundowns([(commune_id, day, slot.id)])
            return
        guid = rundown_guid(commune_id, day, slot.id, choice.played)
        relative = f"radio/{commune_id}/{day.isoformat()}-{slot.id}-{guid.hex[:12]}.mp3"
        parts = [opening, gap]
        for on in choice.played:
            parts += [radio.media / by_story[on.story_id].audio, gap]
        parts.append(closing)
        seconds = await join(parts, radio.media / relative, tags)
        if seconds <= limit:
            break
        # The joined parts ran over (each MP3 part brings its few milliseconds of padding): choose
        # again for a slot shorter by as much; what no longer fits is left out, and said so.
        await asyncio.to_thread((radio.media / relative).unlink, missing_ok=True)
        budget -= seconds - limit + 0.5
    size = (await asyncio.to_thread((radio.media / relative).stat)).st_size
    rundown = Rundown(
        commune_id=commune_id,
        day=day,
        slot=slot.id,
        guid=guid,
        candidates=candidates_digest(found),
        starts_at=slot.on(day),
        played=[
            {
                "story_id": str(on.story_id),
                "revision": on.revision,
                "title": by_story[on.story_id].title,
                "seconds": on.seconds,
            }
            for on in choice.played
        ],
        left_out=[str(on.story_id) for on in choice.left_out],
        audio=relative,
        seconds=seconds,
        bytes=size,
        built_at=datetime.now(UTC),
    )
    async with unit_of_work() as uow:
        await uow.store.put_rundown(rundown)
    log.info("rundown %s %s %s: %d bulletins, %.0f s", commune_id, day, slot.id, len(choice.played), seconds)
