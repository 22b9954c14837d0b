"""Integration events translated to stories and commendations, and stories to events, in one place."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from common.events import AwardGranted, Envelope, Event, ExemplarApproved, StoryPublished, new_event, nfc
from publishing.domain.drafting import draft_text
from publishing.domain.model import Commendation, Story, StoryPlaced, StoryStatus, slug_for, story_id_for

__all__ = ["PRODUCER", "commendation_from_award", "story_from_approved", "to_integration"]

PRODUCER = "publishing"


def story_from_approved(payload: ExemplarApproved, now: datetime) -> Story:
    """The story about a newly approved exemplar; withheld unless the nominee consented."""
    story_id = story_id_for(payload.exemplar_id)
    story = Story(
        story_id=story_id,
        exemplar_id=payload.exemplar_id,
        nomination_id=payload.nomination_id,
        slug=slug_for(payload.nominee_name, story_id),
        status=StoryStatus.PUBLISHED if payload.consent_to_publish else StoryStatus.WITHHELD,
        title="",
        summary="",
        body="",
        achievements=nfc(payload.achievements),
        unit_name=payload.unit_name,
        field=payload.field.value,
        quarter=payload.quarter,
        nominee_kind=payload.nominee_kind.value,
        nominee_name=payload.nominee_name,
        nominee_title=payload.nominee_title,
        published_at=now,
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


def to_integration(event: StoryPlaced, cause: Envelope | None) -> Sequence[Event[Any]]:
    """StoryPublished for each channel a story went out on, following the approval's correlation."""
    story = event.story
    payload = StoryPublished(
        story_id=story.story_id,
        exemplar_id=story.exemplar_id,
        nomination_id=story.nomination_id,
        channel=event.channel,
        title=story.title,
        url=event.placement.url,
    )
    return [new_event(payload, producer=PRODUCER, causation=cause)]
