"""HTTP API of the commendation office: issue decisions, list exemplars, decisions and awards, show the rules."""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request, status
from pydantic import AfterValidator, AliasChoices, BaseModel, ConfigDict, Field

from awards.adapters.repository import AwardsStore
from awards.domain.history import NotEligible
from awards.domain.model import (
    AlreadyGranted,
    Award,
    BadDecisionNumber,
    Decision,
    Exemplar,
    NotGrantable,
    NumberTaken,
    OutOfRegisterOrder,
    SignedBeforeApproval,
    SignedInFuture,
)
from awards.domain.rewards import Amendment, AmendmentKind, AmendmentRefused, RewardRules, RuleError
from awards.entrypoints import deps
from awards.service.drafting import said
from awards.service.handlers import (
    DecisionRequest,
    ExemplarNotFound,
    amend_rules,
    issue_decision_for,
    rules_in_force,
)
from common.api_errors import api_error
from common.auth import Principal, Role, require_roles
from common.events import Slug, Text
from common.paging import Offset
from common.views import PublicExemplarView

__all__ = ["router"]

router = APIRouter()
log = logging.getLogger(__name__)

Granter = Annotated[Principal, require_roles(Role.OFFICER, Role.SIGNER)]
Reader = Annotated[Principal, require_roles(Role.OFFICER, Role.SIGNER, Role.OPERATOR, Role.REVIEWER)]
Operator = Annotated[Principal, require_roles(Role.OPERATOR)]


class AwardView(BaseModel):
    award_id: uuid.UUID
    decision_id: uuid.UUID
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


class ExemplarView(PublicExemplarView):
    exemplar_id: uuid.UUID
    approved_at: datetime
    person_id: uuid.UUID | None = Field(description="the nominee in the registry of exemplars")
    awards: list[AwardView]

    @classmethod
    def of(cls, exemplar: Exemplar, awards: list[Award]) -> ExemplarView:
        data = {name: getattr(exemplar, name) for name in Exemplar.__dataclass_fields__ if name != "correlation_id"}
        return cls(**data, awards=[AwardView.of(a) for a in awards])


class ExemplarList(BaseModel):
    total: int
    items: list[ExemplarView]


class AwardList(BaseModel):
    total: int
    items: list[AwardView]


class RecipientView(BaseModel):
    """One recipient of a decision and what it pays them."""

    award_id: uuid.UUID
    exemplar_id: uuid.UUID
    recipient_name: str
    recipient_kind: str
    multiplier: Decimal
    kind_factor: Decimal
    base_salary_vnd: int
    amount_vnd: int

    @classmethod
    def of(cls, award: Award) -> RecipientView:
        return cls.model_validate(award, from_attributes=True)


class DecisionView(BaseModel):
    decision_id: uuid.UUID
    authority_id: str = Field(description="whose register the number is in")
    authority_name: str
    decision_number: str
    year: int
    seq: int
    form: str
    form_name: str
    signed_on: date
    signer: str
    citation: str
    granted_by: str
    granted_at: datetime
    recipient_count: int
    total_amount_vnd: int
    awards: list[RecipientView]

    @classmethod
    def of(cls, decision: Decision) -> DecisionView:
        data = {name: getattr(decision, name) for name in Decision.__dataclass_fields__ if name != "awards"}
        data["decision_number"] = data.pop("number")
        return cls(
            **data,
            total_amount_vnd=decision.total_amount_vnd,
            awards=[RecipientView.of(a) for a in decision.awards],
        )


class DecisionList(BaseModel):
    total: int
    items: list[DecisionView]


def _no_duplicates(ids: list[uuid.UUID]) -> list[uuid.UUID]:
    repeated = sorted(str(i) for i, n in Counter(ids).items() if n > 1)
    if repeated:
        raise ValueError(f"an exemplar may appear only once in a decision: {', '.join(repeated)}")
    return ids


