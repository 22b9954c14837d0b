"""A nomination (hồ sơ giới thiệu điển hình) and the intake rules it must pass."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from common.events import NominationSubmitted, Reason

__all__ = ["MIN_ACHIEVEMENTS_CHARS", "Nomination", "NominationStatus", "current_quarter", "intake_problems"]

MIN_ACHIEVEMENTS_CHARS = 20


class NominationStatus(StrEnum):
    ACCEPTED = "accepted"  # đã tiếp nhận, chờ xét duyệt
    APPROVED = "approved"  # được công nhận điển hình tiên tiến
    REJECTED = "rejected"  # không được công nhận
    RETURNED = "returned"  # trả lại để bổ sung


@dataclass
class Nomination:
    nomination_id: uuid.UUID
    submission_event_id: uuid.UUID
    submission: NominationSubmitted
    channel: str  # "http" (a clerk) or "stream" (the unit's own system)
    submitted_by: str
    submitted_at: datetime
    status: NominationStatus = NominationStatus.ACCEPTED
    decided_by: str | None = None
    reasons: list[Reason] = field(default_factory=list)


def current_quarter(today: date) -> str:
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def intake_problems(submission: NominationSubmitted, *, today: date, already_nominated: bool) -> list[Reason]:
    """What keeps a well-formed submission from being accepted; empty when it may go to review."""
    problems: list[Reason] = []
    if submission.quarter > current_quarter(today):
        problems.append(Reason(code="quarter-in-future", message=f"quý {submission.quarter} chưa đến"))
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
                message=f"đơn vị đã giới thiệu {submission.nominee.name} trong quý {submission.quarter}",
            )
        )
    return problems
