"""Awards use cases: record an approved exemplar; issue a decision commending a list of them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from sqlalchemy.exc import IntegrityError

from awards.adapters.repository import AwardsStore
from awards.domain.history import Held, NotEligible, TitleKept, history_problems
from awards.domain.model import (
    AlreadyGranted,
    AwardsEvent,
    BadDecisionNumber,
    Decision,
    Exemplar,
    NumberTaken,
    authority_for,
    check_register_order,
    check_signing_date,
    issue_decision,
    parse_decision_number,
    rewards_for,
)
from awards.domain.rewards import Amendment, Form, RewardRules, RuleError
from awards.integration import exemplar_from_approved
from common.dates import vietnam_date, vn_date
from common.events import Event, ExemplarApproved
from common.organisation import Authority, Numbering, Organisation
from common.processing import Handlers
from common.unit_of_work import UnitOfWork

__all__ = [
    "AmendmentRecorded",
    "AwardsOffice",
    "AwardsUnitOfWork",
    "DecisionRequest",
    "ExemplarNotFound",
    "UnknownNominee",
    "amend_rules",
    "handlers",
    "issue_decision_for",
    "record_exemplars",
    "record_title",
    "rules_in_force",
]


class ExemplarNotFound(LookupError):
    def __init__(self, exemplar_ids: Sequence[uuid.UUID]) -> None:
        if len(exemplar_ids) == 1:
            message = f"no approved exemplar {exemplar_ids[0]} is recorded here"
        else:
            message = f"no approved exemplars {', '.join(map(str, exemplar_ids))} are recorded here"
        super().__init__(message)
        self.exemplar_ids = list(exemplar_ids)


@dataclass(frozen=True)
class AwardsOffice:
    """What issuing a decision needs beyond the database: rules and the organisation's style."""

    rules: RewardRules
    organisation: Organisation  # who signs, with which title and forms, on each date


@dataclass(frozen=True)
class DecisionRequest:
    """One decision for a list of exemplars, each listed once."""

    exemplar_ids: Sequence[uuid.UUID]
    form: str
    granted_by: str
    signed_on: date | None = None
    signer: str | None = None
    citation: str = ""
    number: str | None = None  # given by the authority's document office, where it numbers (163/QĐ-UBND)
    authority: str | None = None  # a higher authority's decision on the units' proposal; else their own


AwardsUnitOfWork = UnitOfWork[AwardsStore, AwardsEvent]


@dataclass(frozen=True)
class AmendmentRecorded:
    amendment: Amendment
    signed_since: int  # decisions already dated on or after its effective date, priced without it


async def rules_in_force(store: AwardsStore, office: AwardsOffice) -> RewardRules:
    """The shipped rules with the operator's amendments: read at every use, so no restart is needed."""
    return office.rules.amended(await store.amendments())


async def amend_rules(uow: AwardsUnitOfWork, office: AwardsOffice, amendment: Amendment) -> AmendmentRecorded:
    """Record an amendment the rules accept (refused with AmendmentRefused); it applies at once."""
    async with uow:
        await uow.store.lock_amendments()
        recorded = await uow.store.amendments()
        office.rules.amended([*recorded, amendment])
        amendment_id = await uow.store.add_amendment(amendment)
        signed_since = await uow.store.signed_since(amendment.effective_from)
    return AmendmentRecorded(replace(amendment, amendment_id=amendment_id), signed_since)


async def record_exemplars(uow: AwardsUnitOfWork, events: Sequence[Event[ExemplarApproved]]) -> None:
    """ExemplarApproved: each exemplar may now be commended (a run in one statement)."""
    async with uow:
        await uow.store.add_exemplars([exemplar_from_approved(event) for event in events])


async def issue_decision_for(
    uow: AwardsUnitOfWork, office: AwardsOffice, request: DecisionRequest, *, now: datetime | None = None
) -> Decision:
    """Issue one numbered decision for every listed exemplar; each recipient's award is announced.

    All or nothing, in one transaction: an unknown exemplar, one that already holds the form, or
    one the rules give nothing for refuses the whole decision and consumes no number.
    """
    now = now or datetime.now(UTC)
    signed_on = request.signed_on or vietnam_date(now)
    ids = list(request.exemplar_ids)
    if len(set(ids)) != len(ids):
        raise ValueError("an exemplar may appear only once in a decision")
    form = office.rules.form(request.form)  # forms come with the shipped file; amendments add dated values
    check_signing_date(signed_on, now)
    try:
        async with uow:
            found = await uow.store.load_exemplars(ids)
            if unknown := [i for i in ids if i not in found]:
                raise ExemplarNotFound(unknown)
            if granted := await uow.store.granted_numbers(ids, form.id):
                raise AlreadyGranted(form.name, {i: granted[i] for i in ids if i in granted})
            exemplars = [found[i] for i in ids]
            check_signing_date(signed_on, now, exemplars)
            authority = authority_for(office.organisation, exemplars, form, signed_on, named=request.authority)
            rules = await rules_in_force(uow.store, office)
            await check_history(uow.store, rules, form, exemplars)
            rewards = rewards_for(rules, form.id, exemplars, signed_on, grantor=authority.level.value)
            # Taken last: on PostgreSQL the register's row stays locked until the commit.
            seq = await _number(uow.store, authority, signed_on, request.number)
            decision = issue_decision(
                list(zip(exemplars, rewards, strict=True)),
                authority=authority,
                seq=seq,
                signed_on=signed_on,
                signer=request.signer or authority.signer_title,
                citation=request.citation,
                granted_by=request.granted_by,
                now=now,
            )
            await uow.store.add_decision(decision)
            uow.track(decision)
    except IntegrityError:
        # A concurrent decision granting the same form to one of these exemplars, or taking the
        # same entered number, committed first.
        async with uow:
            granted = await uow.store.granted_numbers(ids, form.id)
        if granted:
            raise AlreadyGranted(form.name, {i: granted[i] for i in ids if i in granted}) from None
        if request.number is not None:
            raise NumberTaken(f"decision number {request.number} is already in the register") from None
        raise
    return decision