class _Signing(BaseModel):
    """What every decision states besides its recipients."""

    model_config = ConfigDict(extra="forbid")

    form: Annotated[str, Field(min_length=1, max_length=80)] = "giay-khen"
    signed_on: date | None = Field(default=None, description="the signing date; today (Vietnam time) if omitted")
    signer: Annotated[Text, Field(min_length=1, max_length=300)] | None = Field(
        default=None, description="who signs; the organisation's signer_title if omitted"
    )
    citation: Annotated[Text, Field(max_length=2000)] = Field(
        default="", validation_alias=AliasChoices("citation", "reason")
    )
    authority: Slug | None = Field(
        default=None,
        description="the authority that signed, when a higher one (the province) decided on the units' proposal;"
        " the units' own authority on the signing date if omitted",
    )
    number: Annotated[Text, Field(min_length=1, max_length=60)] | None = Field(
        default=None,
        description="the number the authority's document office gave (163/QĐ-UBND), where it numbers;"
        " otherwise omitted and the next number of the authority's register is taken",
    )


class Grant(_Signing):
    """A decision for one exemplar."""

    exemplar_id: uuid.UUID


class DecisionBody(_Signing):
    """A decision for a list of exemplars (danh sách khen thưởng), each listed once."""

    exemplar_ids: Annotated[list[uuid.UUID], Field(min_length=1, max_length=1000), AfterValidator(_no_duplicates)]


# A refusal's stable code, by the rule that refused.
_CODES: dict[type[Exception], str] = {
    ExemplarNotFound: "unknown-exemplar",
    AlreadyGranted: "already-granted",
    NotGrantable: "not-grantable",
    NotEligible: "not-eligible",
    SignedBeforeApproval: "signed-before-approval",
    SignedInFuture: "signed-in-future",
    BadDecisionNumber: "bad-decision-number",
    NumberTaken: "number-taken",
    OutOfRegisterOrder: "out-of-register-order",
}
_SAID = {
    "bad-decision-number": "Số quyết định không đúng dạng của sổ (ví dụ 163/QĐ-UBND).",
    "number-taken": "Số quyết định này đã có trong sổ của cấp ký.",
    "out-of-register-order": "Ngày ký không theo thứ tự số trong sổ quyết định của cấp ký.",
}


def _refused(error: Exception, ids: list[uuid.UUID] | None = None) -> HTTPException:
    """The HTTP answer to a refused decision: its code, what it means in Vietnamese, the exemplars
    concerned, and the rule's own words (``reason``)."""
    if isinstance(error, ExemplarNotFound):
        http = status.HTTP_404_NOT_FOUND
    elif isinstance(error, AlreadyGranted | NumberTaken | OutOfRegisterOrder):
        http = status.HTTP_409_CONFLICT
    else:
        http = status.HTTP_422_UNPROCESSABLE_CONTENT
    code = next((c for kind, c in _CODES.items() if isinstance(error, kind)), "refused")
    message = _SAID.get(code) or said(error, {})
    if ids is None:
        return api_error(http, code, message, reason=str(error))
    return api_error(http, code, message, reason=str(error), exemplar_ids=[str(i) for i in ids])


_REFUSALS = (
    ExemplarNotFound,
    AlreadyGranted,
    RuleError,
    SignedInFuture,
    SignedBeforeApproval,
    BadDecisionNumber,
    NumberTaken,
    OutOfRegisterOrder,
)


@router.post("/decisions", response_model=DecisionView, status_code=status.HTTP_201_CREATED, tags=["decisions"])
async def issue(request: Request, body: DecisionBody, who: Granter) -> DecisionView:
    """Issue one numbered commendation decision (quyết định khen thưởng) for a list of exemplars.

    All or nothing: unknown exemplars (404), exemplars already holding the form (409) or ones the
    form cannot go to (422) refuse the whole decision; the detail lists them. The number is the
    next of the signing authority's register for the year (``01/QĐ-UBND`` first), or the one its
    document office gave (``number``); a date that breaks the register's order (409) or comes
    before an exemplar's approval (422) is refused.
    """
    runtime = deps.runtime(request)
    decision_request = DecisionRequest(
        exemplar_ids=body.exemplar_ids,
        form=body.form,
        granted_by=who.name,
        signed_on=body.signed_on,
        signer=body.signer or None,
        citation=body.citation,
        number=body.number,
        authority=body.authority,
    )
    try:
        decision = await issue_decision_for(runtime.unit_of_work(), deps.office(request), decision_request)
    except (ExemplarNotFound, AlreadyGranted, NotGrantable, NotEligible, SignedBeforeApproval) as error:
        raise _refused(error, error.exemplar_ids) from error
    except _REFUSALS as error:
        raise _refused(error) from error
    return DecisionView.of(decision)


