"""HTTP API of the review office: list cases, read one, approve, reject or return it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from pydantic import BaseModel, Field

from common.api_errors import api_error
from common.auth import Principal, Role, require_roles
from common.events import Reason, Text
from common.organisation import Organisation
from common.paging import Offset
from common.runtime import Runtime
from common.views import PublicExemplarView
from review.adapters.repository import ReviewStore
from review.domain.model import CaseDecided, Decision, ReviewCase, ReviewStatus
from review.service.handlers import DecisionOutcome, DecisionRequest, decide_cases

__all__ = ["router"]

router = APIRouter(prefix="/reviews", tags=["reviews"])

Reviewer = Annotated[Principal, require_roles(Role.REVIEWER, Role.COUNCIL)]
Reader = Annotated[Principal, require_roles(Role.REVIEWER, Role.COUNCIL, Role.OFFICER, Role.OPERATOR)]


# What a decision not taken means, for the person reading it.
SAID = {
    "not-found": "Không có hồ sơ xét duyệt này.",
    "already-decided": "Hồ sơ đã được quyết định trước đó (hoặc đơn vị đã rút).",
    "invalid": "Khi trả lại hoặc không công nhận phải nêu ít nhất một lý do.",
}


class CaseView(PublicExemplarView):
    achievements: str
    consent_to_publish: bool
    received_at: datetime
    status: ReviewStatus
    exemplar_id: uuid.UUID | None
    decided_by: str | None
    decided_at: datetime | None
    note: str
    reasons: list[Reason]
    person_id: uuid.UUID | None = Field(description="the nominee in the registry of exemplars")
    possible_person_ids: list[uuid.UUID] = Field(description="other nominees of the registry it may be")
    warnings: list[Reason] = Field(description="what the registry knows of the nominee: read before deciding")
    round: int = Field(default=1, description="2 and on: the unit completed a returned nomination")
    previous_nomination_id: uuid.UUID | None = Field(default=None, description="the returned nomination it completes")

    @classmethod
    def of(cls, case: ReviewCase) -> CaseView:
        return cls.model_validate(case, from_attributes=True)


class CaseList(BaseModel):
    total: int
    items: list[CaseView]


class Approval(BaseModel):
    note: Annotated[Text, Field(max_length=2000)] = ""


class Refusal(BaseModel):
    reasons: list[Reason] = Field(min_length=1, max_length=20)
    note: Annotated[Text, Field(max_length=2000)] = ""


def _runtime(request: Request) -> Runtime[ReviewStore, CaseDecided]:
    runtime: Runtime[ReviewStore, CaseDecided] = request.app.state.runtime
    return runtime


@router.get("", response_model=CaseList)
async def list_cases(
    request: Request,
    _who: Reader,
    status_: Annotated[ReviewStatus | None, Query(alias="status")] = None,
    unit: Annotated[str | None, Query(max_length=80)] = None,
    lineage: Annotated[bool, Query(description="with the unit's predecessors (the communes merged into it)")] = False,
    person: Annotated[uuid.UUID | None, Query(description="every case of one nominee of the registry")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> CaseList:
    """Cases in the order they came; a unit's alone, or rolled up along its lineage."""
    organisation: Organisation = request.app.state.organisation
    units = None if unit is None else organisation.rolled_up(unit, lineage=lineage)
    async with _runtime(request).db.read() as connection:
        total, items = await ReviewStore(connection).list_cases(
            status=status_, unit_ids=units, person_id=person, limit=limit, offset=offset
        )
    return CaseList(total=total, items=[CaseView.of(c) for c in items])


@router.get("/{nomination_id}", response_model=CaseView)
async def get_case(request: Request, nomination_id: uuid.UUID, _who: Reader) -> CaseView:
    async with _runtime(request).db.read() as connection:
        found = (await ReviewStore(connection).get_cases([nomination_id])).get(nomination_id)
    if found is None:
        raise api_error(status.HTTP_404_NOT_FOUND, "no-such-case", "Không có hồ sơ xét duyệt này.")
    return CaseView.of(found)


