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
from common.errors import Unprocessable
from common.events import NominationSubmitted, Reason
from common.organisation import Standing, lower_kind_word

__all__ = [
    "MIN_ACHIEVEMENTS_CHARS",
    "NOT_RESUBMITTABLE",
    "Nomination",
    "NominationStatus",
    "NominationTakenIn",
    "Placement",
    "RefusedSubmission",
    "Reminder",
    "ReminderDue",
    "Round",
    "SubmissionRefused",
    "Withdrawn",
    "intake_problems",
    "nomination_id_for",
    "place",
    "take_in",
    "unit_problems",
]

MIN_ACHIEVEMENTS_CHARS = 20


class NominationStatus(StrEnum):
    ACCEPTED = "accepted"  # đã tiếp nhận, chờ xét duyệt
    APPROVED = "approved"  # được công nhận điển hình tiên tiến
    REJECTED = "rejected"  # không được công nhận
    RETURNED = "returned"  # trả lại để bổ sung
    WITHDRAWN = "withdrawn"  # đơn vị đã rút trước khi có quyết định


@dataclass(frozen=True)
class NominationTakenIn:
    """A submission passed intake and waits for review."""

    nomination: Nomination
    unit_name: str


@dataclass(frozen=True)
class Withdrawn:
    """The unit withdrew a nomination waiting for review; the office and the unit's system learn of it."""

    nomination_id: uuid.UUID
    submission_event_id: uuid.UUID
    unit_id: str
    by: str
    reason: str


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


NominationEvent = NominationTakenIn | SubmissionRefused | DecisionRecorded | ReminderDue | Withdrawn


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
    round: int = 1  # 2 and on: it completes a returned nomination (previous_nomination_id)
    previous_nomination_id: uuid.UUID | None = None
    events: list[NominationTakenIn | Withdrawn] = field(default_factory=list, compare=False, repr=False)

    def withdraw(self, *, by: str, reason: str = "") -> None:
        """The unit takes it back before the review office decides (rút hồ sơ)."""
        if self.status is not NominationStatus.ACCEPTED:
            raise Unprocessable(
                "not-withdrawable", "Chỉ rút được hồ sơ đang chờ xét duyệt; hồ sơ này đã có quyết định hoặc đã rút."
            )
        self.status = NominationStatus.WITHDRAWN
        self.decided_by = by
        self.reasons = [Reason(code="withdrawn", message=f"đơn vị rút hồ sơ{': ' + reason if reason else ''}")]
        self.events.append(Withdrawn(self.nomination_id, self.submission_event_id, self.submission.unit_id, by, reason))


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


@dataclass(frozen=True)
class Round:
    """A nomination of a nominee in a unit's quarter, as the next submission of them sees it."""

    nomination_id: uuid.UUID
    unit_id: str
    quarter: str
    round: int
    status: NominationStatus


@dataclass(frozen=True)
class Placement:
    """Where a submission stands among its nominee's nominations: its round, the one it completes,
    or why it cannot be taken (a duplicate; a completion of what cannot be completed)."""

    round: int = 1
    previous_nomination_id: uuid.UUID | None = None
    duplicate: bool = False
    problems: tuple[Reason, ...] = ()


NOT_RESUBMITTABLE = (
    "chỉ bổ sung được hồ sơ đã bị trả lại của chính đơn vị, trong cùng quý, và mỗi hồ sơ bị trả lại chỉ bổ sung một lần"
)


def place(
    submission: NominationSubmitted,
    same_nominee: Sequence[Round],
    completes: Round | None,
    *,
    already_completed: bool,
    unit_lineage: Sequence[str],
) -> Placement:
    """A first submission is round 1 unless the nominee is already proposed for the quarter (a
    duplicate; a withdrawn nomination does not count). A completion names the returned nomination
    it completes (``resubmits``): the next round, never a duplicate of it."""
    if submission.resubmits is not None:
        if (
            completes is None
            or completes.status is not NominationStatus.RETURNED
            or completes.quarter != submission.quarter
            or completes.unit_id not in unit_lineage
            or already_completed
        ):
            return Placement(problems=(Reason(code="not-resubmittable", message=NOT_RESUBMITTABLE),))
        live = [r for r in same_nominee if r.nomination_id != completes.nomination_id]
        if any(r.status is not NominationStatus.WITHDRAWN for r in live if r.round > completes.round):
            return Placement(problems=(Reason(code="not-resubmittable", message=NOT_RESUBMITTABLE),))
        later = max((r.round for r in same_nominee), default=completes.round)
        return Placement(round=max(later, completes.round) + 1, previous_nomination_id=completes.nomination_id)
    if any(r.status is not NominationStatus.WITHDRAWN for r in same_nominee):
        return Placement(duplicate=True)
    return Placement(round=max((r.round for r in same_nominee), default=0) + 1)


def take_in(
    submission: NominationSubmitted,
    *,
    submission_event_id: uuid.UUID,
    correlation_id: uuid.UUID,
    unit_name: str,
    channel: str,
    submitted_by: str,
    now: datetime,
    already_nominated: bool = False,
    unit_problems: Sequence[Reason] = (),
    timing: tuple[Sequence[Reason], Sequence[Reason]] = ((), ()),
    placement: Placement | None = None,
) -> Nomination | RefusedSubmission:
    """A nomination waiting for review, or the refusal of the submission with its reasons.

    ``timing`` is what the quarter's window says of the day it came: refusals, or notes that go
    with the acceptance (``Calendar.judge``).
    """
    refusals, notes = timing
    placement = placement or Placement(duplicate=already_nominated)
    problems = [
        *unit_problems,
        *refusals,
        *intake_problems(submission, already_nominated=placement.duplicate),
        *placement.problems,
    ]
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
        round=placement.round,
        previous_nomination_id=placement.previous_nomination_id,
    )
    nomination.events.append(NominationTakenIn(nomination, unit_name))
    return nomination
