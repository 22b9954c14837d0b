"""Publishing use cases: publish (or withhold) a story for an approved exemplar; cite its awards."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from common.events import AwardGranted, Event, ExemplarApproved
from common.processing import BatchHandler
from publishing.adapters import repository
from publishing.domain.model import story_id_for
from publishing.integration import commendation_from_award, published_event, story_from_approved

__all__ = [
    "batch_handlers",
    "publish_stories",
    "record_commendations",
]


async def publish_stories(
    session: AsyncConnection, events: Sequence[Event[Any]], *, public_base: str
) -> list[list[Event[Any]]]:
    """ExemplarApproved: one story per exemplar, announced only when the nominee consented.

    A second approval event for the same exemplar (here or in an earlier batch) changes nothing.
    """
    now = datetime.now(UTC)
    drafts = []
    for event in events:
        assert isinstance(event.payload, ExemplarApproved)
        drafts.append(story_from_approved(event.payload, now))
    stored = await repository.add_stories(session, drafts)
    caused: list[list[Event[Any]]] = []
    for story, event in zip(drafts, events, strict=True):
        first = story.story_id in stored
        stored.discard(story.story_id)  # a copy later in the list announces nothing
        caused.append([published_event(story, public_base, event.envelope)] if first and story.visible else [])
    return caused


async def record_commendations(session: AsyncConnection, events: Sequence[Event[Any]]) -> list[list[Event[Any]]]:
    """AwardGranted: keep each commendation, even before its story exists, and refresh the story."""
    now = datetime.now(UTC)
    awards = []
    for event in events:
        assert isinstance(event.payload, AwardGranted)
        awards.append(event.payload)
    recorded = await repository.add_commendations(
        session, [(commendation_from_award(a), a.nomination_id) for a in awards], recorded_at=now
    )
    await repository.touch_stories(
        session, sorted({story_id_for(a.exemplar_id) for a in awards if a.award_id in recorded}), now
    )
    return [[] for _ in events]


def batch_handlers(public_base: str) -> dict[str, BatchHandler]:
    """The handlers of the publishing group, by event type (runs of one type at once); other types are ignored."""

    async def on_approved(session: AsyncConnection, events: Sequence[Event[Any]]) -> list[list[Event[Any]]]:
        return await publish_stories(session, events, public_base=public_base)

    return {ExemplarApproved.TYPE: on_approved, AwardGranted.TYPE: record_commendations}
