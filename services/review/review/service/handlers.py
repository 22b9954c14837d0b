"""Review use cases: open a case for an accepted nomination; decide cases, one or a list at once."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from common.db import Database
from common.events import Event, NominationAccepted, Reason
from common.outbox import OutboxRelay, stage
from review.adapters import repository
from review.adapters.orm import messaging
from review.domain.model import AlreadyDecided, Decision, ReviewCase, ReviewStatus
from review.integration import case_from_accepted, decision_event

__all__ = [
    "CaseNotFound",
    "DecisionOutcome",
    "DecisionRequest",
    "decide_case",
    "decide_cases",
    "open_cases",
]


class CaseNotFound(LookupError):
    pass


async def open_cases(session: AsyncConnection, events: Sequence[Event[Any]]) -> list[list[Event[Any]]]:
    """NominationAccepted: each nomination waits for the office's decision (a run in one statement)."""
    now = datetime.now(UTC)
    cases = []
    for event in events:
        assert isinstance(event.payload, NominationAccepted)
        cases.append((case_from_accepted(event.payload, now), event.envelope.correlation_id))
    await repository.add_many(session, cases)
    return [[] for _ in events]


@dataclass(frozen=True)
class DecisionRequest:
    nomination_id: uuid.UUID
    decision: Decision
    note: str = ""
    reasons: list[Reason] = field(default_factory=list)


@dataclass(frozen=True)
class DecisionOutcome:
    """What became of one requested decision: the decided case, or why it was not taken."""

    nomination_id: uuid.UUID
    case: ReviewCase | None = None
    problem: str | None = None  # "not-found", "already-decided" or "invalid"
    message: str = ""
    decided_status: ReviewStatus | None = None  # for "already-decided": what it was decided as


async def decide_cases(
    db: Database, relay: OutboxRelay, requests: Sequence[DecisionRequest], *, by: str
) -> list[DecisionOutcome]:
    """Decide a list of cases in one transaction, with the events that announce them.

    A council session decides many proposals at once; a request that cannot be taken (unknown
    or already decided case, refusal without reasons) is reported and the others go ahead.
    """
    outcomes: list[DecisionOutcome] = []
    decided: list[ReviewCase] = []
    events: list[Event[Any]] = []
    now = datetime.now(UTC)
    async with db.transaction() as session:
        found = await repository.get_many(session, [r.nomination_id for r in requests], for_update=True)
        for request in requests:
            if request.nomination_id not in found:
                outcomes.append(DecisionOutcome(request.nomination_id, problem="not-found", message="no such case"))
                continue
            case, correlation_id = found[request.nomination_id]
            try:
                case.decide(request.decision, by=by, at=now, note=request.note, reasons=request.reasons)
            except AlreadyDecided as error:
                outcomes.append(
                    DecisionOutcome(
                        request.nomination_id,
                        problem="already-decided",
                        message=str(error),
                        decided_status=error.status,
                    )
                )
                continue
            except ValueError as error:
                outcomes.append(DecisionOutcome(request.nomination_id, problem="invalid", message=str(error)))
                continue
            decided.append(case)
            events.append(decision_event(case, correlation_id))
            outcomes.append(DecisionOutcome(request.nomination_id, case=case))
        await repository.save(session, *decided)
        await stage(session, messaging, *events)
    relay.publish_now(events)
    return outcomes


async def decide_case(
    db: Database,
    relay: OutboxRelay,
    nomination_id: uuid.UUID,
    decision: Decision,
    *,
    by: str,
    note: str = "",
    reasons: list[Reason] | None = None,
) -> ReviewCase:
    """Decide one case; raises CaseNotFound or AlreadyDecided."""
    request = DecisionRequest(nomination_id, decision, note, list(reasons or []))
    [outcome] = await decide_cases(db, relay, [request], by=by)
    if outcome.problem == "not-found":
        raise CaseNotFound(nomination_id)
    if outcome.problem == "already-decided":
        assert outcome.decided_status is not None
        raise AlreadyDecided(outcome.decided_status)
    if outcome.problem == "invalid":
        raise ValueError(outcome.message)
    assert outcome.case is not None
    return outcome.case
