"""A review case (hồ sơ xét duyệt): one per accepted nomination, decided once.

A decided case records ``CaseDecided``; the unit of work collects it and the service's
``integration.py`` announces it as ExemplarApproved, ExemplarRejected or NominationReturned.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field
from datetime import datetime
from enum import StrEnum

from common.events import Reason

__all__ = ["AlreadyDecided", "CaseDecided", "Decision", "ReviewCase", "ReviewStatus"]


class ReviewStatus(StrEnum):
    PENDING = "pending"  # chờ xét duyệt
    APPROVED = "approved"  # đã duyệt: điển hình tiên tiến
    REJECTED = "rejected"  # không duyệt
    RETURNED = "returned"  # trả lại đơn vị để bổ sung
    WITHDRAWN = "withdrawn"  # đơn vị đã rút trước khi có quyết định


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    RETURN = "return"


class AlreadyDecided(Exception):
    def __init__(self, status: ReviewStatus) -> None:
        super().__init__(f"the case was already decided: {status.value}")
        self.status = status


@dataclass(frozen=True)
class CaseDecided:
    """The office decided a case; ``case`` is the case as decided."""

    case: ReviewCase


@dataclass
class ReviewCase:
    nomination_id: uuid.UUID
    correlation_id: uuid.UUID  # the nomination's journey through the services
    unit_id: str
    unit_name: str
    quarter: str
    field: str
    nominee_kind: str
    nominee_name: str
    nominee_title: str
    achievements: str
    consent_to_publish: bool
    received_at: datetime
    status: ReviewStatus = ReviewStatus.PENDING
    exemplar_id: uuid.UUID | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    note: str = ""
    reasons: list[Reason] = dataclass_field(default_factory=list)
    person_id: uuid.UUID | None = None  # the nominee in the registry of exemplars, once nomination says
    possible_person_ids: list[uuid.UUID] = dataclass_field(default_factory=list)
    warnings: list[Reason] = dataclass_field(default_factory=list)  # what the registry knows: read before deciding
    round: int = 1  # 2 and on: the unit completed a returned nomination (previous_nomination_id)
    previous_nomination_id: uuid.UUID | None = None
    events: list[CaseDecided] = dataclass_field(default_factory=list, compare=False, repr=False)

    def withdraw(self, *, by: str, at: datetime, reason: str = "") -> bool:
        """The unit withdrew it: closed, announcing nothing; a case already decided stays so (False)."""
        if self.status is not ReviewStatus.PENDING:
            return False
        self.status = ReviewStatus.WITHDRAWN
        self.decided_by = by
        self.decided_at = at
        self.note = reason
        return True

    def decide(
        self,
        decision: Decision,
        *,
        by: str,
        at: datetime,
        note: str = "",
        reasons: list[Reason] | None = None,
    ) -> None:
        """Record the office's decision; a case is decided once, and refusals say why."""
        if self.status is not ReviewStatus.PENDING:
            raise AlreadyDecided(self.status)
        reasons = list(reasons or [])
        if decision is not Decision.APPROVE and not reasons:
            raise ValueError("a rejection or a return must give at least one reason")
        self.decided_by = by
        self.decided_at = at
        self.note = note
        self.reasons = reasons
        if decision is Decision.APPROVE:
            self.status = ReviewStatus.APPROVED
            self.exemplar_id = uuid.uuid5(uuid.NAMESPACE_URL, f"exemplar:{self.nomination_id}")
        elif decision is Decision.REJECT:
            self.status = ReviewStatus.REJECTED
        else:
            self.status = ReviewStatus.RETURNED
        self.events.append(CaseDecided(replace(self, events=[])))
