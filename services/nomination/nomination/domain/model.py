"""A nomination (hồ sơ giới thiệu điển hình) and the intake rules it must pass.

Taking a submission in makes either a ``Nomination``, which records ``NominationTakenIn``, or a
``RefusedSubmission``, which records ``SubmissionRefused``; the unit of work collects them and
``integration.py`` announces them as NominationAccepted and NominationRejected.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from common.dates import quarter_label, vn_date
from common.events import NominationSubmitted, Reason
from common.organisation import Standing, lower_kind_word

__all__ = [
    "MIN_ACHIEVEMENTS_CHARS",
    "Nomination",
    "NominationStatus",
    "NominationTakenIn",
    "RefusedSubmission",
    "Reminder",
    "ReminderDue",
    "SubmissionRefused",
    "intake_problems",
    "nomination_id_for",
    "take_in",
    "unit_problems",
]

MIN_ACHIEVEMENTS_CHARS = 20


class NominationStatus(StrEnum):
    ACCEPTED = "accepted"  # đã tiếp nhận, chờ xét duyệt
    APPROVED = "approved"  # được công nhận điển hình tiên tiến
    REJECTED = "rejected"  # không được công nhận
    RETURNED = "returned"  # trả lại để bổ sung


@dataclass(frozen=True)
class NominationTakenIn:
    """A submission passed intake and waits for review."""

    nomination: Nomination
    unit_name: str


@dataclass(frozen=True)
class SubmissionRefused:
    """A well-formed submission broke an intake rule; its unit learns why."""

    submission_event_id: uuid.UUID
    unit_id: str
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class DecisionRecorded:
    """The review office's decision on a nomination is kept; its unit learns of it."""

    nomination_id: uuid.UUID
    submission_event_id: uuid.UUID
    unit_id: str
    status: NominationStatus
    reasons: tuple[Reason, ...]


@dataclass
class Decision:
    """A decision recorded on a nomination, as the aggregate its event comes from."""

    event: DecisionRecorded

    @property
    def events(self) -> list[DecisionRecorded]:
        return [self.event]


@dataclass(frozen=True)
class ReminderDue:
    """A unit had not nominated for a quarter some days before its deadline."""

    unit_id: str
    unit_name: str
    quarter: str
    deadline: date
    days_left: int


@dataclass
class Reminder:
    """A reminder sent, as the aggregate its event comes from."""

    event: ReminderDue

    @property
    def events(self) -> list[ReminderDue]:
        return [self.event]


NominationEvent = NominationTakenIn | SubmissionRefused | DecisionRecorded | ReminderDue


@dataclass
class Nomination:
    nomination_id: uuid.UUID
    submission_event_id: uuid.UUID
    correlation_id: uuid.UUID
    submission: NominationSubmitted
    channel: str  # "http" (a clerk) or "stream" (the unit's own system)
    submitted_by: str
    submitted_at: datetime
    status: NominationStatus = NominationStatus.ACCEPTED
    decided_by: str | None = None
    reasons: list[Reason] = field(default_factory=list)
    person_id: uuid.UUID | None = None  # the nominee in the registry of exemplars
    registry_warnings: list[Reason] = field(default_factory=list)  # for the reviewer, never the unit
    possible_person_ids: list[uuid.UUID] = field(default_factory=list)
    notes: list[Reason] = field(default_factory=list)  # told the unit and the reviewer with the acceptance
    events: list[NominationTakenIn] = field(default_factory=list, compare=False, repr=False)


@dataclass
class RefusedSubmission:
    submission_event_id: uuid.UUID
    unit_id: str
    reasons: list[Reason]
    events: list[SubmissionRefused] = field(default_factory=list, compare=False, repr=False)


def nomination_id_for(submission_event_id: uuid.UUID) -> uuid.UUID:
    """Derived from the submission, so the same submission can never make two nominations."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"nomination:{submission_event_id}")


def unit_problems(standing: Standing, unit_id: str, day: date) -> list[Reason]:
    """Why a unit of the organisation file cannot nominate on ``day``: ended, or not yet in being."""
    if standing.unit is not None:
        return []
    if standing.ended is not None:
        ended = standing.ended
        since = vn_date(ended.valid_until + timedelta(days=1)) if ended.valid_until else ""
        successors = ", ".join(lower_kind_word(u.name) for u in standing.successors)
        message = f"{lower_kind_word(ended.name)} không còn là đơn vị giới thiệu từ ngày {since}"
        if successors:
            message += f"; nay giới thiệu qua {successors}"
        return [Reason(code="unit-ended", message=message)]
    return [Reason(code="unit-not-yet", message=f"đơn vị {unit_id} chưa được thành lập vào ngày {vn_date(day)}")]


def intake_problems(submission: NominationSubmitted, *, already_nominated: bool) -> list[Reason]:
    """What keeps a well-formed submission from being accepted, besides its unit and its timing."""
    problems: list[Reason] = []
    if len(submission.achievements) < MIN_ACHIEVEMENTS_CHARS:
        problems.append(
            Reason(
                code="achievements-too-short",
                message=f"thành tích cần mô tả ít nhất {MIN_ACHIEVEMENTS_CHARS} ký tự",
            )
        )
    if already_nominated:
        problems.append(
            Reason(
                code="duplicate-nomination",
                message=f"đơn vị đã giới thiệu {submission.nominee.name} trong {quarter_label(submission.quarter)}",
            )
        )
    return problems


def take_in(
    submission: NominationSubmitted,
    *,
    submission_event_id: uuid.UUID,
    correlation_id: uuid.UUID,
    unit_name: str,
    channel: str,
    submitted_by: str,
    now: datetime,
    already_nominated: bool,
    unit_problems: Sequence[Reason] = (),
    timing: tuple[Sequence[Reason], Sequence[Reason]] = ((), ()),
) -> Nomination | RefusedSubmission:
    """A nomination waiting for review, or the refusal of the submission with its reasons.

    ``timing`` is what the quarter's window says of the day it came: refusals, or notes that go
    with the acceptance (``Calendar.judge``).
    """
    refusals, notes = timing
    problems = [*unit_problems, *refusals, *intake_problems(submission, already_nominated=already_nominated)]
    if problems:
        refused = RefusedSubmission(submission_event_id, submission.unit_id, problems)
        refused.events.append(SubmissionRefused(submission_event_id, submission.unit_id, tuple(problems)))
        return refused
    nomination = Nomination(
        nomination_id=nomination_id_for(submission_event_id),
        submission_event_id=submission_event_id,
        correlation_id=correlation_id,
        submission=submission,
        channel=channel,
        submitted_by=submitted_by,
        submitted_at=now,
        notes=list(notes),
    )
    nomination.events.append(NominationTakenIn(nomination, unit_name))
    return nomination
