"""Nomination use cases: take a submission in; record the review office's outcome."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from common.events import (
    Envelope,
    Event,
    ExemplarApproved,
    ExemplarRejected,
    NominationReturned,
    NominationSubmitted,
    Reason,
)
from common.organisation import Organisation
from nomination.adapters import repository
from nomination.domain.model import Nomination, NominationStatus, intake_problems
from nomination.integration import accepted_event, rejected_event

__all__ = ["IntakeResult", "UnknownUnit", "record_outcome", "take_in"]


class UnknownUnit(LookupError):
    def __init__(self, unit_id: str) -> None:
        super().__init__(f"unit {unit_id!r} is not in the organisation")
        self.unit_id = unit_id


@dataclass
class IntakeResult:
    nomination: Nomination | None
    reasons: list[Reason] = field(default_factory=list)
    events: list[Event[Any]] = field(default_factory=list)


def nomination_id_for(submission_event_id: uuid.UUID) -> uuid.UUID:
    """Derived from the submission, so the same submission can never make two nominations."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"nomination:{submission_event_id}")


async def take_in(
    session: AsyncConnection,
    organisation: Organisation,
    submission: NominationSubmitted,
    envelope: Envelope,
    *,
    channel: str,
    submitted_by: str,
    today: date | None = None,
    announce_rejection: bool = True,
) -> IntakeResult:
    """Check a submission and store it as a nomination, or record why it was refused."""
    unit = organisation.unit(submission.unit_id)
    if unit is None:
        raise UnknownUnit(submission.unit_id)
    duplicate = await repository.nominee_exists(
        session, submission.unit_id, submission.quarter, submission.nominee.name
    )
    problems = intake_problems(submission, today=today or datetime.now(UTC).date(), already_nominated=duplicate)
    if problems:
        if not announce_rejection:
            return IntakeResult(None, problems)
        await repository.record_rejection(session, envelope.event_id, submission.unit_id, problems)
        return IntakeResult(None, problems, [rejected_event(envelope, submission.unit_id, problems)])
    nomination = Nomination(
        nomination_id=nomination_id_for(envelope.event_id),
        submission_event_id=envelope.event_id,
        submission=submission,
        channel=channel,
        submitted_by=submitted_by,
        submitted_at=datetime.now(UTC),
    )
    await repository.add(session, nomination, envelope.correlation_id)
    return IntakeResult(nomination, [], [accepted_event(nomination, unit, envelope)])


_OUTCOMES: dict[type, NominationStatus] = {
    ExemplarApproved: NominationStatus.APPROVED,
    ExemplarRejected: NominationStatus.REJECTED,
    NominationReturned: NominationStatus.RETURNED,
}


async def record_outcome(session: AsyncConnection, event: Event[Any]) -> list[Event[Any]]:
    """ExemplarApproved / ExemplarRejected / NominationReturned: the unit sees the outcome."""
    payload = event.payload
    reasons = list(getattr(payload, "reasons", []))
    found = await repository.save_outcome(
        session, payload.nomination_id, _OUTCOMES[type(payload)], payload.decided_by, reasons
    )
    if not found:
        raise LookupError(f"review decided on nomination {payload.nomination_id}, which is not stored here")
    return []
