"""HTTP API of nomination: clerks submit and follow their unit's nominations."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from pydantic import BaseModel, Field

from common.api_errors import api_error
from common.auth import Principal, Role, require_roles
from common.dates import quarter_label
from common.errors import Unprocessable
from common.events import QUARTER_PATTERN, FieldOfWork, NominationSubmitted, NomineeKind, Reason, new_event
from common.organisation import Organisation
from common.paging import Offset
from nomination.adapters.repository import NominationStore
from nomination.domain.model import Nomination, NominationStatus
from nomination.entrypoints import deps
from nomination.integration import PRODUCER
from nomination.service.handlers import Submission, take_in_submissions, withdraw_nomination

__all__ = ["router"]

router = APIRouter(tags=["nominations"])

Clerk = Annotated[Principal, require_roles(Role.CLERK, Role.OPERATOR)]
Reader = Annotated[Principal, require_roles(Role.CLERK, Role.REVIEWER, Role.COUNCIL, Role.OFFICER, Role.OPERATOR)]
# The registry spans units: the office reads it, never a unit's clerk.
Office = Annotated[Principal, require_roles(Role.REVIEWER, Role.COUNCIL, Role.OFFICER, Role.OPERATOR)]


class NomineeView(BaseModel):
    kind: NomineeKind
    name: str
    title: str
    birth_year: int | None


class NominationView(BaseModel):
    nomination_id: uuid.UUID
    submission_event_id: uuid.UUID
    unit_id: str
    quarter: str
    field: FieldOfWork
    nominee: NomineeView
    achievements: str
    consent_to_publish: bool
    channel: str
    submitted_by: str
    submitted_at: datetime
    status: NominationStatus
    decided_by: str | None
    reasons: list[Reason]
    notes: list[Reason] = Field(description="what it was taken as: a late entry")
    round: int = Field(default=1, description="2 and on: it completes a returned nomination")
    previous_nomination_id: uuid.UUID | None = Field(default=None, description="the returned nomination it completes")

    @classmethod
    def of(cls, n: Nomination) -> NominationView:
        s = n.submission
        return cls(
            nomination_id=n.nomination_id,
            submission_event_id=n.submission_event_id,
            unit_id=s.unit_id,
            quarter=s.quarter,
            field=s.field,
            nominee=NomineeView(
                kind=s.nominee.kind, name=s.nominee.name, title=s.nominee.title, birth_year=s.nominee.birth_year
            ),
            achievements=s.achievements,
            consent_to_publish=s.consent_to_publish,
            channel=n.channel,
            submitted_by=n.submitted_by,
            submitted_at=n.submitted_at,
            status=n.status,
            decided_by=n.decided_by,
            reasons=n.reasons,
            notes=n.notes,
            round=n.round,
            previous_nomination_id=n.previous_nomination_id,
        )


class NominationList(BaseModel):
    total: int
    items: list[NominationView]


class SubmissionStatus(BaseModel):
    submission_event_id: uuid.UUID
    state: str  # "accepted" (with the nomination) or "rejected" (with reasons)
    nomination: NominationView | None = None
    reasons: list[Reason] = []


def _check_unit(who: Principal, unit_id: str) -> None:
    if not who.acts_for(unit_id):
        raise api_error(
            status.HTTP_403_FORBIDDEN,
            "other-unit",
            f"Cán bộ của đơn vị {who.unit} không làm việc cho đơn vị {unit_id}.",
        )


def _check_sees(who: Principal, organisation: Organisation, unit_id: str) -> None:
    visible = deps.visible_units(who, organisation)
    if visible is not None and unit_id not in visible:
        raise api_error(
            status.HTTP_403_FORBIDDEN,
            "other-unit",
            f"Cán bộ của đơn vị {who.unit} không xem hồ sơ của đơn vị {unit_id}.",
        )


@router.post("/nominations", status_code=status.HTTP_201_CREATED, response_model=NominationView)
async def submit(request: Request, body: NominationSubmitted, who: Clerk) -> NominationView:
    """A clerk proposes an exemplar for the unit's quarter."""
    _check_unit(who, body.unit_id)
    organisation = deps.organisation(request)
    if organisation.unit(body.unit_id) is None:
        raise api_error(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            "unknown-unit",
            f"Đơn vị {body.unit_id} không có trong danh sách đơn vị.",
        )
    envelope = new_event(body, producer=PRODUCER).envelope
    submission = Submission(body, envelope, "http", who.name, keep_refusal=False, received_at=envelope.occurred_at)
    [outcome] = await take_in_submissions(
        deps.runtime(request).unit_of_work(), [submission], intake=deps.intake(request)
    )
    if not isinstance(outcome, Nomination):
        raise api_error(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            "refused",
            "Hồ sơ không được tiếp nhận: " + "; ".join(r.message for r in outcome.reasons) + ".",
            reasons=[r.model_dump() for r in outcome.reasons],
        )
    return NominationView.of(outcome)


class Withdrawal(BaseModel):
    reason: Annotated[str, Field(max_length=2000)] = ""


