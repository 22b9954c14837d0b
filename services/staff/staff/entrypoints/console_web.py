"""The operator's console (``/staff/operator/``): whether every service is ready, how far behind each
consumer group is, and the dead letters of every stream, to read and to send back or delete.

Each service's own page (``/staff/operator/<service>/``, served by that service) has its failed
jobs and the data files it runs on. Redrives and deletions are recorded with the operator's name
(``common.dead_letters``), as the command line's are.
"""

from __future__ import annotations

import asyncio
import base64
import json
from datetime import datetime
from typing import Annotated

import httpx
from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from common import registry
from common.auth import Role
from common.dead_letters import DeadLetters
from common.web.operator import group_lag
from common.web.pages import Pages
from common.web.people import Person, form_of, signed_in
from common.wire import dead_letter_stream

__all__ = ["router"]

router = APIRouter(prefix="/staff/operator", include_in_schema=False)
Operator = Annotated[Person, signed_in(Role.OPERATOR)]
OperatorForm = Annotated[FormData, form_of(signed_in(Role.OPERATOR))]
STREAM = r"^[a-z0-9][a-z0-9.-]{0,119}$"


def _pages(request: Request) -> Pages:
    pages: Pages = request.app.state.pages
    return pages


async def _ready(http: httpx.AsyncClient, name: str, url: str) -> tuple[str, str, dict[str, str]]:
    """(service, "ready" / "not ready" / "unreachable", each check's answer)."""
    try:
        answer = await http.get(f"{url}/ready", timeout=3)
        body = answer.json()
        return name, "ready" if answer.status_code == 200 else "not ready", dict(body.get("checks", {}))
    except (httpx.HTTPError, ValueError) as error:
        return name, "unreachable", {"http": f"{type(error).__name__}: {error}"[:200]}


@router.get("/", response_class=HTMLResponse)
async def console(request: Request, person: Operator) -> Response:
    http: httpx.AsyncClient = request.app.state.http
    addresses: dict[str, str] = request.app.state.service_addresses
    health = await asyncio.gather(*(_ready(http, name, url) for name, url in addresses.items()))
    redis = request.app.state.runtime.redis
    lags = await group_lag(redis, registry.streams_read())
    # Counted, not read: a stream's page lists its dead letters.
    dead = {stream: int(await redis.xlen(dead_letter_stream(stream))) for stream in registry.streams_read()}
    return _pages(request).render(
        request,
        "console.html",
        title="Vận hành hệ thống",
        health=health,
        lags=lags,
        dead=dead,
        services_with_pages=[e.name for e in registry.SERVICES if e.name != "staff"],
    )


@router.get("/dead-letters", response_class=HTMLResponse)
async def dead_letters(
    request: Request, person: Operator, stream: Annotated[str, Query(pattern=STREAM)], done: str = ""
) -> Response:
    if stream not in registry.streams_read():
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    letters = await DeadLetters(request.app.state.runtime.redis, person.name).entries(stream)
    return _pages(request).render(
        request,
        "dead_letters.html",
        title=f"Thư lỗi của {stream}",
        stream=stream,
        letters=letters,
        done=done,
        event_type=lambda letter: _event_type(letter.original),
        moment=_moment,
    )


def _event_type(original: dict[str, str]) -> str:
    """The type of event a dead letter holds: in a service's entry (``event``), or in the payload of
    a unit's signed one (``jws``), read without checking the signature (for display only)."""
    try:
        if "event" in original:
            envelope = json.loads(original["event"])
        else:
            payload = original.get("jws", "").split(".")[1]
            envelope = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (ValueError, IndexError):
        return ""
    return str(envelope.get("type", "")) if isinstance(envelope, dict) else ""


def _moment(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


@router.post("/dead-letters", response_class=HTMLResponse)
async def act_on_dead_letters(request: Request, person: Operator, form: OperatorForm) -> Response:
    stream = str(form.get("stream", ""))
    if stream not in registry.streams_read():
        raise HTTPException(status.HTTP_400_BAD_REQUEST)
    ids = [str(i) for i in form.getlist("letter")][:1000]
    letters = DeadLetters(request.app.state.runtime.redis, person.name)
    if form.get("action") == "delete":
        done = f"deleted-{len(await letters.delete(stream, ids))}"
    else:
        done = f"redriven-{len(await letters.redrive(stream, ids))}"
    return RedirectResponse(f"/staff/operator/dead-letters?stream={stream}&done={done}", status_code=303)
