"""Awards use cases: record an approved exemplar; grant it a commendation."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from awards.adapters import repository
from awards.adapters.orm import messaging
from awards.domain.model import AlreadyGranted, Award, issue_award, local_today
from awards.domain.rewards import RewardRules
from awards.integration import exemplar_from_approved, granted_event
from common.db import Database
from common.events import Event, ExemplarApproved
from common.outbox import OutboxRelay, stage

__all__ = ["AwardsOffice", "ExemplarNotFound", "GrantRequest", "grant_award", "record_exemplar"]


class ExemplarNotFound(LookupError):
    def __init__(self, exemplar_id: uuid.UUID) -> None:
        super().__init__(f"no approved exemplar {exemplar_id} is recorded here")


@dataclass(frozen=True)
class AwardsOffice:
    """What issuing a decision needs beyond the database: rules and the organisation's style."""

    rules: RewardRules
    decision_suffix: str
    signer_title: str
    grantor_level: str


@dataclass(frozen=True)
class GrantRequest:
    exemplar_id: uuid.UUID
    form: str
    granted_by: str
    signed_on: date | None = None
    signer: str | None = None
    citation: str = ""


async def record_exemplar(session: AsyncConnection, event: Event[Any]) -> list[Event[Any]]:
    """ExemplarApproved: the exemplar may now be commended."""
    payload = event.payload
    assert isinstance(payload, ExemplarApproved)
    if await repository.get_exemplar(session, payload.exemplar_id) is None:
        exemplar = exemplar_from_approved(payload, event.envelope)
        await repository.add_exemplar(session, exemplar, event.envelope.correlation_id)
    return []


async def grant_award(
    db: Database, relay: OutboxRelay, office: AwardsOffice, request: GrantRequest, *, now: datetime | None = None
) -> Award:
    """Issue a numbered decision and stage AwardGranted, in one transaction."""
    now = now or datetime.now(UTC)
    signed_on = request.signed_on or local_today(now)
    try:
        async with db.transaction() as session:
            found = await repository.get_exemplar(session, request.exemplar_id)
            if found is None:
                raise ExemplarNotFound(request.exemplar_id)
            exemplar, correlation_id = found
            form = office.rules.form(request.form)
            earlier = await repository.find_award(session, exemplar.exemplar_id, form.id)
            if earlier is not None:
                raise AlreadyGranted(form.name, exemplar.exemplar_id, earlier.decision_number)
            reward = office.rules.reward(form.id, exemplar.nominee_kind, signed_on, grantor=office.grantor_level)
            award = issue_award(
                exemplar,
                reward,
                seq=await repository.next_decision_seq(session, signed_on.year),
                suffix=office.decision_suffix,
                signed_on=signed_on,
                signer=request.signer or office.signer_title,
                citation=request.citation,
                granted_by=request.granted_by,
                now=now,
            )
            await repository.add_award(session, award)
            await stage(session, messaging, granted_event(award, exemplar, correlation_id))
    except IntegrityError:
        # A concurrent grant of the same form to the same exemplar committed first.
        async with db.read() as session:
            earlier = await repository.find_award(session, request.exemplar_id, request.form)
        if earlier is None:
            raise
        raise AlreadyGranted(earlier.form_name, request.exemplar_id, earlier.decision_number) from None
    relay.wake()
    return award
