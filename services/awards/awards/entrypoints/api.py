"""HTTP API of the commendation office: grant awards, list exemplars and awards, show the rules."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, status
from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from awards.adapters import repository
from awards.domain.model import AlreadyGranted, Award, Exemplar, SignedInFuture
from awards.domain.rewards import RewardRules, RuleError
from awards.service.handlers import AwardsOffice, ExemplarNotFound, GrantRequest, grant_award
from common.auth import Principal, Role, require_roles
from common.events import Text
from common.runtime import Runtime

__all__ = ["router"]

router = APIRouter()

Granter = Annotated[Principal, require_roles(Role.OFFICER, Role.SIGNER)]
Reader = Annotated[Principal, require_roles(Role.OFFICER, Role.SIGNER, Role.OPERATOR, Role.REVIEWER)]


class AwardView(BaseModel):
    award_id: uuid.UUID
    exemplar_id: uuid.UUID
    form: str
    form_name: str
    decision_number: str
    decision_year: int
    signed_on: date
    signer: str
    citation: str
    recipient_name: str
    recipient_kind: str
    multiplier: Decimal
    kind_factor: Decimal
    base_salary_vnd: int
    amount_vnd: int
    granted_by: str
    granted_at: datetime

    @classmethod
    def of(cls, award: Award) -> AwardView:
        return cls.model_validate(award, from_attributes=True)


class ExemplarView(BaseModel):
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
    awards: list[AwardView]

    @classmethod
    def of(cls, exemplar: Exemplar, awards: list[Award]) -> ExemplarView:
        data = {name: getattr(exemplar, name) for name in Exemplar.__dataclass_fields__}
        return cls(**data, awards=[AwardView.of(a) for a in awards])


class ExemplarList(BaseModel):
    total: int
    items: list[ExemplarView]


class AwardList(BaseModel):
    total: int
    items: list[AwardView]


class Grant(BaseModel):
    model_config = ConfigDict(extra="forbid")

    exemplar_id: uuid.UUID
    form: Annotated[str, Field(min_length=1, max_length=80)] = "giay-khen"
    signed_on: date | None = Field(default=None, description="the signing date; today (Vietnam time) if omitted")
    signer: Annotated[Text, Field(min_length=1, max_length=300)] | None = Field(
        default=None, description="who signs; the organisation's signer_title if omitted"
    )
    citation: Annotated[Text, Field(max_length=2000)] = Field(
        default="", validation_alias=AliasChoices("citation", "reason")
    )


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def _office(request: Request) -> AwardsOffice:
    office: AwardsOffice = request.app.state.office
    return office


@router.post("/awards", response_model=AwardView, status_code=status.HTTP_201_CREATED, tags=["awards"])
async def grant(request: Request, body: Grant, who: Granter) -> AwardView:
    """Issue a numbered commendation decision (quyết định khen thưởng) for an exemplar."""
    runtime = _runtime(request)
    grant_request = GrantRequest(
        exemplar_id=body.exemplar_id,
        form=body.form,
        granted_by=who.name,
        signed_on=body.signed_on,
        signer=body.signer or None,
        citation=body.citation,
    )
    try:
        award = await grant_award(runtime.db, runtime.relay, _office(request), grant_request)
    except ExemplarNotFound as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from error
    except AlreadyGranted as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from error
    except (RuleError, SignedInFuture) as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from error
    return AwardView.of(award)


@router.get("/awards", response_model=AwardList, tags=["awards"])
async def list_awards(
    request: Request,
    _who: Reader,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> AwardList:
    async with _runtime(request).db.read() as session:
        items = await repository.list_awards(session, year=year, limit=limit, offset=offset)
        total = await repository.count_awards(session, year=year)
    return AwardList(total=total, items=[AwardView.of(a) for a in items])


@router.get("/awards/{award_id}", response_model=AwardView, tags=["awards"])
async def get_award(request: Request, award_id: uuid.UUID, _who: Reader) -> AwardView:
    async with _runtime(request).db.read() as session:
        award = await repository.get_award(session, award_id)
    if award is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no award {award_id}")
    return AwardView.of(award)


@router.get("/exemplars", response_model=ExemplarList, tags=["exemplars"])
async def list_exemplars(
    request: Request,
    _who: Reader,
    unit: Annotated[str | None, Query(max_length=80)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> ExemplarList:
    async with _runtime(request).db.read() as session:
        items = await repository.list_exemplars(session, unit_id=unit, limit=limit, offset=offset)
        total = await repository.count_exemplars(session, unit_id=unit)
        awards = await repository.awards_of(session, [e.exemplar_id for e in items])
    return ExemplarList(total=total, items=[ExemplarView.of(e, awards[e.exemplar_id]) for e in items])


@router.get("/exemplars/{exemplar_id}", response_model=ExemplarView, tags=["exemplars"])
async def get_exemplar(request: Request, exemplar_id: uuid.UUID, _who: Reader) -> ExemplarView:
    async with _runtime(request).db.read() as session:
        found = await repository.get_exemplar(session, exemplar_id)
        awards = await repository.awards_of(session, [exemplar_id])
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no approved exemplar {exemplar_id} is recorded here")
    return ExemplarView.of(found[0], awards[exemplar_id])


@router.get("/rules", tags=["rules"])
async def rules(request: Request) -> RewardRules:
    """The forms, their multipliers and the base salary periods, with their effective dates."""
    return _office(request).rules
