"""Exemplars the office may commend, and the commendation decisions (quyết định khen thưởng) issued.

One decision carries one number and is signed for a list of recipients; each recipient's award
records the figures its amount came from. Numbers follow Decree 30/2020/NĐ-CP (art. 15): each
authority keeps one register per calendar year, numbered from 01 in the order and on the dates of
signing, so a decision is never dated before the last one of its register, nor before the approval
of any exemplar it commends. An issued decision records ``AwardIssued`` for each
recipient; ``integration.py`` announces each as AwardGranted.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from awards.domain.history import TitleKept
from awards.domain.rewards import Form, Reward, RewardRules, RuleError
from common.dates import vietnam_date
from common.organisation import Authority, Level, Organisation

__all__ = [
    "AlreadyGranted",
    "Award",
    "AwardIssued",
    "AwardsEvent",
    "BadDecisionNumber",
    "Decision",
    "Exemplar",
    "NoAuthority",
    "NotGrantable",
    "NumberTaken",
    "OutOfRegisterOrder",
    "Registered",
    "SignedBeforeApproval",
    "SignedInFuture",
    "authority_for",
    "check_register_order",
    "check_signing_date",
    "decision_number",
    "issue_decision",
    "parse_decision_number",
    "rewards_for",
]


class AlreadyGranted(Exception):
    """Some recipients already hold the form; ``granted`` maps each to the decision that gave it."""

    def __init__(self, form_name: str, granted: Mapping[uuid.UUID, str | None]) -> None:
        parts = [
            f"{form_name} was already granted to exemplar {exemplar_id}" + (f" by decision {number}" if number else "")
            for exemplar_id, number in granted.items()
        ]
        super().__init__("; ".join(parts))
        self.exemplar_ids = list(granted)


class NotGrantable(RuleError):
    """The rules give no amount for some recipients (kind not eligible, no rule in force)."""

    def __init__(self, form_name: str, refused: Mapping[uuid.UUID, tuple[Exemplar, str]]) -> None:
        parts = [
            f"exemplar {exemplar_id} ({exemplar.nominee_name}, {exemplar.nominee_kind}): {why}"
            for exemplar_id, (exemplar, why) in refused.items()
        ]
        super().__init__(f"{form_name} cannot be granted to " + "; ".join(parts))
        self.exemplar_ids = list(refused)
        self.names = {exemplar_id: exemplar.nominee_name for exemplar_id, (exemplar, _why) in refused.items()}


class NoAuthority(RuleError):
    """No single authority may sign this decision on its date, with this form, for these recipients."""


_RANK = {Level.COMMUNE: 1, Level.DISTRICT: 2, Level.PROVINCE: 3}


def authority_for(
    organisation: Organisation,
    exemplars: Sequence[Exemplar],
    form: Form,
    signed_on: date,
    *,
    named: str | None = None,
) -> Authority:
    """Who signs a decision for these exemplars on ``signed_on``: their units' authority then.

    A unit that had ended by the signing date is commended by its successors' authority (Cao Xá's
    exemplar of 2025 is commended in 2026 by the People's Committee of Bản Nguyên commune). One
    decision has one authority, and that authority must be allowed to grant the form on the day.
    ``named`` records the decision of a higher authority on the units' proposal (the provincial
    chairman's Bằng khen for an exemplar of Bản Nguyên): it must stand above the units' own.
    """
    found: dict[str, Authority] = {}
    for exemplar in exemplars:
        candidates = [organisation.authority_of(exemplar.unit_id, signed_on)]
        if candidates[0] is None:
            candidates = [
                organisation.authority_of(s.id, signed_on)
                for s in organisation.successors_on(exemplar.unit_id, signed_on)
            ]
        authorities = {a.id: a for a in candidates if a is not None}
        if len(authorities) != 1:
            raise NoAuthority(
                f"no single authority commends the exemplars of {exemplar.unit_name} on {signed_on.isoformat()}"
            )
        found.update(authorities)
    if len(found) != 1:
        names = ", ".join(sorted(a.short_name for a in found.values()))
        raise NoAuthority(f"one decision is signed by one authority; these exemplars belong to {names}")
    [authority] = found.values()
    if named is not None and named != authority.id:
        higher = organisation.authority(named)
        if higher is None or not higher.valid_on(signed_on):
            raise NoAuthority(f"there is no authority {named!r} on {signed_on.isoformat()}")
        if _RANK[higher.level] <= _RANK[authority.level]:
            raise NoAuthority(f"{higher.name} does not stand above {authority.name}, the exemplars' own authority")
        authority = higher
    if not authority.may_grant(form.id, signed_on):
        raise NoAuthority(f"{authority.name} may not grant {form.name} on {signed_on.isoformat()}")
    return authority


class SignedInFuture(ValueError):
    def __init__(self, signed_on: date, today: date) -> None:
        super().__init__(f"signed_on {signed_on.isoformat()} is in the future (today is {today.isoformat()})")


class SignedBeforeApproval(ValueError):
    """A decision cannot commend an exemplar before the exemplar was approved."""

    def __init__(self, signed_on: date, early: Mapping[uuid.UUID, date]) -> None:
        parts = [f"exemplar {i} was approved on {day.isoformat()}" for i, day in early.items()]
        super().__init__(f"signed_on {signed_on.isoformat()} is before the approval it commends: " + "; ".join(parts))
        self.exemplar_ids = list(early)


class BadDecisionNumber(ValueError):
    """An entered decision number is not one of this authority's register."""


