"""Publishing use cases on the events it reads: draft a story for each approved exemplar; cite awards.

A story is drafted from the office's template when its exemplar is approved, and waits for an
editor (``editorial.py``), unless the office lets it reach some channels on its own
(``Newsroom.auto_approve``) and the nominee consented.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from common.events import AwardGranted, Event, ExemplarApproved
from common.organisation import Organisation
from common.processing import Handlers
from publishing.adapters.repository import PublishingStore
from publishing.domain.model import StoryEvent, story_id_for
from publishing.integration import commendation_from_award, story_from_approved
from publishing.service.editorial import Newsroom, approve_story
from publishing.service.placing import PublishingUnitOfWork

__all__ = ["draft_stories", "handlers", "record_commendations"]


async def draft_stories(
    uow: PublishingUnitOfWork,
    events: Sequence[Event[ExemplarApproved]],
    newsroom: Newsroom,
    organisation: Organisation,
) -> None:
    """ExemplarApproved: one story per exemplar, drafted; a second approval of the same exemplar
    (here or in an earlier batch) changes nothing."""
    now = datetime.now(UTC)
    async with uow:
        drafts = [(story_from_approved(event.payload, now, organisation), event) for event in events]
        stored = await uow.store.add_stories([story for story, _ in drafts])
        if not newsroom.auto_approve:
            return
        for story, event in drafts:
            if story.story_id in stored and story.consent:
                stored.discard(story.story_id)  # a copy later in the list approves nothing
                await approve_story(
                    uow,
                    newsroom,
                    story.story_id,
                    by="tự động",
                    channels=sorted(newsroom.auto_approve),
                    cause=event.envelope,
                )


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


def handlers(newsroom: Newsroom, organisation: Organisation) -> Handlers[PublishingStore, StoryEvent]:
    """What the publishing group does with the events it reads, from both streams."""

    async def draft(uow: PublishingUnitOfWork, events: Sequence[Event[ExemplarApproved]]) -> None:
        await draft_stories(uow, events, newsroom, organisation)

    return Handlers[PublishingStore, StoryEvent]().on(ExemplarApproved, draft).on(AwardGranted, record_commendations)
