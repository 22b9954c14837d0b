"""The review office's pages (Phòng Nội vụ, the emulation council): the queue with its filters and
counts, a case with its dossier and the registry's warnings, and decisions, one or many at once.

Decisions go through the same handler as the API's; the reasons are picked from a list
(``review.domain.reasons``) and a free note goes to the unit with them.
"""

from __future__ import annotations

import unicodedata
import uuid
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from common.auth import Role
from common.events import FieldOfWork, NomineeKind
from common.organisation import Organisation
from common.runtime import Runtime
from common.web import labels
from common.web.pages import Pages
from common.web.people import Person, form_of, signed_in
from review.adapters.repository import ReviewStore
from review.domain.model import CaseDecided, Decision, ReviewStatus
from review.domain.reasons import REASONS, chosen
from review.service.handlers import DecisionOutcome, DecisionRequest, decide_cases

__all__ = ["PREFIX", "router"]

PREFIX = "/staff/review/"
PAGE_SIZE = 50
MAX_NOTE = 2000

router = APIRouter(prefix="/staff/review", include_in_schema=False)
Reviewer = Annotated[Person, signed_in(Role.REVIEWER, Role.COUNCIL)]
ReviewerForm = Annotated[FormData, form_of(signed_in(Role.REVIEWER, Role.COUNCIL))]

DECISIONS = [
    (Decision.APPROVE.value, "Công nhận gương điển hình tiên tiến"),
    (Decision.RETURN.value, "Trả lại đơn vị để bổ sung"),
    (Decision.REJECT.value, "Không công nhận"),
]
DECIDED = {"approved": "Đã công nhận", "returned": "Đã trả lại đơn vị", "rejected": "Đã không công nhận"}


def _runtime(request: Request) -> Runtime[ReviewStore, CaseDecided]:
    runtime: Runtime[ReviewStore, CaseDecided] = request.app.state.runtime
    return runtime


def _pages(request: Request) -> Pages:
    pages: Pages = request.app.state.pages
    return pages


def _units(organisation: Organisation) -> list[tuple[str, str]]:
    return sorted(((u, organisation.name_of(u)) for u in organisation.unit_ids), key=lambda item: item[1])


