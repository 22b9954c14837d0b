"""The commendation pages: emulation officers draft decisions from the approved exemplars and see
what each recipient would get; signers sign them (the number is taken then); everyone reads the
decisions; a unit's clerk reads the unit's exemplars and their awards."""

from __future__ import annotations

import unicodedata
import uuid
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from awards.adapters.drafts import DraftStore
from awards.adapters.repository import AwardsStore
from awards.domain.drafts import DraftState
from awards.entrypoints import deps
from awards.service import drafting
from common.auth import Role
from common.errors import Unprocessable
from common.web.pages import Pages
from common.web.people import Person, form_of, signed_in

__all__ = ["PREFIX", "router"]

PREFIX = "/staff/awards/"
PAGE_SIZE = 100

router = APIRouter(prefix="/staff/awards", include_in_schema=False)
Office = Annotated[Person, signed_in(Role.OFFICER, Role.SIGNER)]
OfficeForm = Annotated[FormData, form_of(signed_in(Role.OFFICER, Role.SIGNER))]
Officer = Annotated[Person, signed_in(Role.OFFICER)]
OfficerForm = Annotated[FormData, form_of(signed_in(Role.OFFICER))]
Signer = Annotated[Person, signed_in(Role.SIGNER)]
SignerForm = Annotated[FormData, form_of(signed_in(Role.SIGNER))]
Clerk = Annotated[Person, signed_in(Role.CLERK)]


def _pages(request: Request) -> Pages:
    pages: Pages = request.app.state.pages
    return pages


async def _exemplars_page(request: Request, *, error: str = "", code: int = 200) -> Response:
    runtime = deps.runtime(request)
    async with runtime.db.read() as connection:
        store = AwardsStore(connection)
        total, items = await store.list_exemplars(unit_ids=None, limit=PAGE_SIZE, offset=0)
        awards = await store.awards_of([e.exemplar_id for e in items])
        waiting_total, waiting = await DraftStore(connection).waiting()
    forms = [(f.id, f.name) for f in deps.office(request).rules.forms]
    return _pages(request).render(
        request,
        "exemplars.html",
        status_code=code,
        title="Khen thưởng gương điển hình",
        items=list(reversed(items)),
        total=total,
        awards=awards,
        forms=forms,
        waiting=waiting,
        waiting_total=waiting_total,
        error=error,
    )


@router.get("/", response_class=HTMLResponse)
async def exemplars(request: Request, person: Office) -> Response:
    return await _exemplars_page(request)


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return unicodedata.normalize("NFC", value).strip()[:2000] if isinstance(value, str) else ""


@router.post("/drafts", response_class=HTMLResponse)
async def new_draft(request: Request, person: Officer, form: OfficerForm) -> Response:
    try:
        ids = [uuid.UUID(str(v)) for v in form.getlist("exemplar")]
    except ValueError:
        raise HTTPException(status.HTTP_400_BAD_REQUEST) from None
    try:
        made = await drafting.draft(
            deps.runtime(request).db,
            deps.office(request),
            ids,
            _text(form, "form"),
            _text(form, "citation"),
            by=person.name,
        )
    except Unprocessable as problem:
        return await _exemplars_page(request, error=problem.message, code=400)
    return RedirectResponse(f"{PREFIX}drafts/{made.draft_id}", status_code=status.HTTP_303_SEE_OTHER)


async def _draft_page(request: Request, draft_id: uuid.UUID, *, error: str = "", code: int = 200) -> Response:
    runtime = deps.runtime(request)
    async with runtime.db.read() as connection:
        found = await DraftStore(connection).get(draft_id)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    if found.state is DraftState.SIGNED and found.decision_id is not None:
        # Signed, it is a decision: that page says what it is now.
        return RedirectResponse(f"{PREFIX}decisions/{found.decision_id}", status_code=status.HTTP_303_SEE_OTHER)
    preview = await drafting.preview(
        runtime.unit_of_work(), deps.office(request), found.exemplar_ids, found.form, on=drafting.today()
    )
    return _pages(request).render(
        request,
        "draft.html",
        status_code=code,
        title="Dự thảo quyết định khen thưởng",
        draft=found,
        open=found.state is DraftState.DRAFT,
        preview=preview,
        error=error,
    )


@router.get("/drafts/{draft_id}", response_class=HTMLResponse)
async def draft_page(request: Request, draft_id: uuid.UUID, person: Office) -> Response:
    return await _draft_page(request, draft_id)


@router.post("/drafts/{draft_id}/sign", response_class=HTMLResponse)
async def sign(request: Request, draft_id: uuid.UUID, person: Signer, form: SignerForm) -> Response:
    runtime = deps.runtime(request)
    try:
        decision = await drafting.sign(
            runtime.unit_of_work(), runtime.db, deps.office(request), draft_id, by=person.name
        )
    except Unprocessable as problem:
        return await _draft_page(request, draft_id, error=problem.message, code=409)
    return RedirectResponse(f"{PREFIX}decisions/{decision.decision_id}?signed=1", status_code=status.HTTP_303_SEE_OTHER)


@router.post("/drafts/{draft_id}/discard", response_class=HTMLResponse)
async def discard(request: Request, draft_id: uuid.UUID, person: Office, form: OfficeForm) -> Response:
    try:
        await drafting.discard(deps.runtime(request).db, draft_id, by=person.name)
    except Unprocessable as problem:
        return await _draft_page(request, draft_id, error=problem.message, code=409)
    return RedirectResponse(PREFIX, status_code=status.HTTP_303_SEE_OTHER)


@router.get("/decisions", response_class=HTMLResponse)
async def decisions(
    request: Request, person: Office, year: Annotated[int | None, Query(ge=2000, le=2100)] = None
) -> Response:
    async with deps.runtime(request).db.read() as connection:
        total, items = await AwardsStore(connection).list_decisions(year=year, limit=500, offset=0)
    return _pages(request).render(
        request, "decisions.html", title="Quyết định khen thưởng", items=list(reversed(items)), total=total
    )


@router.get("/decisions/{decision_id}", response_class=HTMLResponse)
async def decision(request: Request, decision_id: uuid.UUID, person: Office) -> Response:
    async with deps.runtime(request).db.read() as connection:
        found = await AwardsStore(connection).get_decision(decision_id)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    return _pages(request).render(
        request,
        "decision.html",
        title=f"Quyết định số {found.number}",
        decision=found,
        signed=request.query_params.get("signed") == "1",
    )


@router.get("/unit", response_class=HTMLResponse)
async def unit(request: Request, person: Clerk) -> Response:
    """The exemplars of the clerk's unit (and of the units merged into it), with their awards."""
    assert person.principal.unit is not None
    organisation = deps.office(request).organisation
    async with deps.runtime(request).db.read() as connection:
        store = AwardsStore(connection)
        units = organisation.rolled_up(person.principal.unit, lineage=True)
        total, items = await store.list_exemplars(unit_ids=units, limit=500, offset=0)
        awards = await store.awards_of([e.exemplar_id for e in items])
    return _pages(request).render(
        request,
        "unit.html",
        title="Điển hình và khen thưởng của đơn vị",
        unit_name=organisation.name_of(person.principal.unit),
        items=list(reversed(items)),
        total=total,
        awards=awards,
    )