class NumberTaken(Exception):
    """An entered number is already in the register."""


class OutOfRegisterOrder(Exception):
    """The signing date breaks the order of the register (numbers follow the order of the dates)."""


@dataclass(frozen=True)
class Registered:
    """A number already in a register, with the date it was signed."""

    seq: int
    number: str
    signed_on: date


def decision_number(seq: int, suffix: str) -> str:
    """``01/QĐ-UBND``: two digits at least; each register restarts at 01 every 1 January."""
    return f"{seq:02d}/{suffix}"


_ENTERED = re.compile(r"^\s*0*([1-9][0-9]{0,5})\s*/\s*(\S+)\s*$")


def parse_decision_number(text: str, suffix: str) -> int:
    """The sequence of a number the document office gave (``163/QĐ-UBND``); its suffix must be ours."""
    found = _ENTERED.match(unicodedata.normalize("NFC", text))
    if found is None:
        raise BadDecisionNumber(f"decision number {text!r} is not of the form 163/{suffix}")
    if found.group(2) != suffix:
        raise BadDecisionNumber(f"decision number {text!r} is not of this register: its numbers end in /{suffix}")
    return int(found.group(1))


def check_register_order(signed_on: date, before: Registered | None, after: Registered | None) -> None:
    """Refuse a date earlier than the number before it, or later than the number after it."""
    if before is not None and signed_on < before.signed_on:
        raise OutOfRegisterOrder(
            f"signed_on {signed_on.isoformat()} is before {before.signed_on.isoformat()}, the date of "
            f"decision {before.number}, the number before it in the register"
        )
    if after is not None and signed_on > after.signed_on:
        raise OutOfRegisterOrder(
            f"signed_on {signed_on.isoformat()} is after {after.signed_on.isoformat()}, the date of "
            f"decision {after.number}, the number after it in the register"
        )


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
    correlation_id: uuid.UUID  # the nomination's journey through the services
    person_id: uuid.UUID | None = None  # the nominee in the registry of exemplars

    @property
    def year(self) -> int:
        """The year a title given for this exemplar is for: its quarter's."""
        return int(self.quarter[:4])


@dataclass(frozen=True)
class Award:
    """One recipient of a decision, with the figures its amount came from.

    The decision's number, date and signer are repeated here so an award reads on its own.
    """

    award_id: uuid.UUID
    decision_id: uuid.UUID
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


@dataclass(frozen=True)
class AwardIssued:
    """A recipient was commended by a signed decision."""

    award: Award
    exemplar: Exemplar


