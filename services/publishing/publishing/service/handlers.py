"""Publishing use cases: publish (or withhold) a story for an approved exemplar; cite its awards."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from common.events import AwardGranted, Event, ExemplarApproved
from common.processing import Handlers
from common.unit_of_work import UnitOfWork
from publishing.adapters.repository import PublishingStore
from publishing.domain.model import StoryReleased, story_id_for
from publishing.integration import commendation_from_award, story_from_approved

__all__ = ["PublishingUnitOfWork", "handlers", "publish_stories", "record_commendations"]

PublishingUnitOfWork = UnitOfWork[PublishingStore, StoryReleased]


async def publish_stories(uow: PublishingUnitOfWork, events: Sequence[Event[ExemplarApproved]]) -> None:
    """ExemplarApproved: one story per exemplar, released only when the nominee consented.

    A second approval event for the same exemplar (here or in an earlier batch) changes nothing.
    """
    now = datetime.now(UTC)
    async with uow:
        drafts = [(story_from_approved(event.payload, now), event) for event in events]
        stored = await uow.store.add_stories([story for story, _ in drafts])
        for story, event in drafts:
            if story.story_id in stored:
                stored.discard(story.story_id)  # a copy later in the list releases nothing
                story.release()
                uow.track(story, cause=event.envelope)


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


def handlers() -> Handlers[PublishingStore, StoryReleased]:
    """What the publishing group does with the events it reads, from both streams."""
    return (
        Handlers[PublishingStore, StoryReleased]()
        .on(ExemplarApproved, publish_stories)
        .on(AwardGranted, record_commendations)
    )
