"""Nominations translated to and from integration events, in one place."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from common.events import Envelope, Event, NominationAccepted, NominationRejected, new_event
from nomination.domain.model import NominationTakenIn, SubmissionRefused

__all__ = ["PRODUCER", "to_integration"]

PRODUCER = "nomination"


def to_integration(event: NominationTakenIn | SubmissionRefused, cause: Envelope | None) -> Sequence[Event[Any]]:
    """NominationAccepted carries what review needs: no identity number, phone or address leaves here."""
    if isinstance(event, SubmissionRefused):
        rejected = NominationRejected(
            submission_event_id=event.submission_event_id, unit_id=event.unit_id, reasons=list(event.reasons)
        )
        return [new_event(rejected, producer=PRODUCER, correlation_id=event.submission_event_id, causation=cause)]
    nomination = event.nomination
    s = nomination.submission
    accepted = NominationAccepted(
        nomination_id=nomination.nomination_id,
        unit_id=s.unit_id,
        unit_name=event.unit_name,
        quarter=s.quarter,
        field=s.field,
        nominee_kind=s.nominee.kind,
        nominee_name=s.nominee.name,
        nominee_title=s.nominee.title,
        achievements=s.achievements,
        consent_to_publish=s.consent_to_publish,
    )
    return [new_event(accepted, producer=PRODUCER, correlation_id=nomination.correlation_id, causation=cause)]