AwardsEvent = AwardIssued | TitleKept  # what the unit of work collects and announces


@dataclass(frozen=True)
class Decision:
    """A commendation decision (quyết định khen thưởng): one number, one form, a list of recipients."""

    decision_id: uuid.UUID
    authority_id: str  # whose register the number is in
    authority_name: str
    year: int
    seq: int
    number: str
    form: str
    form_name: str
    signed_on: date
    signer: str
    citation: str
    granted_by: str
    granted_at: datetime
    recipient_count: int
    awards: tuple[Award, ...]
    events: list[AwardIssued] = field(default_factory=list, compare=False, repr=False)

    @property
    def total_amount_vnd(self) -> int:
        return sum(a.amount_vnd for a in self.awards)


def check_signing_date(signed_on: date, now: datetime, exemplars: Sequence[Exemplar] = ()) -> None:
    """A decision cannot be dated after today, nor before it approved what it commends (Vietnam time)."""
    today = vietnam_date(now)
    if signed_on > today:
        raise SignedInFuture(signed_on, today)
    early = {e.exemplar_id: approved_on for e in exemplars if (approved_on := vietnam_date(e.approved_at)) > signed_on}
    if early:
        raise SignedBeforeApproval(signed_on, early)


def rewards_for(
    rules: RewardRules, form_id: str, exemplars: Sequence[Exemplar], signed_on: date, *, grantor: str
) -> list[Reward]:
    """Each recipient's reward, in order; refuses with every recipient the rules give nothing for.

    The amount depends only on the recipient's kind, so each kind is priced once.
    """
    form = rules.form(form_id)
    by_kind: dict[str, Reward | RuleError] = {}
    for kind in {e.nominee_kind for e in exemplars}:
        try:
            by_kind[kind] = rules.reward(form.id, kind, signed_on, grantor=grantor)
        except RuleError as error:
            by_kind[kind] = error
    refused = {
        e.exemplar_id: (e, str(by_kind[e.nominee_kind]))
        for e in exemplars
        if isinstance(by_kind[e.nominee_kind], RuleError)
    }
    if refused:
        raise NotGrantable(form.name, refused)
    return [reward for e in exemplars if isinstance(reward := by_kind[e.nominee_kind], Reward)]


def issue_decision(
    recipients: Sequence[tuple[Exemplar, Reward]],
    *,
    authority: Authority,
    seq: int,
    signed_on: date,
    signer: str,
    citation: str,
    granted_by: str,
    now: datetime,
) -> Decision:
    """The decision commending ``recipients`` (each with its reward, all of one form)."""
    if not recipients:
        raise ValueError("a decision needs at least one recipient")
    check_signing_date(signed_on, now, [exemplar for exemplar, _ in recipients])
    form = recipients[0][1].form
    if any(reward.form.id != form.id for _, reward in recipients):
        raise ValueError("all recipients of a decision receive the same form")
    if len({exemplar.exemplar_id for exemplar, _ in recipients}) != len(recipients):
        raise ValueError("an exemplar may appear only once in a decision")
    decision_id = uuid.uuid4()
    number = decision_number(seq, authority.decision_suffix)
    awards = tuple(
        Award(
            award_id=uuid.uuid4(),
            decision_id=decision_id,
            exemplar_id=exemplar.exemplar_id,
            form=form.id,
            form_name=form.name,
            decision_year=signed_on.year,
            decision_seq=seq,
            decision_number=number,
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
        for exemplar, reward in recipients
    )
    decision = Decision(
        decision_id=decision_id,
        authority_id=authority.id,
        authority_name=authority.name,
        year=signed_on.year,
        seq=seq,
        number=number,
        form=form.id,
        form_name=form.name,
        signed_on=signed_on,
        signer=signer,
        citation=citation,
        granted_by=granted_by,
        granted_at=now,
        recipient_count=len(awards),
        awards=awards,
    )
    decision.events.extend(
        AwardIssued(award, exemplar) for award, (exemplar, _) in zip(awards, recipients, strict=True)
    )
    return decision
