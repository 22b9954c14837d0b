"""Reward amounts (tiền thưởng): effective-dated multipliers × base salary, rounded up.

Pure: the rules arrive as data (see ``awards/data/reward_rules.toml``); this module only picks
the entries in force on a signing date and does exact decimal arithmetic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import ROUND_CEILING, Decimal
from enum import StrEnum
from typing import Protocol, TypeVar

__all__ = [
    "Amendment",
    "AmendmentKind",
    "AmendmentRefused",
    "AmountRow",
    "BaseSalary",
    "Form",
    "KindFactor",
    "Multiplier",
    "NoRuleInForce",
    "RecipientNotEligible",
    "Requirement",
    "Reward",
    "RewardRules",
    "RuleError",
    "UnknownForm",
    "round_up",
]


class RuleError(ValueError):
    """The rules give no amount for this request; the message says why."""


class UnknownForm(RuleError):
    def __init__(self, form_id: str, known: Sequence[str]) -> None:
        super().__init__(f"unknown form {form_id!r}; known forms: {', '.join(known)}")
        self.form_id = form_id
        self.known = tuple(known)


class NoRuleInForce(RuleError):
    """Nothing of the kind was in force on the date (e.g. before the first base salary)."""


class RecipientNotEligible(RuleError):
    """The form is not given to this kind of recipient."""


class AmendmentRefused(RuleError):
    """An amendment would make the rules wrong or ambiguous; the message says why."""


class _Dated(Protocol):
    @property
    def effective_from(self) -> date: ...


D = TypeVar("D", bound=_Dated)


def _in_force(entries: Sequence[D], day: date) -> D | None:
    """The entry that took effect last on or before ``day``."""
    started = [e for e in entries if e.effective_from <= day]
    return max(started, key=lambda e: e.effective_from) if started else None


def round_up(amount: Decimal, step: Decimal) -> Decimal:
    """Round up to a whole multiple of ``step``; an exact multiple stays as it is."""
    return (amount / step).to_integral_value(rounding=ROUND_CEILING) * step


@dataclass(frozen=True)
class BaseSalary:
    """Mức lương cơ sở, VND per month, from a date."""

    amount_vnd: Decimal
    effective_from: date
    source: str = ""
    verify: bool = False


@dataclass(frozen=True)
class KindFactor:
    """How many times the individual amount a kind of recipient receives, from a date."""

    kind: str
    factor: Decimal
    effective_from: date
    source: str = ""
    verify: bool = False


@dataclass(frozen=True)
class Multiplier:
    """A form's multiplier (hệ số) from a date; ``grantor`` narrows it to one signing level."""

    value: Decimal
    effective_from: date
    grantor: str | None = None
    source: str = ""
    verify: bool = False


@dataclass(frozen=True)
class Requirement:
    """A title the recipient must already hold: ``form`` in each of ``years`` consecutive years,
    the last of them the year the new title is for ("03 lần liên tục đạt danh hiệu …")."""

    form: str
    years: int = 1
    source: str = ""
    verify: bool = False


@dataclass(frozen=True)
class Form:
    """A form of commendation (hình thức khen thưởng) or emulation title."""

    id: str
    name: str
    granted_by: str
    recipients: tuple[str, ...]
    multipliers: tuple[Multiplier, ...]
    scaled_by_kind: bool = False
    verify: bool = False
    once_a_year: bool = False  # an emulation title: one recipient holds it at most once for a year
    requires: tuple[Requirement, ...] = ()

    def multiplier_on(self, day: date, grantor: str) -> Multiplier:
        applicable = [m for m in self.multipliers if m.grantor in (None, grantor)]
        found = _in_force(applicable, day)
        if found is None:
            raise NoRuleInForce(f"{self.name} has no multiplier in force on {day.isoformat()} for a {grantor} grantor")
        return found


@dataclass(frozen=True)
class Reward:
    """What a decision pays, and the figures it was computed from."""

    form: Form
    multiplier: Decimal
    kind_factor: Decimal
    base_salary_vnd: Decimal
    amount_vnd: int


