"""Publishing use cases: publish (or withhold) a story for an approved exemplar; cite its awards."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from common.events import AwardGranted, Event, ExemplarApproved
from common.processing import EventHandler
from publishing.adapters import repository
from publishing.domain.model import story_id_for
from publishing.integration import commendation_from_award, published_event, story_from_approved

__all__ = ["event_handlers", "publish_story", "record_commendation"]


async def publish_story(session: AsyncConnection, event: Event[Any], *, public_base: str) -> list[Event[Any]]:
    """ExemplarApproved: one story per exemplar, announced only when the nominee consented."""
    payload = event.payload
    assert isinstance(payload, ExemplarApproved)
    story = story_from_approved(payload, datetime.now(UTC))
    if not await repository.add_story(session, story):
        return []  # a second approval event for the same exemplar changes nothing
    if not story.visible:
        return []
    return [published_event(story, public_base, event.envelope)]


async def record_commendation(session: AsyncConnection, event: Event[Any]) -> list[Event[Any]]:
    """AwardGranted: keep the commendation, even before its story exists, and refresh the story."""
    payload = event.payload
    assert isinstance(payload, AwardGranted)
    now = datetime.now(UTC)
    recorded = await repository.add_commendation(
        session, commendation_from_award(payload), nomination_id=payload.nomination_id, recorded_at=now
    )
    if not recorded:
        return []
    await repository.touch_story(session, story_id_for(payload.exemplar_id), now)
    return []


def event_handlers(public_base: str) -> dict[str, EventHandler]:
    """The handlers of the publishing group, by event type; other types are ignored."""

    async def on_approved(session: AsyncConnection, event: Event[Any]) -> list[Event[Any]]:
        return await publish_story(session, event, public_base=public_base)

    return {ExemplarApproved.TYPE: on_approved, AwardGranted.TYPE: record_commendation}
