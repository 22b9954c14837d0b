"""Nominations translated to and from integration events, in one place."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from common.dates import quarter_label, vn_date
from common.events import (
    DeadlineNear,
    Envelope,
    Event,
    NominationAccepted,
    NominationFlagged,
    NominationRejected,
    NominationWithdrawn,
    OutcomeKind,
    SubmissionOutcome,
    UnitReminded,
    new_event,
)
from nomination.domain.model import (
    DecisionRecorded,
    NominationEvent,
    NominationStatus,
    ReminderDue,
    SubmissionRefused,
    Withdrawn,
)

__all__ = ["PRODUCER", "to_integration"]

PRODUCER = "nomination"


_DECIDED = {
    NominationStatus.APPROVED: OutcomeKind.APPROVED,
    NominationStatus.REJECTED: OutcomeKind.REJECTED,
    NominationStatus.RETURNED: OutcomeKind.RETURNED,
}


def to_integration(event: NominationEvent, cause: Envelope | None) -> Sequence[Event[Any]]:
    """NominationAccepted carries what review needs: no identity number, phone or address leaves here.

    Each step of a submission is also told to its unit alone, on the unit's outcome stream.
    """
    if isinstance(event, ReminderDue):
        # For the channels that reach the unit's staff, and for the unit's own system.
        reminder = reminded(event)
        return [
            new_event(payload, producer=PRODUCER, causation=cause)
            for payload in (reminder, DeadlineNear(**reminder.model_dump()))
        ]
    if isinstance(event, DecisionRecorded):
        decided = SubmissionOutcome(
            unit_id=event.unit_id,
            submission_event_id=event.submission_event_id,
            nomination_id=event.nomination_id,
            outcome=_DECIDED[event.status],
            reasons=list(event.reasons),
        )
        return [new_event(decided, producer=PRODUCER, causation=cause)]
    if isinstance(event, Withdrawn):
        withdrawn = NominationWithdrawn(
            nomination_id=event.nomination_id, unit_id=event.unit_id, withdrawn_by=event.by, reason=event.reason
        )
        told = SubmissionOutcome(
            unit_id=event.unit_id,
            submission_event_id=event.submission_event_id,
            nomination_id=event.nomination_id,
            outcome=OutcomeKind.WITHDRAWN,
        )
        return [new_event(payload, producer=PRODUCER, causation=cause) for payload in (withdrawn, told)]
    if isinstance(event, SubmissionRefused):
        rejected = NominationRejected(
            submission_event_id=event.submission_event_id, unit_id=event.unit_id, reasons=list(event.reasons)
        )
        told = SubmissionOutcome(
            unit_id=event.unit_id,
            submission_event_id=event.submission_event_id,
            outcome=OutcomeKind.REFUSED,
            reasons=list(event.reasons),
        )
        return [
            new_event(payload, producer=PRODUCER, correlation_id=event.submission_event_id, causation=cause)
            for payload in (rejected, told)
        ]
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
        person_id=nomination.person_id,
        round=nomination.round,
        previous_nomination_id=nomination.previous_nomination_id,
    )
    told = SubmissionOutcome(
        unit_id=s.unit_id,
        submission_event_id=nomination.submission_event_id,
        nomination_id=nomination.nomination_id,
        outcome=OutcomeKind.ACCEPTED,
        reasons=nomination.notes,  # a late entry: the unit knows it was taken as such
    )
    payloads: list[NominationAccepted | NominationFlagged | SubmissionOutcome] = [accepted]
    # The registry's warnings are for the reviewer only: the unit's own stream is never told
    # about other units' nominees.
    warnings = [*nomination.notes, *nomination.registry_warnings][:20]
    if warnings and nomination.person_id is not None:
        payloads.append(
            NominationFlagged(
                nomination_id=nomination.nomination_id,
                person_id=nomination.person_id,
                possible_person_ids=nomination.possible_person_ids[:20],
                warnings=warnings,
            )
        )
    payloads.append(told)
    return [
        new_event(payload, producer=PRODUCER, correlation_id=nomination.correlation_id, causation=cause)
        for payload in payloads
    ]


def reminded(due: ReminderDue) -> UnitReminded:
    """The reminder, with a message a channel can send as it is."""
    when = "hôm nay" if due.days_left == 0 else f"còn {due.days_left} ngày"
    message = (
        f"{due.unit_name} chưa gửi hồ sơ giới thiệu điển hình tiên tiến {quarter_label(due.quarter)}; "
        f"hạn gửi là ngày {vn_date(due.deadline)} ({when})."
    )
    return UnitReminded(
        unit_id=due.unit_id,
        unit_name=due.unit_name,
        quarter=due.quarter,
        deadline=due.deadline,
        days_left=due.days_left,
        message=message,
    )
