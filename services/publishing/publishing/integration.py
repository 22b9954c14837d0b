"""Integration events translated to stories and commendations, and stories to events, in one place."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from common.dates import vietnam_date
from common.events import (
    AwardGranted,
    Envelope,
    Event,
    ExemplarApproved,
    StoryPublished,
    StoryRetracted,
    new_event,
    nfc,
)
from common.organisation import Organisation
from publishing.domain.drafting import draft_text
from publishing.domain.model import (
    Commendation,
    Story,
    StoryEvent,
    StoryKind,
    StoryStatus,
    StoryTakenDown,
    slug_for,
    story_id_for,
)

__all__ = ["PRODUCER", "commendation_from_award", "story_from_approved", "to_integration"]

PRODUCER = "publishing"


def story_from_approved(payload: ExemplarApproved, now: datetime, organisation: Organisation) -> Story:
    """The draft story about a newly approved exemplar, written from the office's template."""
    story_id = story_id_for(payload.exemplar_id)
    commune = organisation.commune_of(payload.unit_id, vietnam_date(now))
    story = Story(
        story_id=story_id,
        exemplar_id=payload.exemplar_id,
        nomination_id=payload.nomination_id,
        slug=slug_for(payload.nominee_name, story_id),
        status=StoryStatus.DRAFT,
        title="",
        summary="",
        body="",
        achievements=nfc(payload.achievements),
        unit_id=payload.unit_id,
        unit_name=payload.unit_name,
        commune_id=commune.id if commune else None,
        field=payload.field.value,
        quarter=payload.quarter,
        nominee_kind=payload.nominee_kind.value,
        nominee_name=payload.nominee_name,
        nominee_title=payload.nominee_title,
        consent=payload.consent_to_publish,
        drafted_at=now,
        published_at=None,
        updated_at=now,
    )
    text = draft_text(story)
    story.title, story.summary, story.body = text.title, text.summary, text.body
    return story


def commendation_from_award(payload: AwardGranted) -> Commendation:
    return Commendation(
        award_id=payload.award_id,
        exemplar_id=payload.exemplar_id,
        form=payload.form,
        form_name=payload.form_name,
        decision_number=payload.decision_number,
        signed_on=payload.signed_on,
        signer=payload.signer,
    )


def to_integration(event: StoryEvent, cause: Envelope | None) -> Sequence[Event[Any]]:
    """StoryPublished for each channel a story went out on, following the approval's correlation;
    StoryRetracted when it is taken down. A reportage, of no one exemplar, stays inside the service."""
    story = event.story
    if story.kind is StoryKind.REPORTAGE:
        return []
    if isinstance(event, StoryTakenDown):
        retracted = StoryRetracted(
            story_id=story.story_id,
            exemplar_id=story.exemplar_id,
            nomination_id=story.nomination_id,
            reason=event.reason,
        )
        return [new_event(retracted, producer=PRODUCER, causation=cause)]
    payload = StoryPublished(
        story_id=story.story_id,
        exemplar_id=story.exemplar_id,
        nomination_id=story.nomination_id,
        channel=event.channel,
        title=story.title,
        url=event.placement.url,
    )
    return [new_event(payload, producer=PRODUCER, causation=cause)]
