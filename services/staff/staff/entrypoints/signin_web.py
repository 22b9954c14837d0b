"""Sign-in and sign-out pages: a local account's password, or the operator's OpenID Connect provider.

Signing in makes a new session (a session the browser had before is ended: no fixation) and
sends the person back to the page they asked for, if it is a page of this site. The sign-in form
has its own CSRF token, in a cookie and in the form (no session exists yet to hold it); the
provider's answer must carry the state this browser was given, kept in a cookie of its own.

Signing out ends the session here and, for a person who signed in at the provider, there too: the
browser is sent to the provider's end-session endpoint with the ID token as a hint, and comes back
to ``/signin/signed-out``. It goes there from a page of this site, not by a redirect of the sign-out
form, whose own destinations the pages' Content-Security-Policy (``form-action 'self'``) confines
to this site.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from common.auth import Principal
from common.errors import Unprocessable
from common.web.pages import Pages
from common.web.people import (
    CSRF_FIELD,
    Person,
    StaleForm,
    checked_form,
    current_session,
    same_site,
    signed_in,
)
from common.web.sessions import SessionStore
from staff.adapters.oidc import OidcClient, Pending
from staff.domain.claims import ClaimMapping
from staff.service.accounts import Accounts, SignInRefused

__all__ = ["PENDING_PREFIX", "router", "safe_next"]

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

HOME = "/staff"
PENDING_PREFIX = "signin:pending:"  # Redis: a sign-in sent to the provider, by its state
# Redis: the provider's ID token of a session, by the SHA-256 of its cookie, for the sign-out there;
# the sign-in service alone reads it (the other services read the sessions only).
ID_TOKEN_PREFIX = "signin:id-token:"
PENDING_SECONDS = 600
FORM_COOKIE = "exemplars_signin_form"  # the sign-in form's CSRF token
STATE_COOKIE = "exemplars_signin_state"  # the state given to the provider for this browser

SIGNED_OUT = "Bạn đã đăng xuất."
SIGNED_OUT_HERE_ONLY = (
    "Bạn đã đăng xuất khỏi hệ thống, nhưng chưa kết thúc được phiên của tài khoản dùng chung tại nhà "
    "cung cấp đăng nhập. Nếu đang dùng máy tính chung, xin đóng hẳn trình duyệt."
)
EXPIRED = "Lượt đăng nhập đã hết hạn hoặc không hợp lệ; xin đăng nhập lại."
DECLINED = "Nhà cung cấp đăng nhập đã từ chối lượt đăng nhập."

Signed = Annotated[Person, signed_in()]


def safe_next(value: str | None) -> str:
    """A page of this site to go back to; anything else (another site, a scheme) is the home page."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value or "\n" in value:
        return HOME
    if value.startswith(("/signin", "/signout")):
        return HOME
    return value


def _pages(request: Request) -> Pages:
    pages: Pages = request.app.state.pages
    return pages


def _cookie(request: Request, response: Response, name: str, value: str, *, path: str = "/") -> None:
    response.set_cookie(
        name,
        value,
        path=path,
        httponly=True,
        secure=request.app.state.session_cookie_secure,
        samesite="lax",
    )


def _form_page(
    request: Request,
    *,
    next_path: str,
    error: str = "",
    username: str = "",
    notice: str = "",
    notice_tone: str = "good",
) -> Response:
    token = secrets.token_urlsafe(32)
    response = _pages(request).render(
        request,
        "signin.html",
        status_code=400 if error else 200,
        title="Đăng nhập",
        next_path=next_path,
        form_token=token,
        error=error,
        username=username,
        notice=notice,
        notice_tone=notice_tone,
        local_accounts=request.app.state.local_accounts,
        provider_label=request.app.state.oidc_label if request.app.state.oidc else None,
    )
    _cookie(request, response, FORM_COOKIE, token, path="/signin")
    return response