@router.get("/", response_class=HTMLResponse)
async def queue(
    request: Request,
    person: Reviewer,
    status_: Annotated[str, Query(alias="status", max_length=20)] = ReviewStatus.PENDING.value,
    quarter_: Annotated[str, Query(alias="quarter", max_length=10)] = "",
    unit_: Annotated[str, Query(alias="unit", max_length=80)] = "",
    field_: Annotated[str, Query(alias="field", max_length=40)] = "",
    kind_: Annotated[str, Query(alias="kind", max_length=20)] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    organisation: Organisation = request.app.state.organisation
    status, quarter = labels.chosen(ReviewStatus, status_), labels.quarter_or_none(quarter_)
    field, kind = labels.chosen(FieldOfWork, field_), labels.chosen(NomineeKind, kind_)
    unit = unit_ if organisation.unit(unit_) is not None else None
    units = organisation.rolled_up(unit, lineage=True) if unit else None
    field_code, kind_code = (field.value if field else None), (kind.value if kind else None)
    filters = {"quarter": quarter, "field": field_code, "kind": kind_code}
    async with _runtime(request).db.read() as connection:
        store = ReviewStore(connection)
        total, items = await store.list_cases(
            status=status,
            unit_ids=units,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
            quarter=quarter,
            field=field_code,
            kind=kind_code,
        )
        counts = await store.counts_by_status(unit_ids=units, quarter=quarter, field=field_code, kind=kind_code)
    kept = {k: v for k, v in {**filters, "unit": unit}.items() if v}
    return _pages(request).render(
        request,
        "queue.html",
        title="Xét duyệt hồ sơ",
        items=items,
        total=total,
        counts=[(s.value, labels.status_label(s.value), counts.get(s.value, 0)) for s in ReviewStatus],
        status=status.value if status else "",
        quarter=quarter or "",
        unit=unit or "",
        field=filters["field"] or "",
        kind=filters["kind"] or "",
        units=_units(organisation),
        statuses=[(s.value, labels.status_label(s.value)) for s in ReviewStatus],
        link=lambda **changes: "?" + urlencode({**kept, "status": status.value if status else "", **changes}),
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        page_link=lambda n: "?" + urlencode({**kept, "status": status.value if status else "", "page": n}),
        decisions=DECISIONS,
        reasons=list(REASONS.items()),
        done=request.query_params.get("done", ""),
        problems=request.query_params.getlist("problem"),
    )


def _note(form: FormData) -> str:
    value = form.get("note")
    return unicodedata.normalize("NFC", value).strip()[:MAX_NOTE] if isinstance(value, str) else ""


def _requests(form: FormData, ids: list[uuid.UUID]) -> tuple[list[DecisionRequest], str]:
    """The decisions the form asks for, or what is missing from it (in Vietnamese)."""
    try:
        decision = Decision(str(form.get("decision", "")))
    except ValueError:
        return [], "Xin chọn quyết định: công nhận, trả lại hay không công nhận."
    codes = [str(code) for code in form.getlist("reason")]
    note = _note(form)
    reasons = chosen(codes, note) if decision is not Decision.APPROVE else []
    if decision is not Decision.APPROVE and not reasons:
        return [], "Khi trả lại hoặc không công nhận, xin chọn ít nhất một lý do hoặc ghi rõ lý do."
    return [DecisionRequest(i, decision, note, list(reasons)) for i in ids], ""


def _said(outcome: DecisionOutcome) -> str:
    if outcome.problem == "already-decided":
        return "Hồ sơ này đã được quyết định trước đó; trang đã được cập nhật."
    if outcome.problem == "not-found":
        return "Không tìm thấy hồ sơ."
    return outcome.message or "Quyết định không hợp lệ."


@router.post("/decisions", response_class=HTMLResponse)
async def decide_many(request: Request, person: Reviewer, form: ReviewerForm) -> Response:
    """Several cases of the queue decided at once (a council session)."""
    try:
        ids = list(dict.fromkeys(uuid.UUID(str(value)) for value in form.getlist("case")))
    except ValueError:
        raise HTTPException(status.HTTP_400_BAD_REQUEST) from None
    back = str(form.get("back", "")) if str(form.get("back", "")).startswith("?") else ""
    if not ids:
        return RedirectResponse(f"{PREFIX}{back}{'&' if back else '?'}problem=none", status_code=303)
    requests, missing = _requests(form, ids)
    if missing:
        query = urlencode({"problem": missing})
        return RedirectResponse(f"{PREFIX}{back}{'&' if back else '?'}{query}", status_code=303)
    outcomes = await decide_cases(_runtime(request).unit_of_work(), requests, by=person.name)
    done = sum(o.case is not None for o in outcomes)
    problems = [f"{o.nomination_id}: {_said(o)}" for o in outcomes if o.case is None]
    query = urlencode([("done", str(done)), *(("problem", p) for p in problems)])
    return RedirectResponse(f"{PREFIX}{back}{'&' if back else '?'}{query}", status_code=303)


async def _case_page(request: Request, nomination_id: uuid.UUID, *, error: str = "", code: int = 200) -> Response:
    async with _runtime(request).db.read() as connection:
        store = ReviewStore(connection)
        found = (await store.get_cases([nomination_id])).get(nomination_id)
        if found is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND)
        others = (
            await store.list_cases(status=None, unit_ids=None, person_id=found.person_id, limit=20, offset=0)
            if found.person_id
            else (0, [])
        )[1]
    return _pages(request).render(
        request,
        "case.html",
        status_code=code,
        title=found.nominee_name,
        case=found,
        history=[c for c in others if c.nomination_id != found.nomination_id],
        decisions=DECISIONS,
        reasons=list(REASONS.items()),
        error=error,
        decided=DECIDED.get(request.query_params.get("decided", ""), ""),
    )


@router.get("/{nomination_id}", response_class=HTMLResponse)
async def case(request: Request, nomination_id: uuid.UUID, person: Reviewer) -> Response:
    return await _case_page(request, nomination_id)


@router.post("/{nomination_id}", response_class=HTMLResponse)
async def decide(request: Request, nomination_id: uuid.UUID, person: Reviewer, form: ReviewerForm) -> Response:
    requests, missing = _requests(form, [nomination_id])
    if missing:
        return await _case_page(request, nomination_id, error=missing, code=400)
    [outcome] = await decide_cases(_runtime(request).unit_of_work(), requests, by=person.name)
    if outcome.case is None:
        return await _case_page(request, nomination_id, error=_said(outcome), code=409)
    return RedirectResponse(f"{PREFIX}{nomination_id}?decided={outcome.case.status.value}", status_code=303)