class AmendmentKind(StrEnum):
    BASE_SALARY = "base-salary"
    MULTIPLIER = "multiplier"
    KIND_FACTOR = "kind-factor"


@dataclass(frozen=True)
class Amendment:
    """An entry the operator added to the shipped rules, with its legal basis, and who and when.

    ``form`` and ``grantor`` belong to a multiplier; ``recipient_kind`` to a kind factor.
    """

    kind: AmendmentKind
    value: Decimal
    effective_from: date
    source: str
    recorded_by: str
    recorded_at: datetime
    form: str | None = None
    grantor: str | None = None
    recipient_kind: str | None = None
    verify: bool = False
    amendment_id: int | None = None  # given when recorded

    def describe(self) -> str:
        if self.kind is AmendmentKind.BASE_SALARY:
            what = f"base salary {self.value} VND"
        elif self.kind is AmendmentKind.MULTIPLIER:
            what = f"multiplier {self.value} for {self.form}" + (f" ({self.grantor})" if self.grantor else "")
        else:
            what = f"factor {self.value} for {self.recipient_kind} recipients"
        return f"{what} from {self.effective_from.isoformat()}"


@dataclass(frozen=True)
class AmountRow:
    """What a form pays each kind of recipient on a day; a reason instead where it pays nothing."""

    day: date
    form: Form
    grantor: str
    amounts: dict[str, int | str]