@router.get("/decisions", response_model=DecisionList, tags=["decisions"])
async def list_decisions(
    request: Request,
    _who: Reader,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    authority: Annotated[str | None, Query(max_length=80, description="one authority's register")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Offset = 0,
) -> DecisionList:
    """Decisions by year, then register, in the order of their numbers."""
    async with deps.runtime(request).db.read() as connection:
        store = AwardsStore(connection)
        total, items = await store.list_decisions(year=year, authority_id=authority, limit=limit, offset=offset)
    return DecisionList(total=total, items=[DecisionView.of(d) for d in items])


@router.get("/decisions/{decision_id}", response_model=DecisionView, tags=["decisions"])
async def get_decision(request: Request, decision_id: uuid.UUID, _who: Reader) -> DecisionView:
    async with deps.runtime(request).db.read() as connection:
        decision = await AwardsStore(connection).get_decision(decision_id)
    if decision is None:
        raise api_error(status.HTTP_404_NOT_FOUND, "no-such-decision", "Không có quyết định này.")
    return DecisionView.of(decision)


@router.post("/awards", response_model=AwardView, status_code=status.HTTP_201_CREATED, tags=["awards"])
async def grant(request: Request, body: Grant, who: Granter) -> AwardView:
    """Issue a numbered commendation decision (quyết định khen thưởng) for one exemplar."""
    decision_request = DecisionRequest(
        exemplar_ids=[body.exemplar_id],
        form=body.form,
        granted_by=who.name,
        signed_on=body.signed_on,
        signer=body.signer or None,
        citation=body.citation,
        number=body.number,
        authority=body.authority,
    )
    try:
        decision = await issue_decision_for(
            deps.runtime(request).unit_of_work(), deps.office(request), decision_request
        )
    except _REFUSALS as error:
        raise _refused(error) from error
    [award] = decision.awards
    return AwardView.of(award)


@router.get("/awards", response_model=AwardList, tags=["awards"])
async def list_awards(
    request: Request,
    _who: Reader,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> AwardList:
    async with deps.runtime(request).db.read() as connection:
        total, items = await AwardsStore(connection).list_awards(year=year, limit=limit, offset=offset)
    return AwardList(total=total, items=[AwardView.of(a) for a in items])


@router.get("/awards/{award_id}", response_model=AwardView, tags=["awards"])
async def get_award(request: Request, award_id: uuid.UUID, _who: Reader) -> AwardView:
    async with deps.runtime(request).db.read() as connection:
        award = await AwardsStore(connection).get_award(award_id)
    if award is None:
        raise api_error(status.HTTP_404_NOT_FOUND, "no-such-award", "Không có khen thưởng này.")
    return AwardView.of(award)


@router.get("/exemplars", response_model=ExemplarList, tags=["exemplars"])
async def list_exemplars(
    request: Request,
    _who: Reader,
    unit: Annotated[str | None, Query(max_length=80)] = None,
    lineage: Annotated[bool, Query(description="with the unit's predecessors (the communes merged into it)")] = False,
    person: Annotated[uuid.UUID | None, Query(description="one nominee of the registry")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> ExemplarList:
    """Approved exemplars in order of approval; a unit's alone, or rolled up along its lineage."""
    units = None if unit is None else deps.office(request).organisation.rolled_up(unit, lineage=lineage)
    async with deps.runtime(request).db.read() as connection:
        store = AwardsStore(connection)
        total, items = await store.list_exemplars(unit_ids=units, person_id=person, limit=limit, offset=offset)
        awards = await store.awards_of([e.exemplar_id for e in items])
    return ExemplarList(total=total, items=[ExemplarView.of(e, awards[e.exemplar_id]) for e in items])


@router.get("/exemplars/{exemplar_id}", response_model=ExemplarView, tags=["exemplars"])
async def get_exemplar(request: Request, exemplar_id: uuid.UUID, _who: Reader) -> ExemplarView:
    async with deps.runtime(request).db.read() as connection:
        store = AwardsStore(connection)
        found = (await store.load_exemplars([exemplar_id])).get(exemplar_id)
        awards = await store.awards_of([exemplar_id])
    if found is None:
        raise api_error(status.HTTP_404_NOT_FOUND, "unknown-exemplar", "Không có gương điển hình đã công nhận này.")
    return ExemplarView.of(found, awards[exemplar_id])


@router.get("/rules", tags=["rules"])
async def rules(request: Request) -> RewardRules:
    """The forms, their multipliers and the base salary periods in force, with their effective dates.

    The shipped rules with every amendment the operator recorded.
    """
    async with deps.runtime(request).db.read() as connection:
        return await rules_in_force(AwardsStore(connection), deps.office(request))


class AmendmentBody(BaseModel):
    """A new base salary, multiplier or kind factor, from a date, with its legal basis."""

    model_config = ConfigDict(extra="forbid")

    kind: AmendmentKind
    value: Annotated[Decimal, Field(gt=0, max_digits=15, decimal_places=4)]
    effective_from: date
    source: Annotated[Text, Field(min_length=3, max_length=500, description="the legal basis: Nghị định …")]
    form: Annotated[str, Field(max_length=80)] | None = Field(default=None, description="for a multiplier")
    grantor: Literal["commune", "district", "province"] | None = Field(
        default=None, description="for a multiplier of one signing level only"
    )
    recipient_kind: Literal["individual", "collective", "household"] | None = Field(
        default=None, description="for a kind factor"
    )
    verify: bool = Field(default=False, description="not yet confirmed from a primary legal text")


class AmendmentView(BaseModel):
    amendment_id: int | None
    kind: AmendmentKind
    value: Decimal
    effective_from: date
    source: str
    form: str | None
    grantor: str | None
    recipient_kind: str | None
    verify: bool
    recorded_by: str
    recorded_at: datetime

    @classmethod
    def of(cls, amendment: Amendment) -> AmendmentView:
        return cls.model_validate(amendment, from_attributes=True)


class AmendmentReceipt(BaseModel):
    amendment: AmendmentView
    signed_since: int = Field(description="decisions already dated on or after the effective date, priced without it")


@router.get("/rules/amendments", response_model=list[AmendmentView], tags=["rules"])
async def list_amendments(request: Request, _who: Reader) -> list[AmendmentView]:
    """What the operator added to the shipped rules, who added it and when, oldest first."""
    async with deps.runtime(request).db.read() as connection:
        return [AmendmentView.of(a) for a in await AwardsStore(connection).amendments()]


@router.post("/rules/amendments", response_model=AmendmentReceipt, status_code=status.HTTP_201_CREATED, tags=["rules"])
async def amend(request: Request, body: AmendmentBody, who: Operator) -> AmendmentReceipt:
    """Add a base salary, multiplier or kind factor; decisions signed from now on use it, no restart.

    Refused (422) when it would make the rules ambiguous (two entries from one day) or names an
    unknown form. Recorded with the operator's name and the time; never changed afterwards.
    """
    amendment = Amendment(
        kind=body.kind,
        value=body.value,
        effective_from=body.effective_from,
        source=body.source,
        recorded_by=who.name,
        recorded_at=datetime.now(UTC),
        form=body.form,
        grantor=body.grantor,
        recipient_kind=body.recipient_kind,
        verify=body.verify,
    )
    try:
        recorded = await amend_rules(deps.runtime(request).unit_of_work(), deps.office(request), amendment)
    except AmendmentRefused as error:
        raise api_error(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            "amendment-refused",
            "Sửa đổi quy định không được chấp nhận.",
            reason=str(error),
        ) from error
    log.warning("rules amended by %s: %s (%s)", who.name, amendment.describe(), amendment.source)
    return AmendmentReceipt(amendment=AmendmentView.of(recorded.amendment), signed_since=recorded.signed_since)


class AmountRowView(BaseModel):
    day: date
    form: str
    form_name: str
    grantor: str
    amounts: dict[str, int | str] = Field(description="VND per recipient kind, or why the form pays that kind nothing")


@router.get("/rules/amounts", response_model=list[AmountRowView], tags=["rules"])
async def amounts(
    request: Request,
    on: Annotated[list[date], Query(min_length=1, max_length=31, description="signing dates")],
    grantor: Literal["commune", "district", "province"] = "commune",
) -> list[AmountRowView]:
    """What each form pays an individual, a collective and a household, for decisions signed on each date."""
    async with deps.runtime(request).db.read() as connection:
        rules = await rules_in_force(AwardsStore(connection), deps.office(request))
    return [
        AmountRowView(day=row.day, form=row.form.id, form_name=row.form.name, grantor=row.grantor, amounts=row.amounts)
        for day in on
        for row in rules.amounts_on(day, grantor=grantor)
    ]