@router.post("/nominations/{nomination_id}/withdraw", response_model=NominationView)
async def withdraw(request: Request, nomination_id: uuid.UUID, body: Withdrawal, who: Clerk) -> NominationView:
    """The unit takes back a nomination the review office has not decided on yet (rút hồ sơ).

    Codes: ``no-such-nomination`` (404; another unit's is not shown either), ``not-withdrawable``
    (409: decided, or withdrawn already)."""
    units = deps.visible_units(who, deps.organisation(request))
    try:
        found = await withdraw_nomination(
            deps.runtime(request).unit_of_work(), nomination_id, units=units, by=who.name, reason=body.reason
        )
    except Unprocessable as problem:
        code = status.HTTP_404_NOT_FOUND if problem.code == "no-such-nomination" else status.HTTP_409_CONFLICT
        raise api_error(code, problem.code, problem.message) from problem
    return NominationView.of(found)


@router.get("/nominations", response_model=NominationList)
async def list_nominations(
    request: Request,
    who: Reader,
    unit: Annotated[str | None, Query(max_length=80)] = None,
    quarter: Annotated[str | None, Query(pattern=QUARTER_PATTERN)] = None,
    status_: Annotated[NominationStatus | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> NominationList:
    organisation = deps.organisation(request)
    units = deps.visible_units(who, organisation)
    if unit is not None:
        _check_sees(who, organisation, unit)
        units = (unit,)
    async with deps.runtime(request).db.read() as connection:
        total, items = await NominationStore(connection).list_nominations(
            unit_ids=units, quarter=quarter, status=status_, limit=limit, offset=offset
        )
    return NominationList(total=total, items=[NominationView.of(n) for n in items])


@router.get("/nominations/{nomination_id}", response_model=NominationView)
async def get_nomination(request: Request, nomination_id: uuid.UUID, who: Reader) -> NominationView:
    async with deps.runtime(request).db.read() as connection:
        found = await NominationStore(connection).get(nomination_id)
    if found is None:
        raise api_error(status.HTTP_404_NOT_FOUND, "no-such-nomination", "Không có hồ sơ này.")
    _check_sees(who, deps.organisation(request), found.submission.unit_id)
    return NominationView.of(found)


@router.get("/submissions/{event_id}", response_model=SubmissionStatus)
async def submission_status(request: Request, event_id: uuid.UUID, who: Reader) -> SubmissionStatus:
    """What became of a submission a unit system posted, by its event id."""
    async with deps.runtime(request).db.read() as connection:
        store = NominationStore(connection)
        found = await store.get_by_submission(event_id)
        refusal = None if found else await store.get_refusal(event_id)
    if found is not None:
        _check_sees(who, deps.organisation(request), found.submission.unit_id)
        return SubmissionStatus(submission_event_id=event_id, state="accepted", nomination=NominationView.of(found))
    if refusal is not None:
        _check_sees(who, deps.organisation(request), refusal.unit_id)
        return SubmissionStatus(submission_event_id=event_id, state="rejected", reasons=refusal.reasons)
    raise api_error(
        status.HTTP_404_NOT_FOUND,
        "no-such-submission",
        "Chưa tiếp nhận sự kiện này; nếu đã gửi, hãy nhờ cán bộ vận hành xem trong thư lỗi "
        "(nomination.submissions.dead).",
    )


class SeenView(BaseModel):
    nomination_id: uuid.UUID
    unit_id: str
    unit_name: str
    quarter: str
    quarter_label: str
    status: str
    nominee_name: str


class TitleView(BaseModel):
    form: str
    form_name: str
    year: int
    decision_number: str
    signed_on: date
    granted_by: str
    amount_vnd: int | None
    recorded: bool = Field(description="given outside this system, as the commendation office recorded it")
    nomination_id: uuid.UUID | None


class NomineeHistory(BaseModel):
    """A nominee of the registry of exemplars: every nomination made of them, oldest quarter first,
    with its outcome, and every title and form they received."""

    person_id: uuid.UUID
    kind: str
    name: str
    nominations: list[SeenView]
    titles: list[TitleView]


@router.get("/registry/{person_id}", response_model=NomineeHistory, tags=["registry"])
async def nominee_history(request: Request, person_id: uuid.UUID, _who: Office) -> NomineeHistory:
    """The registry's record of one nominee, across quarters, years, units and mergers (no personal data)."""
    async with deps.runtime(request).db.read() as connection:
        store = NominationStore(connection)
        found = await store.nominees([person_id])
        titles = await store.titles_of(person_id)
    if not found:
        raise api_error(
            status.HTTP_404_NOT_FOUND, "no-such-nominee", "Không có người này trong sổ theo dõi gương điển hình."
        )
    [known] = found
    organisation = deps.organisation(request)
    return NomineeHistory(
        person_id=known.person_id,
        kind=known.kind,
        name=known.name,
        nominations=[
            SeenView(
                nomination_id=s.nomination_id,
                unit_id=s.unit_id,
                unit_name=organisation.name_of(s.unit_id),
                quarter=s.quarter,
                quarter_label=quarter_label(s.quarter),
                status=s.status,
                nominee_name=s.name,
            )
            for s in known.seen
        ],
        titles=[TitleView.model_validate(t, from_attributes=True) for t in titles],
    )


@router.get("/organisation", response_model=Organisation, response_model_exclude={"units": {"__all__": {"keys"}}})
async def organisation(request: Request) -> Organisation:
    """The organisation with its history: units, emulation blocks, authorities and changes (public)."""
    return deps.organisation(request)
