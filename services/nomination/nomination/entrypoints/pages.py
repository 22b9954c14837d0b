"""The unit clerk's pages (cán bộ đơn vị): the unit's nominations, a new one, and each one's fate.

The form is checked as it is filled in (htmx posts it to ``check`` and puts each field's problem
beside it) with the rules intake applies; sent, it goes through the same path as the API's
``POST /nominations``. A clerk sees the records of their unit and of the units merged into it.
"""

from __future__ import annotations

import unicodedata
import uuid
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from common.auth import Role
from common.dates import quarter_label, vietnam_date
from common.errors import Unprocessable
from common.events import new_event
from common.web import labels
from common.web.pages import Pages
from common.web.people import Person, form_of, signed_in
from nomination.adapters.repository import NominationStore
from nomination.domain.model import Nomination, NominationStatus
from nomination.domain.windows import quarters_around
from nomination.entrypoints import deps
from nomination.integration import PRODUCER
from nomination.service.drafts import FIELDS, Draft, check_draft, read_form
from nomination.service.handlers import Submission, calendar_in_force, take_in_submissions, withdraw_nomination

__all__ = ["PREFIX", "router"]

PREFIX = "/staff/nominations/"
PAGE_SIZE = 25

router = APIRouter(prefix="/staff/nominations", include_in_schema=False)
Clerk = Annotated[Person, signed_in(Role.CLERK)]
ClerkForm = Annotated[FormData, form_of(signed_in(Role.CLERK))]


def _pages(request: Request) -> Pages:
    pages: Pages = request.app.state.pages
    return pages


def _unit_of(person: Person) -> str:
    assert person.principal.unit is not None  # a clerk's session always names the unit
    return person.principal.unit


async def _quarters(request: Request, unit_id: str) -> list[tuple[str, str]]:
    """The quarters the unit may nominate for today, as the form offers them."""
    intake = deps.intake(request)
    day = vietnam_date(datetime.now(UTC))
    async with deps.runtime(request).unit_of_work() as uow:
        calendar = await calendar_in_force(uow.store, intake.calendar, quarters_around(day))
    return [(q, labels.FILTERS["quarter_label"](q)) for q in calendar.open_quarters(unit_id, day)]


