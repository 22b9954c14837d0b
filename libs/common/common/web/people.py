"""Who asks for a page: the person of the session cookie, their roles, and their forms' CSRF token.

Pages depend on ``signed_in(*roles)``: with no session the browser is sent to sign in (and back
afterwards); with a session but none of the roles, a 403 page says so. Forms depend on
``form_of(person)``, which refuses a request that changes something unless it carries the
session's CSRF token and comes from this site (``Origin``, when the browser sends it).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import Depends, Request
from starlette.datastructures import FormData

from common.auth import Principal, Role
from common.web.sessions import Session, SessionStore

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "NotAllowed",
    "Person",
    "SignInNeeded",
    "StaleForm",
    "checked_form",
    "current_session",
    "form_of",
    "route_path",
    "same_site",
    "sign_in_address",
    "signed_in",
]

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"  # what htmx sends (hx-headers on <body>)


@dataclass(frozen=True)
class Person:
    """A signed-in person asking for a page."""

    principal: Principal
    csrf: str
    via: str

    @property
    def name(self) -> str:
        return self.principal.name

    def has(self, *roles: Role) -> bool:
        return self.principal.has(*roles)


class SignInNeeded(Exception):
    """No session: the person must sign in, then come back to ``next``."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class NotAllowed(Exception):
    """Signed in, but this page is for other roles."""

    def __init__(self, roles: tuple[Role, ...]) -> None:
        super().__init__(", ".join(r.value for r in roles))
        self.roles = roles


class StaleForm(Exception):
    """A form without this session's CSRF token, or sent from another site."""


def route_path(request: Request) -> str:
    """The path as this site's visitors see it: behind the proxy, a service run with ROOT_PATH (for
    its API under /api/<service>) still serves its pages at their own paths (uvicorn puts the
    root path in front of every path; Starlette routes without it)."""
    path = request.url.path
    root = request.scope.get("root_path", "")
    if root and path.startswith(root + "/"):
        return path[len(root) :]
    return path


def sign_in_address(next_path: str) -> str:
    return "/signin?next=" + quote(next_path, safe="/")


def _sessions(request: Request) -> SessionStore:
    store: SessionStore = request.app.state.sessions
    return store


async def current_session(request: Request) -> Session | None:
    cookie = request.app.state.session_cookie
    return await _sessions(request).get(request.cookies.get(cookie))


def _path_of(request: Request) -> str:
    # Behind htmx, the page the person is on, not the fragment's address.
    current = request.headers.get("HX-Current-URL")
    if current:
        parts = urlsplit(current)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return route_path(request) + (f"?{request.url.query}" if request.url.query else "")


def signed_in(*roles: Role) -> Any:
    """A dependency: the person of the session, if they hold one of ``roles`` (any role if none)."""

    async def dependency(request: Request) -> Person:
        session = await current_session(request)
        if session is None:
            raise SignInNeeded(_path_of(request) if request.method == "GET" else "/staff")
        if roles and not session.principal.has(*roles):
            raise NotAllowed(roles)
        person = Person(session.principal, session.csrf, session.via)
        request.state.person = person
        return person

    return Depends(dependency)


def same_site(request: Request) -> bool:
    """Whether the request comes from a page of this site, as far as its Origin tells."""
    origin = request.headers.get("Origin")
    if origin is None or origin == "null":
        # No Origin (an old browser, or a same-origin GET turned POST by a redirect): the
        # token alone decides. "null" is sent by sandboxed frames and privacy modes: refused.
        return origin is None
    host = request.headers.get("X-Forwarded-Host") or request.headers.get("Host", "")
    return urlsplit(origin).netloc == host


async def checked_form(request: Request, csrf: str) -> FormData:
    """The submitted form, once it is known to come from a page of this site that holds ``csrf``."""
    form = await request.form()
    sent = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    if not isinstance(sent, str) or not hmac.compare_digest(sent, csrf) or not same_site(request):
        raise StaleForm()
    return form


def form_of(person_dependency: Any) -> Any:
    """A dependency: the submitted form of a signed-in person, once its CSRF token is checked."""

    # A default, not Annotated: this module's annotations are strings, and a closure's variable
    # cannot be found from a string.
    async def dependency(request: Request, person: Person = person_dependency) -> FormData:
        return await checked_form(request, person.csrf)

    return Depends(dependency)
