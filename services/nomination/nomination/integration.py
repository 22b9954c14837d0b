"""Nominations translated to and from integration events, in one place."""

from __future__ import annotations

from typing import Any

from common.events import Envelope, Event, NominationAccepted, NominationRejected, Reason, new_event
from common.organisation import Unit
from nomination.domain.model import Nomination

__all__ = ["PRODUCER", "accepted_event", "rejected_event"]

PRODUCER = "nomination"


def accepted_event(nomination: Nomination, unit: Unit, causation: Envelope | None) -> Event[Any]:
    """What review needs to know: no identity number, phone or address leaves this service."""
    s = nomination.submission
    payload = NominationAccepted(
        nomination_id=nomination.nomination_id,
        unit_id=s.unit_id,
        unit_name=unit.name,
        quarter=s.quarter,
        field=s.field,
        nominee_kind=s.nominee.kind,
        nominee_name=s.nominee.name,
        nominee_title=s.nominee.title,
        achievements=s.achievements,
        consent_to_publish=s.consent_to_publish,
    )
    return new_event(
        payload,
        producer=PRODUCER,
        correlation_id=nomination.submission_event_id,
        causation=causation,
    )


def rejected_event(submission: Envelope, unit_id: str, reasons: list[Reason]) -> Event[Any]:
    payload = NominationRejected(submission_event_id=submission.event_id, unit_id=unit_id, reasons=reasons)
    return new_event(payload, producer=PRODUCER, causation=submission)