async def _start_session(
    request: Request, response: Response, who: Principal, *, via: str, id_token: str | None = None
) -> None:
    sessions: SessionStore = request.app.state.sessions
    cookie_name: str = request.app.state.session_cookie
    await sessions.delete(request.cookies.get(cookie_name))
    await _take_id_token(request, request.cookies.get(cookie_name))
    value, _session = await sessions.create(who, via=via)
    if id_token is not None:
        await _keep_id_token(request, value, id_token)
    _cookie(request, response, cookie_name, value)
    log.info("%s signed in (%s) as %s", who.subject, via, ", ".join(sorted(r.value for r in who.roles)))


@router.get("/signin", response_class=HTMLResponse)
async def sign_in_page(request: Request, next: Annotated[str | None, Query(max_length=2000)] = None) -> Response:
    target = safe_next(next)
    if await current_session(request) is not None:
        return RedirectResponse(target, status_code=303)
    signed_out = request.query_params.get("signed_out")
    if signed_out == "here-only":
        return _form_page(request, next_path=target, notice=SIGNED_OUT_HERE_ONLY, notice_tone="attention")
    return _form_page(request, next_path=target, notice=SIGNED_OUT if signed_out else "")


@router.post("/signin", response_class=HTMLResponse)
async def sign_in(
    request: Request,
    username: Annotated[str, Form(max_length=80)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    next: Annotated[str, Form(max_length=2000)] = HOME,
    form_token: Annotated[str, Form(alias=CSRF_FIELD, max_length=100)] = "",
) -> Response:
    target = safe_next(next)
    expected = request.cookies.get(FORM_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, form_token):
        return _form_page(
            request, next_path=target, username=username, error="Biểu mẫu đã hết hiệu lực; xin đăng nhập lại."
        )
    if not request.app.state.local_accounts:
        return _form_page(request, next_path=target, error="Hệ thống không dùng tài khoản nội bộ.")
    if not username.strip() or not password:
        return _form_page(request, next_path=target, username=username, error="Xin nhập tên đăng nhập và mật khẩu.")
    accounts: Accounts = request.app.state.accounts
    try:
        who = await accounts.sign_in(username, password)
    except SignInRefused as refused:
        log.warning("sign-in refused for %r from %s", username[:80], request.client.host if request.client else "?")
        return _form_page(request, next_path=target, username=username, error=refused.message)
    response = RedirectResponse(target, status_code=303)
    await _start_session(request, response, who, via="local")
    response.delete_cookie(FORM_COOKIE, path="/signin")
    return response


def _redirect_uri(request: Request) -> str:
    base: str = request.app.state.public_base
    return f"{base}/signin/callback"


@router.get("/signin/provider")
async def sign_in_at_provider(request: Request, next: Annotated[str | None, Query(max_length=2000)] = None) -> Response:
    client: OidcClient | None = request.app.state.oidc
    if client is None:
        return _form_page(request, next_path=safe_next(next), error="Hệ thống chưa cấu hình đăng nhập dùng chung.")
    try:
        address, pending = await client.begin(_redirect_uri(request), safe_next(next))
    except Unprocessable as problem:
        return _form_page(request, next_path=safe_next(next), error=problem.message)
    await request.app.state.runtime.redis.set(
        PENDING_PREFIX + pending.state, json.dumps(asdict(pending)), ex=PENDING_SECONDS
    )
    response = RedirectResponse(address, status_code=303)
    _cookie(request, response, STATE_COOKIE, pending.state, path="/signin")
    return response


@router.get("/signin/callback")
async def provider_answer(
    request: Request,
    code: Annotated[str, Query(max_length=2000)] = "",
    state: Annotated[str, Query(max_length=200)] = "",
    error: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    kept = request.cookies.get(STATE_COOKIE, "")
    # The browser that began the sign-in alone may finish it, once.
    ours = bool(state) and bool(kept) and hmac.compare_digest(kept, state)
    raw = await request.app.state.runtime.redis.getdel(PENDING_PREFIX + state) if ours else None
    if error:  # the person said no at the provider, or it refused (some providers send no state then)
        log.info("the provider answered %s", error[:100])
        next_path = Pending(**json.loads(raw)).next_path if raw is not None else HOME
        return _form_page(request, next_path=next_path, error=DECLINED)
    if raw is None:
        return _form_page(
            request, next_path=HOME, error="Lượt đăng nhập đã hết hạn hoặc không hợp lệ; xin đăng nhập lại."
        )
    pending = Pending(**json.loads(raw))
    if error or not code:
        return _form_page(
            request, next_path=pending.next_path, error="Nhà cung cấp đăng nhập đã từ chối lượt đăng nhập."
        )
    client: OidcClient = request.app.state.oidc
    mapping: ClaimMapping = request.app.state.claim_mapping
    try:
        signed = await client.finish(code, pending, _redirect_uri(request))
        who = mapping.principal(signed.claims, request.app.state.unit_exists)
    except Unprocessable as problem:
        log.warning("sign-in at the provider refused: %s", problem)
        return _form_page(request, next_path=pending.next_path, error=problem.message)
    response = RedirectResponse(pending.next_path, status_code=303)
    await _start_session(request, response, who, via=client.issuer, id_token=signed.id_token)
    response.delete_cookie(STATE_COOKIE, path="/signin")
    return response


@router.post("/signout")
async def sign_out(request: Request) -> Response:
    """End the session here and, for one begun at the provider, there too.

    A session already ended here (idle too long) may still be open at the provider: its ID token,
    kept apart for the session's whole life, still says so. Without a session there is no token to
    check; a form from another site has no cookie of this site either (SameSite).
    """
    sessions: SessionStore = request.app.state.sessions
    cookie_name: str = request.app.state.session_cookie
    cookie = request.cookies.get(cookie_name)
    session = await current_session(request)
    if session is not None:
        await checked_form(request, session.csrf)
    elif not same_site(request):
        raise StaleForm()
    await sessions.delete(cookie)
    id_token = await _take_id_token(request, cookie)
    client: OidcClient | None = request.app.state.oidc
    begun_there = id_token is not None or (session is not None and client is not None and session.via == client.issuer)
    address, signed_out = None, "1"
    if begun_there and client is not None and request.app.state.oidc_sign_out_at_provider:
        base: str = request.app.state.public_base
        try:
            address = await client.sign_out_address(id_token, f"{base}/signin/signed-out")
        except Unprocessable as problem:  # unreachable, or it offers no way to end its session
            log.warning("a session begun at the provider was ended here only: %s", problem)
            signed_out = "here-only"
    response: Response
    if address is not None:
        request.state.person = None  # signed out: the page is no longer theirs
        response = _pages(request).render(request, "signing_out.html", title="Đăng xuất", address=address)
    else:
        response = RedirectResponse(f"/signin?signed_out={signed_out}", status_code=303)
    response.delete_cookie(cookie_name, path="/")
    return response


def _id_token_key(cookie_value: str) -> str:
    return ID_TOKEN_PREFIX + hashlib.sha256(cookie_value.encode()).hexdigest()


async def _keep_id_token(request: Request, cookie_value: str, id_token: str) -> None:
    sessions: SessionStore = request.app.state.sessions
    await request.app.state.runtime.redis.set(_id_token_key(cookie_value), id_token, ex=sessions.absolute_seconds)


async def _take_id_token(request: Request, cookie_value: str | None) -> str | None:
    if not cookie_value or len(cookie_value) > 200:
        return None
    raw = await request.app.state.runtime.redis.getdel(_id_token_key(cookie_value))
    return raw.decode() if isinstance(raw, bytes) else raw


@router.get("/signin/signed-out")
async def back_from_provider(request: Request) -> Response:
    """Where the provider sends the browser back once it has ended its own session too."""
    return RedirectResponse("/signin?signed_out=1", status_code=303)


@router.get("/staff", response_class=HTMLResponse)
async def home(request: Request, person: Signed) -> Response:
    return _pages(request).render(request, "home.html", title="Trang làm việc", person=person)
