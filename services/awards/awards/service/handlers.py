"""Awards use cases: record an approved exemplar; issue a decision commending a list of them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from awards.adapters import repository
from awards.adapters.orm import messaging
from awards.domain.model import (
    AlreadyGranted,
    Award,
    Decision,
    check_signing_date,
    issue_decision,
    local_today,
    rewards_for,
)
from awards.domain.rewards import RewardRules
from awards.integration import exemplar_from_approved, granted_event
from common.db import Database
from common.events import Event, ExemplarApproved
from common.outbox import OutboxRelay, stage

__all__ = [
    "AwardsOffice",
    "DecisionRequest",
    "ExemplarNotFound",
    "GrantRequest",
    "grant_award",
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
    decision_suffix: str
    signer_title: str
    grantor_level: str


@dataclass(frozen=True)
class DecisionRequest:
    """One decision for a list of exemplars, each listed once."""

    exemplar_ids: Sequence[uuid.UUID]
    form: str
    granted_by: str
    signed_on: date | None = None
    signer: str | None = None
    citation: str = ""


@dataclass(frozen=True)
class GrantRequest:
    """One decision for one exemplar."""

    exemplar_id: uuid.UUID
    form: str
    granted_by: str
    signed_on: date | None = None
    signer: str | None = None
    citation: str = ""


async def record_exemplars(session: AsyncConnection, events: Sequence[Event[Any]]) -> list[list[Event[Any]]]:
    """ExemplarApproved: each exemplar may now be commended (a run in one statement)."""
    new = []
    for event in events:
        assert isinstance(event.payload, ExemplarApproved)
        new.append((exemplar_from_approved(event.payload, event.envelope), event.envelope.correlation_id))
    await repository.add_exemplars(session, new)
    return [[] for _ in events]


async def issue_decision_for(
    db: Database, relay: OutboxRelay, office: AwardsOffice, request: DecisionRequest, *, now: datetime | None = None
) -> Decision:
    """Issue one numbered decision for every listed exemplar and stage one AwardGranted each.

    All or nothing, in one transaction: an unknown exemplar, one that already holds the form, or
    one the rules give nothing for refuses the whole decision and consumes no number.
    """
    now = now or datetime.now(UTC)
    signed_on = request.signed_on or local_today(now)
    ids = list(request.exemplar_ids)
    if len(set(ids)) != len(ids):
        raise ValueError("an exemplar may appear only once in a decision")
    form = office.rules.form(request.form)
    check_signing_date(signed_on, now)
    try:
        async with db.transaction() as session:
            found = await repository.load_exemplars(session, ids)
            if unknown := [i for i in ids if i not in found]:
                raise ExemplarNotFound(unknown)
            if granted := await repository.granted_numbers(session, ids, form.id):
                raise AlreadyGranted(form.name, {i: granted[i] for i in ids if i in granted})
            exemplars = [found[i][0] for i in ids]
            rewards = rewards_for(office.rules, form.id, exemplars, signed_on, grantor=office.grantor_level)
            decision = issue_decision(
                list(zip(exemplars, rewards, strict=True)),
                # Taken last: on PostgreSQL the year's counter stays locked until the commit.
                seq=await repository.next_decision_seq(session, signed_on.year),
                suffix=office.decision_suffix,
                signed_on=signed_on,
                signer=request.signer or office.signer_title,
                citation=request.citation,
                granted_by=request.granted_by,
                now=now,
            )
            await repository.add_decision(session, decision)
            events = [granted_event(a, found[a.exemplar_id][0], found[a.exemplar_id][1]) for a in decision.awards]
            await stage(session, messaging, *events)
    except IntegrityError:
        # A concurrent decision granting the same form to one of these exemplars committed first.
        async with db.read() as session:
            granted = await repository.granted_numbers(session, ids, form.id)
        if not granted:
            raise
        raise AlreadyGranted(form.name, {i: granted[i] for i in ids if i in granted}) from None
    relay.publish_now(events)
    return decision


async def grant_award(
    db: Database, relay: OutboxRelay, office: AwardsOffice, request: GrantRequest, *, now: datetime | None = None
) -> Award:
    """A decision with a single recipient; its one award."""
    decision = await issue_decision_for(
        db,
        relay,
        office,
        DecisionRequest(
            exemplar_ids=[request.exemplar_id],
            form=request.form,
            granted_by=request.granted_by,
            signed_on=request.signed_on,
            signer=request.signer,
            citation=request.citation,
        ),
        now=now,
    )
    [award] = decision.awards
    return award