@dataclass(frozen=True)
class RewardRules:
    rounding_step_vnd: Decimal
    base_salaries: tuple[BaseSalary, ...]
    kind_factors: tuple[KindFactor, ...]
    forms: tuple[Form, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.rounding_step_vnd <= 0:
            raise ValueError("rounding_step_vnd must be positive")
        if not self.base_salaries:
            raise ValueError("at least one base salary period is needed")
        if any(s.amount_vnd <= 0 for s in self.base_salaries):
            raise ValueError("a base salary must be positive")
        if len({s.effective_from for s in self.base_salaries}) != len(self.base_salaries):
            raise ValueError("two base salary periods start on the same day")
        ids = [f.id for f in self.forms]
        if len(set(ids)) != len(ids):
            raise ValueError("two forms share an id")
        for form in self.forms:
            for needed in form.requires:
                if needed.form not in ids:
                    raise ValueError(f"form {form.id} requires {needed.form}, which is not a form")
                if needed.years < 1:
                    raise ValueError(f"form {form.id} requires {needed.form} for fewer than one year")
            if not form.multipliers:
                raise ValueError(f"form {form.id} has no multiplier")
            if any(m.value <= 0 for m in form.multipliers):
                raise ValueError(f"form {form.id} has a multiplier that is not positive")

    @property
    def form_ids(self) -> tuple[str, ...]:
        return tuple(f.id for f in self.forms)

    def form(self, form_id: str) -> Form:
        for form in self.forms:
            if form.id == form_id:
                return form
        raise UnknownForm(form_id, self.form_ids)

    def base_salary_on(self, day: date) -> BaseSalary:
        found = _in_force(self.base_salaries, day)
        if found is None:
            first = min(s.effective_from for s in self.base_salaries)
            raise NoRuleInForce(
                f"no base salary is recorded for {day.isoformat()}: the first period starts {first.isoformat()}"
            )
        return found

    def kind_factor_on(self, kind: str, day: date) -> Decimal:
        found = _in_force([k for k in self.kind_factors if k.kind == kind], day)
        if found is None:
            raise NoRuleInForce(f"no reward factor for a {kind} recipient is in force on {day.isoformat()}")
        return found.factor

    def reward(self, form_id: str, kind: str, signed_on: date, *, grantor: str) -> Reward:
        """The cash a decision signed on ``signed_on`` pays a recipient of ``kind``."""
        form = self.form(form_id)
        if kind not in form.recipients:
            raise RecipientNotEligible(f"{form.name} is given to {', '.join(form.recipients)} recipients, not {kind}")
        multiplier = form.multiplier_on(signed_on, grantor).value
        base = self.base_salary_on(signed_on).amount_vnd
        factor = self.kind_factor_on(kind, signed_on) if form.scaled_by_kind else Decimal(1)
        amount = round_up(multiplier * base * factor, self.rounding_step_vnd)
        return Reward(
            form=form, multiplier=multiplier, kind_factor=factor, base_salary_vnd=base, amount_vnd=int(amount)
        )

    def amended(self, amendments: Sequence[Amendment]) -> RewardRules:
        """These rules with the operator's amendments added, each checked against what is there."""
        rules = self
        for amendment in amendments:
            rules = rules._with(amendment)
        return rules

    def _with(self, amendment: Amendment) -> RewardRules:
        entry = f"{amendment.describe()} ({amendment.source})"
        if amendment.value <= 0:
            raise AmendmentRefused(f"{entry}: the value must be positive")
        if not amendment.source.strip():
            raise AmendmentRefused(f"{entry}: the legal basis is required")
        if amendment.kind is AmendmentKind.BASE_SALARY:
            if amendment.value != amendment.value.to_integral_value():
                raise AmendmentRefused(f"{entry}: a base salary is a whole number of đồng")
            if any(s.effective_from == amendment.effective_from for s in self.base_salaries):
                raise AmendmentRefused(f"{entry}: a base salary already takes effect on that day")
            added = BaseSalary(amendment.value, amendment.effective_from, amendment.source, amendment.verify)
            return replace(self, base_salaries=(*self.base_salaries, added))
        if amendment.kind is AmendmentKind.KIND_FACTOR:
            kind = amendment.recipient_kind
            if kind not in {"individual", "collective", "household"}:
                raise AmendmentRefused(f"{entry}: the recipient kind is individual, collective or household")
            if any(k.kind == kind and k.effective_from == amendment.effective_from for k in self.kind_factors):
                raise AmendmentRefused(f"{entry}: a factor for {kind} recipients already takes effect on that day")
            factor = KindFactor(kind, amendment.value, amendment.effective_from, amendment.source, amendment.verify)
            return replace(self, kind_factors=(*self.kind_factors, factor))
        try:
            form = self.form(amendment.form or "")
        except UnknownForm as error:
            raise AmendmentRefused(f"{entry}: {error}") from None
        if amendment.grantor not in (None, "commune", "district", "province"):
            raise AmendmentRefused(f"{entry}: the grantor level is commune, district or province")
        if any(
            m.effective_from == amendment.effective_from and m.grantor == amendment.grantor for m in form.multipliers
        ):
            raise AmendmentRefused(f"{entry}: a multiplier of {form.name} already takes effect on that day")
        multiplier = Multiplier(
            amendment.value, amendment.effective_from, amendment.grantor, amendment.source, amendment.verify
        )
        changed = replace(form, multipliers=(*form.multipliers, multiplier))
        return replace(self, forms=tuple(changed if f.id == form.id else f for f in self.forms))

    def amounts_on(self, day: date, *, grantor: str) -> list[AmountRow]:
        """Every form's amount for each recipient kind on ``day``, signed at the ``grantor`` level.

        A form only a higher level grants (the provincial Bằng khen) is priced at that level.
        """
        rows = []
        for form in self.forms:
            levels = {m.grantor for m in form.multipliers}
            [only] = levels if len(levels) == 1 else [grantor]
            level = only or grantor  # a form one level alone grants (the province's) is priced at that level
            amounts: dict[str, int | str] = {}
            for kind in ("individual", "collective", "household"):
                try:
                    amounts[kind] = self.reward(form.id, kind, day, grantor=level).amount_vnd
                except RuleError as error:
                    amounts[kind] = str(error)
            rows.append(AmountRow(day=day, form=form, grantor=level, amounts=amounts))
        return rows
