"""Integration events translated to stories and commendations, and stories to events, in one place."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from common.events import AwardGranted, Envelope, Event, ExemplarApproved, StoryPublished, new_event, nfc
from publishing.domain.model import Commendation, Story, StoryReleased, StoryStatus, slug_for, story_id_for
from publishing.rendering.templates import StoryFacts, render_story_body, summary_of

__all__ = ["CHANNEL", "PRODUCER", "commendation_from_award", "story_from_approved", "translator"]

PRODUCER = "publishing"
CHANNEL = "web"


def _facts(payload: ExemplarApproved) -> StoryFacts:
    # Only what the contract lets travel past nomination, and only what a story may say.
    return StoryFacts(
        name=payload.nominee_name,
        title=payload.nominee_title,
        unit_name=payload.unit_name,
        field=payload.field.value,
        kind=payload.nominee_kind.value,
        quarter=payload.quarter,
        achievements=payload.achievements,
    )


def story_from_approved(payload: ExemplarApproved, now: datetime) -> Story:
    """The story about a newly approved exemplar; withheld unless the nominee consented."""
    facts = _facts(payload)
    story_id = story_id_for(payload.exemplar_id)
    return Story(
        story_id=story_id,
        exemplar_id=payload.exemplar_id,
        nomination_id=payload.nomination_id,
        slug=slug_for(payload.nominee_name, story_id),
        status=StoryStatus.PUBLISHED if payload.consent_to_publish else StoryStatus.WITHHELD,
        title=nfc(f"Gương điển hình tiên tiến: {payload.nominee_name}"),
        summary=summary_of(facts),
        body=render_story_body(facts),
        unit_name=payload.unit_name,
        field=payload.field.value,
        quarter=payload.quarter,
        nominee_kind=payload.nominee_kind.value,
        nominee_name=payload.nominee_name,
        nominee_title=payload.nominee_title,
        published_at=now,
        updated_at=now,
    )


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


def translator(public_base: str) -> Callable[[StoryReleased, Envelope | None], Sequence[Event[Any]]]:
    """StoryPublished for the web channel, following the approval's correlation."""

    def to_integration(event: StoryReleased, cause: Envelope | None) -> Sequence[Event[Any]]:
        story = event.story
        payload = StoryPublished(
            story_id=story.story_id,
            exemplar_id=story.exemplar_id,
            nomination_id=story.nomination_id,
            channel=CHANNEL,
            title=story.title,
            url=f"{public_base.rstrip('/')}{story.path}",
        )
        return [new_event(payload, producer=PRODUCER, causation=cause)]

    return to_integration
