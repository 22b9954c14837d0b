"""Review use cases: open a case for each accepted nomination; decide a list of cases at once."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from common.errors import Unprocessable
from common.events import Event, NominationAccepted, NominationFlagged, NominationWithdrawn, Reason
from common.processing import Handlers
from common.unit_of_work import UnitOfWork
from review.adapters.repository import ReviewStore
from review.domain.model import AlreadyDecided, CaseDecided, Decision, ReviewCase
from review.integration import case_from_accepted

__all__ = [
    "DecisionOutcome",
    "DecisionRequest",
    "ReviewUnitOfWork",
    "decide_cases",
    "flag_cases",
    "handlers",
    "open_cases",
    "withdraw_cases",
]

ReviewUnitOfWork = UnitOfWork[ReviewStore, CaseDecided]


async def open_cases(uow: ReviewUnitOfWork, events: Sequence[Event[NominationAccepted]]) -> None:
    """NominationAccepted: each nomination waits for the office's decision (a run in one statement)."""
    now = datetime.now(UTC)
    async with uow:
        await uow.store.add_cases([case_from_accepted(event, now) for event in events])


async def flag_cases(uow: ReviewUnitOfWork, events: Sequence[Event[NominationFlagged]]) -> None:
    """NominationFlagged: what the registry knows of the nominee, shown with the case (a run in one statement).

    It follows the case's NominationAccepted on the same stream, so the case is always here.
    """
    async with uow:
        found = await uow.store.get_cases([e.payload.nomination_id for e in events])
        if missing := sorted({str(e.payload.nomination_id) for e in events} - {str(i) for i in found}):
            raise Unprocessable("unknown-nomination", f"no case for nominations {', '.join(missing)}")
        await uow.store.flag_cases(
            [
                (
                    e.payload.nomination_id,
                    e.payload.person_id,
                    list(e.payload.possible_person_ids),
                    list(e.payload.warnings),
                )
                for e in events
            ]
        )


async def withdraw_cases(uow: ReviewUnitOfWork, events: Sequence[Event[NominationWithdrawn]]) -> None:
    """NominationWithdrawn: a case still waiting is closed; one decided before the withdrawal came
    stays decided (its decision has gone, or goes, to the unit as usual)."""
    now = datetime.now(UTC)
    async with uow:
        found = await uow.store.get_cases([e.payload.nomination_id for e in events])
        if missing := sorted({str(e.payload.nomination_id) for e in events} - {str(i) for i in found}):
            raise Unprocessable("unknown-nomination", f"no case for nominations {', '.join(missing)}")
        closed = [
            case
            for e in events
            if (case := found[e.payload.nomination_id]).withdraw(
                by=e.payload.withdrawn_by, at=now, reason=e.payload.reason
            )
        ]
        await uow.store.save_decisions(closed)


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


async def decide_cases(uow: ReviewUnitOfWork, requests: Sequence[DecisionRequest], *, by: str) -> list[DecisionOutcome]:
    """Decide a list of cases in one transaction; each decided case announces its decision.

    A council session decides many proposals at once; a request that cannot be taken (unknown
    or already decided case, refusal without reasons) is reported and the others go ahead.
    """
    outcomes: list[DecisionOutcome] = []
    decided: list[ReviewCase] = []
    now = datetime.now(UTC)
    async with uow:
        found = await uow.store.get_cases([r.nomination_id for r in requests], for_update=True)
        for request in requests:
            case = found.get(request.nomination_id)
            if case is None:
                outcomes.append(DecisionOutcome(request.nomination_id, problem="not-found", message="no such case"))
                continue
            try:
                case.decide(request.decision, by=by, at=now, note=request.note, reasons=request.reasons)
            except AlreadyDecided as error:
                outcomes.append(DecisionOutcome(request.nomination_id, problem="already-decided", message=str(error)))
                continue
            except ValueError as error:
                outcomes.append(DecisionOutcome(request.nomination_id, problem="invalid", message=str(error)))
                continue
            uow.track(case)
            decided.append(case)
            outcomes.append(DecisionOutcome(request.nomination_id, case=case))
        await uow.store.save_decisions(decided)
    return outcomes


def handlers() -> Handlers[ReviewStore, CaseDecided]:
    """What the review group does with the events it reads."""
    return (
        Handlers[ReviewStore, CaseDecided]()
        .on(NominationAccepted, open_cases)
        .on(NominationFlagged, flag_cases)
        .on(NominationWithdrawn, withdraw_cases)
    )
