"""Awards use cases: record an approved exemplar; issue a decision commending a list of them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy.exc import IntegrityError

from awards.adapters.repository import AwardsStore
from awards.domain.model import (
    AlreadyGranted,
    AwardIssued,
    Decision,
    authority_for,
    check_signing_date,
    issue_decision,
    rewards_for,
)
from awards.domain.rewards import RewardRules
from awards.integration import exemplar_from_approved
from common.dates import vietnam_date
from common.events import Event, ExemplarApproved
from common.organisation import Organisation
from common.processing import Handlers
from common.unit_of_work import UnitOfWork

__all__ = [
    "AwardsOffice",
    "AwardsUnitOfWork",
    "DecisionRequest",
    "ExemplarNotFound",
    "handlers",
    "issue_decision_for",
    "record_exemplars",
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


AwardsUnitOfWork = UnitOfWork[AwardsStore, AwardIssued]


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
    form = office.rules.form(request.form)
    check_signing_date(signed_on, now)
    try:
        async with uow:
            found = await uow.store.load_exemplars(ids)
            if unknown := [i for i in ids if i not in found]:
                raise ExemplarNotFound(unknown)
            if granted := await uow.store.granted_numbers(ids, form.id):
                raise AlreadyGranted(form.name, {i: granted[i] for i in ids if i in granted})
            exemplars = [found[i] for i in ids]
            authority = authority_for(office.organisation, exemplars, form, signed_on)
            rewards = rewards_for(office.rules, form.id, exemplars, signed_on, grantor=authority.level.value)
            decision = issue_decision(
                list(zip(exemplars, rewards, strict=True)),
                # Taken last: on PostgreSQL the year's counter stays locked until the commit.
                seq=await uow.store.next_decision_seq(signed_on.year),
                suffix=authority.decision_suffix,
                signed_on=signed_on,
                signer=request.signer or authority.signer_title,
                citation=request.citation,
                granted_by=request.granted_by,
                now=now,
            )
            await uow.store.add_decision(decision)
            uow.track(decision)
    except IntegrityError:
        # A concurrent decision granting the same form to one of these exemplars committed first.
        async with uow:
            granted = await uow.store.granted_numbers(ids, form.id)
        if not granted:
            raise
        raise AlreadyGranted(form.name, {i: granted[i] for i in ids if i in granted}) from None
    return decision


def handlers() -> Handlers[AwardsStore, AwardIssued]:
    """What the awards group does with the events it reads."""
    return Handlers[AwardsStore, AwardIssued]().on(ExemplarApproved, record_exemplars)