async def _decide(
    request: Request,
    nomination_id: uuid.UUID,
    who: Principal,
    decision: Decision,
    note: str,
    reasons: list[Reason] | None,
) -> CaseView:
    [outcome] = await _decide_all(request, [DecisionRequest(nomination_id, decision, note, list(reasons or []))], who)
    if outcome.problem == "not-found":
        raise api_error(status.HTTP_404_NOT_FOUND, "no-such-case", "Không có hồ sơ xét duyệt này.")
    if outcome.problem == "already-decided":
        raise api_error(status.HTTP_409_CONFLICT, "already-decided", SAID["already-decided"], reason=outcome.message)
    if outcome.case is None:
        raise api_error(
            status.HTTP_422_UNPROCESSABLE_CONTENT, "invalid-decision", SAID["invalid"], reason=outcome.message
        )
    return CaseView.of(outcome.case)


async def _decide_all(request: Request, requests: list[DecisionRequest], who: Principal) -> list[DecisionOutcome]:
    return await decide_cases(_runtime(request).unit_of_work(), requests, by=who.name)


class DecisionItem(BaseModel):
    nomination_id: uuid.UUID
    decision: Decision
    note: Annotated[Text, Field(max_length=2000)] = ""
    reasons: list[Reason] = Field(default_factory=list, max_length=20)


class DecisionList(BaseModel):
    decisions: list[DecisionItem] = Field(min_length=1, max_length=1000)


class DecisionResult(BaseModel):
    nomination_id: uuid.UUID
    outcome: str  # the case's new status, or "not-found", "already-decided", "invalid"
    message: str = ""
    exemplar_id: uuid.UUID | None = None


class DecisionResults(BaseModel):
    decided: int
    results: list[DecisionResult]


@router.post("/decisions", response_model=DecisionResults)
async def decide_many(request: Request, body: DecisionList, who: Reviewer) -> DecisionResults:
    """Decide a list of cases at once, as a council session does; each item reports its outcome."""
    ids = [item.nomination_id for item in body.decisions]
    if len(set(ids)) != len(ids):
        raise api_error(
            status.HTTP_422_UNPROCESSABLE_CONTENT, "case-repeated", "Mỗi hồ sơ chỉ được nêu một lần trong danh sách."
        )
    requests = [DecisionRequest(i.nomination_id, i.decision, i.note, list(i.reasons)) for i in body.decisions]
    outcomes = await _decide_all(request, requests, who)
    results = [
        DecisionResult(nomination_id=o.nomination_id, outcome=o.case.status.value, exemplar_id=o.case.exemplar_id)
        if o.case is not None
        else DecisionResult(
            nomination_id=o.nomination_id,
            outcome=o.problem or "invalid",
            message=SAID.get(o.problem or "invalid", o.message),
        )
        for o in outcomes
    ]
    return DecisionResults(decided=sum(o.case is not None for o in outcomes), results=results)


@router.post("/{nomination_id}/approve", response_model=CaseView)
async def approve(request: Request, nomination_id: uuid.UUID, body: Approval, who: Reviewer) -> CaseView:
    return await _decide(request, nomination_id, who, Decision.APPROVE, body.note, None)


@router.post("/{nomination_id}/reject", response_model=CaseView)
async def reject(request: Request, nomination_id: uuid.UUID, body: Refusal, who: Reviewer) -> CaseView:
    return await _decide(request, nomination_id, who, Decision.REJECT, body.note, body.reasons)


@router.post("/{nomination_id}/return", response_model=CaseView)
async def return_to_unit(request: Request, nomination_id: uuid.UUID, body: Refusal, who: Reviewer) -> CaseView:
    return await _decide(request, nomination_id, who, Decision.RETURN, body.note, body.reasons)
