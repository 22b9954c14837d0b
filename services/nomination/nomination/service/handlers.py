"""Nomination use cases: take a submission in; record the review office's outcome."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
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

__all__ = ["Incoming", "IntakeResult", "UnknownUnit", "record_outcomes", "take_in", "take_in_many"]


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


@dataclass(frozen=True)
class Incoming:
    """A submission to take in, and how it came."""

    submission: NominationSubmitted
    envelope: Envelope
    channel: str  # "http" (a clerk) or "stream" (the unit's own system)
    submitted_by: str


async def take_in_many(
    session: AsyncConnection,
    organisation: Organisation,
    incoming: Sequence[Incoming],
    *,
    today: date | None = None,
    announce_rejection: bool = True,
) -> list[IntakeResult | UnknownUnit]:
    """Check submissions and store each as a nomination, or record why it was refused.

    One outcome per submission, in order. The duplicate check for the whole list is one query,
    and the rows are written with one statement per table: a batch of stream entries costs a
    few round trips, not two per entry. A nominee proposed twice in the list is a duplicate the
    second time, as if the two had come one after the other.
    """
    today = today or datetime.now(UTC).date()
    taken = await repository.nominees_taken(
        session, [(i.submission.unit_id, i.submission.quarter, i.submission.nominee.name) for i in incoming]
    )
    outcomes: list[IntakeResult | UnknownUnit] = []
    accepted: list[tuple[Nomination, uuid.UUID]] = []
    rejections: list[tuple[uuid.UUID, str, list[Reason]]] = []
    now = datetime.now(UTC)
    for item in incoming:
        submission, envelope = item.submission, item.envelope
        unit = organisation.unit(submission.unit_id)
        if unit is None:
            outcomes.append(UnknownUnit(submission.unit_id))
            continue
        key = repository.nominee_key(submission.unit_id, submission.quarter, submission.nominee.name)
        problems = intake_problems(submission, today=today, already_nominated=key in taken)
        if problems:
            if announce_rejection:
                rejections.append((envelope.event_id, submission.unit_id, problems))
                outcomes.append(IntakeResult(None, problems, [rejected_event(envelope, submission.unit_id, problems)]))
            else:
                outcomes.append(IntakeResult(None, problems))
            continue
        taken.add(key)
        nomination = Nomination(
            nomination_id=nomination_id_for(envelope.event_id),
            submission_event_id=envelope.event_id,
            submission=submission,
            channel=item.channel,
            submitted_by=item.submitted_by,
            submitted_at=now,
        )
        accepted.append((nomination, envelope.correlation_id))
        outcomes.append(IntakeResult(nomination, [], [accepted_event(nomination, unit, envelope)]))
    await repository.add_many(session, accepted)
    await repository.record_rejections(session, rejections)
    return outcomes


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
    """Check one submission and store it as a nomination, or record why it was refused."""
    [outcome] = await take_in_many(
        session,
        organisation,
        [Incoming(submission, envelope, channel, submitted_by)],
        today=today,
        announce_rejection=announce_rejection,
    )
    if isinstance(outcome, UnknownUnit):
        raise outcome
    return outcome


_OUTCOMES: dict[type, NominationStatus] = {
    ExemplarApproved: NominationStatus.APPROVED,
    ExemplarRejected: NominationStatus.REJECTED,
    NominationReturned: NominationStatus.RETURNED,
}


async def record_outcomes(session: AsyncConnection, events: Sequence[Event[Any]]) -> list[list[Event[Any]]]:
    """ExemplarApproved / ExemplarRejected / NominationReturned: the unit sees each outcome.

    A run of decisions costs one look-up and one statement.

    A decision on a nomination not stored here fails the run, so the consumer applies it alone.
    """
    outcomes = [
        (
            event.payload.nomination_id,
            _OUTCOMES[type(event.payload)],
            event.payload.decided_by,
            list(getattr(event.payload, "reasons", [])),
        )
        for event in events
    ]
    missing = await repository.save_outcomes(session, outcomes)
    if missing:
        raise LookupError(f"review decided on nominations not stored here: {', '.join(sorted(map(str, missing)))}")
    return [[] for _ in events]
