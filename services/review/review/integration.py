"""Review cases and decisions translated to and from integration events, in one place."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from common.events import (
    Envelope,
    Event,
    ExemplarApproved,
    ExemplarRejected,
    FieldOfWork,
    NominationAccepted,
    NominationReturned,
    NomineeKind,
    new_event,
)
from review.domain.model import CaseDecided, ReviewCase, ReviewStatus

__all__ = ["PRODUCER", "case_from_accepted", "to_integration"]

PRODUCER = "review"


def case_from_accepted(event: Event[NominationAccepted], received_at: datetime) -> ReviewCase:
    payload = event.payload
    return ReviewCase(
        nomination_id=payload.nomination_id,
        correlation_id=event.envelope.correlation_id,
        unit_id=payload.unit_id,
        unit_name=payload.unit_name,
        quarter=payload.quarter,
        field=payload.field.value,
        nominee_kind=payload.nominee_kind.value,
        nominee_name=payload.nominee_name,
        nominee_title=payload.nominee_title,
        achievements=payload.achievements,
        consent_to_publish=payload.consent_to_publish,
        received_at=received_at,
        person_id=payload.person_id,
        round=payload.round,
        previous_nomination_id=payload.previous_nomination_id,
    )


def to_integration(event: CaseDecided, cause: Envelope | None) -> Sequence[Event[Any]]:
    """What a decided case announces: ExemplarApproved, ExemplarRejected or NominationReturned."""
    case: ReviewCase = event.case
    by = case.decided_by or ""
    payload: ExemplarApproved | ExemplarRejected | NominationReturned
    if case.status is ReviewStatus.APPROVED:
        assert case.exemplar_id is not None
        payload = ExemplarApproved(
            exemplar_id=case.exemplar_id,
            nomination_id=case.nomination_id,
            unit_id=case.unit_id,
            unit_name=case.unit_name,
            quarter=case.quarter,
            field=FieldOfWork(case.field),
            nominee_kind=NomineeKind(case.nominee_kind),
            nominee_name=case.nominee_name,
            nominee_title=case.nominee_title,
            achievements=case.achievements,
            consent_to_publish=case.consent_to_publish,
            decided_by=by,
            note=case.note,
            person_id=case.person_id,
        )
    elif case.status is ReviewStatus.REJECTED:
        payload = ExemplarRejected(
            nomination_id=case.nomination_id, unit_id=case.unit_id, decided_by=by, reasons=case.reasons
        )
    elif case.status is ReviewStatus.RETURNED:
        payload = NominationReturned(
            nomination_id=case.nomination_id, unit_id=case.unit_id, decided_by=by, reasons=case.reasons
        )
    else:
        raise ValueError("a pending case announces nothing")
    return [new_event(payload, producer=PRODUCER, correlation_id=case.correlation_id, causation=cause)]