async def check_history(store: AwardsStore, rules: RewardRules, form: Form, exemplars: Sequence[Exemplar]) -> None:
    """A title held once a year, or one that needs earlier titles, against what the nominees hold."""
    if not (form.once_a_year or form.requires):
        return
    people = {e.person_id for e in exemplars if e.person_id is not None}
    await store.lock_people(people)
    held = await store.titles_of(people)
    recipients = [(e.exemplar_id, e.nominee_name, e.person_id, e.year) for e in exemplars]
    if refused := history_problems(rules, form, recipients, held):
        raise NotEligible(form.name, refused)


class UnknownNominee(LookupError):
    """No exemplar of this nominee of the registry is recorded here."""


async def record_title(
    uow: AwardsUnitOfWork, office: AwardsOffice, held: Held, *, recorded_by: str, today: date
) -> Held:
    """Record a title a nominee received elsewhere, with its decision; it joins their history at once.

    Refused (RuleError, in Vietnamese) for an unknown form, one not given to the nominee's kind, a
    decision dated in the future, or a title held once a year that the nominee already holds for
    that year; UnknownNominee when no exemplar of theirs is here; the same decision twice for one
    nominee fails on the key (IntegrityError).
    """
    form = office.rules.form(held.form)
    if held.signed_on > today:
        raise RuleError(f"quyết định ngày {vn_date(held.signed_on)} chưa đến: hôm nay là {vn_date(today)}")
    held = replace(held, form_name=form.name, recorded=True, title_id=held.title_id or uuid.uuid4())
    async with uow:
        kind = await uow.store.kind_of(held.person_id)
        if kind is None:
            raise UnknownNominee(f"chưa có gương điển hình nào của người này ({held.person_id}) được ghi nhận tại đây")
        if kind not in form.recipients:
            raise RuleError(f"“{form.name}” không tặng cho {_KIND_NAMES.get(kind, kind)}")
        await uow.store.lock_people({held.person_id})
        if form.once_a_year:
            history = (await uow.store.titles_of({held.person_id}))[held.person_id]
            if same := [h for h in history if h.form == form.id and h.year == held.year]:
                raise RuleError(
                    f"“{form.name}” năm {held.year} đã có trong sổ theo dõi (Quyết định số {same[0].decision_number})"
                )
        await uow.store.add_recorded_title(held, recorded_by=recorded_by, recorded_at=datetime.now(UTC))
        uow.track(TitleKept(held, recorded_by))
    return held


_KIND_NAMES = {"individual": "cá nhân", "collective": "tập thể", "household": "hộ gia đình"}


async def _number(store: AwardsStore, authority: Authority, signed_on: date, entered: str | None) -> int:
    """The decision's place in its authority's register for the year, in the order of the dates."""
    year = signed_on.year
    if authority.numbering is Numbering.ENTERED:
        if entered is None:
            raise BadDecisionNumber(
                f"{authority.name} numbers its decisions in its own register: enter the number its document office gave"
            )
        seq = parse_decision_number(entered, authority.decision_suffix)
        if taken := await store.number_in_register(authority.id, year, seq):
            raise NumberTaken(f"decision number {taken} of {year} is already in the register of {authority.name}")
    elif entered is not None:
        raise BadDecisionNumber(
            f"the decisions of {authority.name} are numbered here, at signing; leave the number out"
        )
    else:
        seq = await store.next_decision_seq(authority.id, year)
    check_register_order(signed_on, *await store.neighbours(authority.id, year, seq))
    return seq


def handlers() -> Handlers[AwardsStore, AwardsEvent]:
    """What the awards group does with the events it reads."""
    return Handlers[AwardsStore, AwardsEvent]().on(ExemplarApproved, record_exemplars)
