"""Publishing use cases: publish (or withhold) a story for an approved exemplar on every channel;
place it on a channel that needs a job; cite awards on the story.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from pydantic import BaseModel

from common.errors import Unprocessable
from common.events import AwardGranted, Envelope, Event, ExemplarApproved
from common.jobs import Job, JobKind
from common.processing import Handlers
from common.unit_of_work import UnitOfWork
from publishing.adapters.repository import PublishingStore
from publishing.channels import Channel
from publishing.domain.model import Publication, Story, StoryPlaced, story_id_for
from publishing.integration import commendation_from_award, story_from_approved

__all__ = ["PLACE", "PlaceStory", "PublishingUnitOfWork", "handlers", "place_job", "placing", "publish_stories"]

PublishingUnitOfWork = UnitOfWork[PublishingStore, StoryPlaced]
PLACE = "place-story"
PLACE_ATTEMPTS = 10  # waits of 10 s, 20 s, … about 1.4 hours in all, then an operator decides


class PlaceStory(BaseModel):
    """The job that puts one story on one channel."""

    story_id: uuid.UUID
    channel: str
    cause: Envelope  # the approval: its StoryPublished on this channel follows its correlation


async def publish_stories(
    uow: PublishingUnitOfWork, events: Sequence[Event[ExemplarApproved]], channels: Sequence[Channel]
) -> None:
    """ExemplarApproved: one story per exemplar; with the nominee's consent it goes on every channel.

    Pages and feeds are placed at once; any other channel gets a job, run after the commit. A
    second approval event for the same exemplar (here or in an earlier batch) changes nothing.
    """
    now = datetime.now(UTC)
    async with uow:
        drafts = [(story_from_approved(event.payload, now), event) for event in events]
        stored = await uow.store.add_stories([story for story, _ in drafts])
        records: list[Publication] = []
        for story, event in drafts:
            if story.story_id not in stored or not story.visible:
                continue
            stored.discard(story.story_id)  # a copy later in the list releases nothing
            for channel in channels:
                records.append(await _first_record(uow, story, channel, now, event.envelope))
            uow.track(story, cause=event.envelope)
        await uow.store.add_publications(records)


async def _first_record(
    uow: PublishingUnitOfWork, story: Story, channel: Channel, now: datetime, cause: Envelope
) -> Publication:
    if channel.immediate:
        placement = await channel.place(story, ())
        story.placed(channel.name, placement)
        return Publication.first(story.story_id, channel.name, now, placement)
    uow.enqueue(place_job(story.story_id, channel.name, now, cause))
    return Publication.first(story.story_id, channel.name, now)


def place_job(story_id: uuid.UUID, channel: str, now: datetime, cause: Envelope) -> Job:
    """One job per story and channel: its key is what makes a second enqueue a no-op."""
    payload = PlaceStory(story_id=story_id, channel=channel, cause=cause).model_dump_json()
    return Job(PLACE, f"{story_id}:{channel}", payload, PLACE_ATTEMPTS, now)


def placing(unit_of_work: Callable[[], PublishingUnitOfWork], channels: Sequence[Channel]) -> JobKind[PlaceStory]:
    """The job kind that places a story on a channel, outside any transaction, and records the outcome."""
    by_name = {channel.name: channel for channel in channels}

    async def place(job: PlaceStory) -> None:
        channel = by_name.get(job.channel)
        if channel is None:
            raise Unprocessable("unknown-channel", f"no channel {job.channel!r} is registered")
        async with unit_of_work().reading() as store:
            story = await store.get_story(job.story_id)
            cited = await store.commendations_for([story.exemplar_id]) if story else {}
        if story is None or not story.visible:
            raise Unprocessable("no-such-story", f"story {job.story_id} is not published")
        commendations = cited[story.exemplar_id]
        try:
            placement = await channel.place(story, commendations)
        except Exception as error:
            async with unit_of_work() as uow:
                await uow.store.record_failure(
                    job.story_id, job.channel, f"{type(error).__name__}: {error}", datetime.now(UTC)
                )
            raise
        async with unit_of_work() as uow:
            if await uow.store.record_placement(job.story_id, job.channel, placement, datetime.now(UTC)):
                story.placed(job.channel, placement)
                uow.track(story, cause=job.cause)

    async def failed(job: PlaceStory, error: str) -> None:
        async with unit_of_work() as uow:
            await uow.store.mark_failed(job.story_id, job.channel, error, datetime.now(UTC))

    return JobKind(PLACE, PlaceStory, place, max_attempts=PLACE_ATTEMPTS, failed=failed)


async def record_commendations(uow: PublishingUnitOfWork, events: Sequence[Event[AwardGranted]]) -> None:
    """AwardGranted: keep each commendation, even before its story exists, and refresh the story."""
    now = datetime.now(UTC)
    awards = [event.payload for event in events]
    async with uow:
        recorded = await uow.store.add_commendations(
            [(commendation_from_award(a), a.nomination_id) for a in awards], recorded_at=now
        )
        await uow.store.touch_stories(
            sorted({story_id_for(a.exemplar_id) for a in awards if a.award_id in recorded}), now
        )


def handlers(channels: Sequence[Channel]) -> Handlers[PublishingStore, StoryPlaced]:
    """What the publishing group does with the events it reads, from both streams."""

    async def publish(uow: PublishingUnitOfWork, events: Sequence[Event[ExemplarApproved]]) -> None:
        await publish_stories(uow, events, channels)

    return Handlers[PublishingStore, StoryPlaced]().on(ExemplarApproved, publish).on(AwardGranted, record_commendations)
