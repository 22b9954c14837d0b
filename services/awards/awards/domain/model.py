"""Exemplars the office may commend, and the commendation decisions (quyết định khen thưởng) issued."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from awards.domain.rewards import Reward

__all__ = [
    "VIETNAM_TIME",
    "AlreadyGranted",
    "Award",
    "Exemplar",
    "SignedInFuture",
    "decision_number",
    "issue_award",
    "local_today",
]

# Indochina Time, UTC+7 all year (no daylight saving): the calendar decisions are dated in.
VIETNAM_TIME = timezone(timedelta(hours=7), "ICT")


def local_today(now: datetime) -> date:
    return now.astimezone(VIETNAM_TIME).date()


class AlreadyGranted(Exception):
    def __init__(self, form_name: str, exemplar_id: uuid.UUID, number: str | None) -> None:
        by = f" by decision {number}" if number else ""
        super().__init__(f"{form_name} was already granted to exemplar {exemplar_id}{by}")
        self.exemplar_id = exemplar_id


class SignedInFuture(ValueError):
    def __init__(self, signed_on: date, today: date) -> None:
        super().__init__(f"signed_on {signed_on.isoformat()} is in the future (today is {today.isoformat()})")


@dataclass(frozen=True)
class Exemplar:
    """An approved exemplar (điển hình tiên tiến) as the review office announced it."""

    exemplar_id: uuid.UUID
    nomination_id: uuid.UUID
    unit_id: str
    unit_name: str
    quarter: str
    field: str
    nominee_kind: str
    nominee_name: str
    nominee_title: str
    approved_at: datetime


@dataclass(frozen=True)
class Award:
    """One commendation decision for one exemplar, with the figures its amount came from."""

    award_id: uuid.UUID
    exemplar_id: uuid.UUID
    form: str
    form_name: str
    decision_year: int
    decision_seq: int
    decision_number: str
    signed_on: date
    signer: str
    citation: str
    recipient_name: str
    recipient_kind: str
    multiplier: Decimal
    kind_factor: Decimal
    base_salary_vnd: Decimal
    amount_vnd: int
    granted_by: str
    granted_at: datetime


def decision_number(seq: int, suffix: str) -> str:
    """``12/QĐ-UBND``: the sequence restarts every 1 January."""
    return f"{seq}/{suffix}"


def issue_award(
    exemplar: Exemplar,
    reward: Reward,
    *,
    seq: int,
    suffix: str,
    signed_on: date,
    signer: str,
    citation: str,
    granted_by: str,
    now: datetime,
) -> Award:
    """The decision commending ``exemplar``; it cannot be dated after today."""
    today = local_today(now)
    if signed_on > today:
        raise SignedInFuture(signed_on, today)
    return Award(
        award_id=uuid.uuid4(),
        exemplar_id=exemplar.exemplar_id,
        form=reward.form.id,
        form_name=reward.form.name,
        decision_year=signed_on.year,
        decision_seq=seq,
        decision_number=decision_number(seq, suffix),
        signed_on=signed_on,
        signer=signer,
        citation=citation,
        recipient_name=exemplar.nominee_name,
        recipient_kind=exemplar.nominee_kind,
        multiplier=reward.multiplier,
        kind_factor=reward.kind_factor,
        base_salary_vnd=reward.base_salary_vnd,
        amount_vnd=reward.amount_vnd,
        granted_by=granted_by,
        granted_at=now,
    )