@router.get("/", response_class=HTMLResponse)
async def nominations(
    request: Request,
    person: Clerk,
    quarter_: Annotated[str, Query(alias="quarter", max_length=10)] = "",
    status_: Annotated[str, Query(alias="status", max_length=20)] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    quarter, status_chosen = labels.quarter_or_none(quarter_), labels.chosen(NominationStatus, status_)
    organisation = deps.organisation(request)
    unit_id = _unit_of(person)
    async with deps.runtime(request).db.read() as connection:
        total, items = await NominationStore(connection).list_nominations(
            unit_ids=organisation.lineage(unit_id),
            quarter=quarter,
            status=status_chosen,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
    return _pages(request).render(
        request,
        "nominations.html",
        title="Hồ sơ đề nghị của đơn vị",
        unit_name=organisation.name_of(unit_id),
        items=items,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        page_link=lambda n: "?" + urlencode({"quarter": quarter or "", "status": status_, "page": n}),
        quarter=quarter or "",
        status=status_chosen.value if status_chosen else "",
        statuses=[(s.value, labels.status_label(s.value)) for s in NominationStatus],
        sent=request.query_params.get("sent", ""),
    )


def _form_page(
    request: Request,
    draft: Draft,
    quarters: list[tuple[str, str]],
    *,
    status_code: int = 200,
    completes: Nomination | None = None,
) -> Response:
    problems = [(name if name in FIELDS else "", message) for name, message in draft.problems.items()]
    return _pages(request).render(
        request,
        "nomination_form.html",
        status_code=status_code,
        title="Bổ sung hồ sơ bị trả lại" if completes else "Lập hồ sơ giới thiệu gương điển hình",
        completes=completes,
        action=f"{PREFIX}{completes.nomination_id}/amend" if completes else f"{PREFIX}new",
        values=draft.values,
        problems=draft.problems,
        summary=[(name, message) for name, message in problems if name] + [("", m) for n, m in problems if not n],
        notes=draft.notes,
        quarters=quarters,
    )


@router.get("/new", response_class=HTMLResponse)
async def new_nomination(request: Request, person: Clerk) -> Response:
    quarters = await _quarters(request, _unit_of(person))
    values = dict.fromkeys(FIELDS, "")
    values["quarter"] = quarters[0][0] if len(quarters) == 1 else ""
    return _form_page(request, Draft(values, None), quarters)


@router.post("/check", response_class=HTMLResponse)
async def check(request: Request, person: Clerk, form: ClerkForm) -> Response:
    """Each field's problem as the form stands (the fields touched so far), swapped in beside it."""
    draft = read_form(form, _unit_of(person))
    draft = await check_draft(deps.runtime(request).unit_of_work(), deps.intake(request), draft, _unit_of(person))
    touched = {name for name in FIELDS if draft.values.get(name)}
    shown = {name: message for name, message in draft.problems.items() if name in touched}
    return _pages(request).render(
        request, "nomination_checks.html", fields=list(FIELDS), shown=shown, notes=draft.notes
    )


@router.post("/new", response_class=HTMLResponse)
async def submit(request: Request, person: Clerk, form: ClerkForm) -> Response:
    return await _take_in(request, person, form, None)


async def _take_in(request: Request, person: Clerk, form: FormData, completes: Nomination | None) -> Response:
    unit_id = _unit_of(person)
    resubmits = completes.nomination_id if completes else None
    draft = await check_draft(
        deps.runtime(request).unit_of_work(),
        deps.intake(request),
        read_form(form, unit_id, resubmits=resubmits),
        unit_id,
    )
    quarters = _its_quarter(completes) if completes else None
    if not draft.ready:
        return _form_page(
            request, draft, quarters or await _quarters(request, unit_id), status_code=400, completes=completes
        )
    assert draft.submission is not None
    envelope = new_event(draft.submission, producer=PRODUCER).envelope
    sent = Submission(
        draft.submission, envelope, "web", person.name, keep_refusal=False, received_at=envelope.occurred_at
    )
    [outcome] = await take_in_submissions(deps.runtime(request).unit_of_work(), [sent], intake=deps.intake(request))
    if not isinstance(outcome, Nomination):  # a rule that changed between the check and now
        for reason in outcome.reasons:
            draft.problems.setdefault("", labels.sentence(reason.message))
        return _form_page(
            request, draft, quarters or await _quarters(request, unit_id), status_code=400, completes=completes
        )
    return RedirectResponse(f"{PREFIX}{outcome.nomination_id}?sent=1", status_code=status.HTTP_303_SEE_OTHER)


async def _own(request: Request, person: Person, nomination_id: uuid.UUID) -> tuple[Nomination, uuid.UUID | None]:
    """The unit's nomination and the round that completes it, if any; another unit's is a 404."""
    organisation = deps.organisation(request)
    async with deps.runtime(request).db.read() as connection:
        store = NominationStore(connection)
        found = await store.get(nomination_id)
        completion = await store.completion_of(nomination_id) if found else None
    if found is None or found.submission.unit_id not in organisation.lineage(_unit_of(person)):
        raise HTTPException(status.HTTP_404_NOT_FOUND)  # as if there were none
    return found, completion


def _its_quarter(n: Nomination) -> list[tuple[str, str]]:
    """A completion is for the quarter of the nomination it completes, and no other."""
    return [(n.submission.quarter, labels.FILTERS["quarter_label"](n.submission.quarter))]


def _values_of(n: Nomination) -> dict[str, str]:
    s = n.submission
    return {
        "quarter": s.quarter,
        "field": s.field.value,
        "kind": s.nominee.kind.value,
        "nominee_name": s.nominee.name,
        "nominee_title": s.nominee.title,
        "birth_year": str(s.nominee.birth_year or ""),
        "identity_number": s.nominee.identity_number or "",
        "phone": s.nominee.phone or "",
        "address": s.nominee.address or "",
        "achievements": s.achievements,
        "consent": "yes" if s.consent_to_publish else "no",
    }


@router.get("/{nomination_id}/amend", response_class=HTMLResponse)
async def amend(request: Request, nomination_id: uuid.UUID, person: Clerk) -> Response:
    """The returned nomination's form, filled in as it was sent, to complete and send again."""
    found, completion = await _own(request, person, nomination_id)
    if found.status is not NominationStatus.RETURNED or completion is not None:
        return RedirectResponse(f"{PREFIX}{nomination_id}", status_code=status.HTTP_303_SEE_OTHER)
    return _form_page(request, Draft(_values_of(found), None), _its_quarter(found), completes=found)


@router.post("/{nomination_id}/amend", response_class=HTMLResponse)
async def resubmit(request: Request, nomination_id: uuid.UUID, person: Clerk, form: ClerkForm) -> Response:
    found, _completion = await _own(request, person, nomination_id)
    return await _take_in(request, person, form, found)


@router.post("/{nomination_id}/withdraw", response_class=HTMLResponse)
async def withdraw(request: Request, nomination_id: uuid.UUID, person: Clerk, form: ClerkForm) -> Response:
    await _own(request, person, nomination_id)
    reason = form.get("reason")
    try:
        await withdraw_nomination(
            deps.runtime(request).unit_of_work(),
            nomination_id,
            units=deps.organisation(request).lineage(_unit_of(person)),
            by=person.name,
            reason=unicodedata.normalize("NFC", reason).strip()[:2000] if isinstance(reason, str) else "",
        )
    except Unprocessable as problem:
        return await _detail(request, person, nomination_id, error=problem.message, code=409)
    return RedirectResponse(f"{PREFIX}{nomination_id}?withdrawn=1", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/{nomination_id}", response_class=HTMLResponse)
async def nomination(request: Request, nomination_id: uuid.UUID, person: Clerk) -> Response:
    return await _detail(request, person, nomination_id)


async def _detail(
    request: Request, person: Person, nomination_id: uuid.UUID, *, error: str = "", code: int = 200
) -> Response:
    organisation = deps.organisation(request)
    found, completion = await _own(request, person, nomination_id)
    return _pages(request).render(
        request,
        "nomination.html",
        title=found.submission.nominee.name,
        n=found,
        quarter_text=quarter_label(found.submission.quarter),
        unit_name=organisation.name_of(found.submission.unit_id),
        sent=request.query_params.get("sent") == "1",
        withdrawn=request.query_params.get("withdrawn") == "1",
        completion=completion,
        error=error,
        status_code=code,
    )
