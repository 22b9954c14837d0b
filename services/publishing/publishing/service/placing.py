"""The slow path of a story on a channel: place it, bring a correction to it, take it down.

Each is a job, run after the commit that called for it, outside any transaction, with retries.
Before a story goes out on any channel its state is read again: a story retracted, or one whose
nominee did not consent, goes nowhere, and a publication the editor moved to another time waits
for its own job.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from enum import StrEnum

from pydantic import BaseModel

from common.errors import Unprocessable
from common.events import Envelope
from common.jobs import Job, JobKind
from common.unit_of_work import UnitOfWork
from publishing.adapters.repository import PublishingStore
from publishing.channels import Channel
from publishing.domain.model import NoConsent, NotEditable, PublicationState, StoryEvent

__all__ = ["PLACE", "Action", "PlaceStory", "PublishingUnitOfWork", "channel_job", "placing"]

PublishingUnitOfWork = UnitOfWork[PublishingStore, StoryEvent]
PLACE = "place-story"
PLACE_ATTEMPTS = 10  # waits of 10 s, 20 s, … about 1.4 hours in all, then an operator decides


class Action(StrEnum):
    PLACE = "place"
    UPDATE = "update"  # a correction
    WITHDRAW = "withdraw"  # a retraction


class PlaceStory(BaseModel):
    """The job that puts one story on one channel, corrects it there, or takes it down."""

    story_id: uuid.UUID
    channel: str
    action: Action = Action.PLACE
    revision: int = 1  # the story's text this job carries (an update per correction)
    scheduled_for: datetime | None = None  # a placement the editor set for this time
    cause: Envelope | None = None  # the approval, when an event caused it: StoryPublished follows its correlation


def channel_job(
    story_id: uuid.UUID,
    channel: str,
    action: Action,
    *,
    now: datetime,
    revision: int = 1,
    at: datetime | None = None,
    cause: Envelope | None = None,
) -> Job:
    """One job per story, channel, action and time or revision: enqueuing it twice makes one."""
    payload = PlaceStory(
        story_id=story_id, channel=channel, action=action, revision=revision, scheduled_for=at, cause=cause
    )
    moment = at.isoformat() if at else ""
    key = f"{story_id}:{channel}:{action.value}:{revision}:{moment}"
    return Job(PLACE, key, payload.model_dump_json(), PLACE_ATTEMPTS, max(at or now, now))


def placing(unit_of_work: Callable[[], PublishingUnitOfWork], channels: Sequence[Channel]) -> JobKind[PlaceStory]:
    """The job kind that places, updates or withdraws a story on a channel and records the outcome."""
    by_name = {channel.name: channel for channel in channels}

    async def run(job: PlaceStory) -> None:
        channel = by_name.get(job.channel)
        if channel is None:
            raise Unprocessable("unknown-channel", f"no channel {job.channel!r} is registered")
        async with unit_of_work().reading() as store:
            story = await store.get_story(job.story_id)
            records = (await store.publications_for([job.story_id]))[job.story_id]
            cited = await store.commendations_for([story.exemplar_id]) if story else {}
        record = next((r for r in records if r.channel == job.channel), None)
        if story is None or record is None:
            raise Unprocessable("no-such-story", f"story {job.story_id} has no publication on {job.channel}")
        commendations = cited[story.exemplar_id]
        if job.action is Action.PLACE:
            if record.state not in (PublicationState.SCHEDULED, PublicationState.PENDING):
                return  # placed already, withdrawn, or failed and retried by an operator under another job
            if record.scheduled_for != job.scheduled_for:
                return  # the editor moved it: the job for the new time places it
            try:
                story.check_publishable()
            except (NotEditable, NoConsent) as refused:
                raise Unprocessable("not-publishable", str(refused)) from refused
        placement = record.placement
        try:
            if job.action is Action.PLACE:
                placement = await channel.place(story, commendations)
            elif placement is None or record.state is not PublicationState.PUBLISHED:
                return  # nothing is out there to correct or take down
            elif job.action is Action.UPDATE:
                if story.revision != job.revision:
                    return  # a later correction's job brings the later text
                placement = await channel.update(story, commendations, placement)
            else:
                await channel.withdraw(story, placement)
        except Exception as error:
            async with unit_of_work() as uow:
                await uow.store.record_failure(
                    job.story_id, job.channel, f"{type(error).__name__}: {error}", datetime.now(UTC)
                )
            raise
        now = datetime.now(UTC)
        taken_back = False
        async with unit_of_work() as uow:
            if job.action is Action.WITHDRAW:
                await uow.store.record_withdrawal(job.story_id, job.channel, now)
            elif job.action is Action.UPDATE:
                await uow.store.record_update(job.story_id, job.channel, placement, now)
            elif await uow.store.record_placement(job.story_id, job.channel, placement, now):
                current = await uow.store.get_story(job.story_id, for_update=True)
                if current is not None and not current.retracted:
                    current.placed(job.channel, placement, now)
                    await uow.store.save_story(current)
                    uow.track(current, cause=job.cause)
            else:
                # Retracted while this job was placing it: what just went out comes down again.
                now_records = (await uow.store.publications_for([job.story_id]))[job.story_id]
                taken_back = any(
                    r.channel == job.channel and r.state is PublicationState.WITHDRAWN for r in now_records
                )
        if taken_back and placement is not None:
            await channel.withdraw(story, placement)

    async def failed(job: PlaceStory, error: str) -> None:
        async with unit_of_work() as uow:
            await uow.store.mark_failed(job.story_id, job.channel, error, datetime.now(UTC))

    return JobKind(PLACE, PlaceStory, run, max_attempts=PLACE_ATTEMPTS, failed=failed)
