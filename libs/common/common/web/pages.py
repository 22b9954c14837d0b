"""The staff pages of a service: one look for all (layout, styles, components), the service's own
templates on top, and the error pages a person gets instead of JSON.

A service builds ``Pages`` with its templates folder and the prefixes its pages live under (the
proxy routes them to it), calls ``install`` on its app, and renders with ``render``.
Every page gets ``person`` (who is signed in), ``csrf`` (for its forms), ``menu`` (the screens of
the person's roles) and ``agency`` (named at the top of every page).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.staticfiles import StaticFiles

from common.api_errors import http_error as json_error
from common.auth import Role
from common.web import labels
from common.web.navigation import ROLE_NAMES, screens_for
from common.web.people import (
    CSRF_FIELD,
    CSRF_HEADER,
    NotAllowed,
    Person,
    SignInNeeded,
    StaleForm,
    route_path,
    sign_in_address,
)
from common.web.sessions import SessionStore

__all__ = ["ASSETS", "ERROR_TEXT", "SECURITY_HEADERS", "Pages", "roles_text", "staff_pages"]

log = logging.getLogger(__name__)

ASSETS = Path(__file__).resolve().parent / "static"

# status -> (heading, what the person can do about it)
ERROR_TEXT: dict[int, tuple[str, str]] = {
    400: ("Yêu cầu không hợp lệ", "Địa chỉ hoặc dữ liệu gửi lên không đúng. Xin quay lại trang trước và thử lại."),
    403: ("Không có quyền truy cập", "Tài khoản của bạn không được giao việc trên trang này."),
    404: ("Không tìm thấy trang", "Trang bạn tìm không có hoặc đã được chuyển đi. Xin kiểm tra lại địa chỉ."),
    409: ("Dữ liệu đã thay đổi", "Hồ sơ vừa được người khác cập nhật. Xin tải lại trang rồi làm lại."),
    410: ("Nội dung đã bị gỡ", "Nội dung này không còn được cung cấp."),
    413: ("Dữ liệu quá lớn", "Nội dung gửi lên vượt quá giới hạn cho phép."),
    500: ("Lỗi hệ thống", "Đã có lỗi xảy ra. Lỗi đã được ghi lại; xin thử lại sau ít phút."),
    503: ("Dịch vụ tạm thời gián đoạn", "Hệ thống tạm thời không truy cập được dữ liệu; xin thử lại sau ít phút."),
}
STALE_FORM = (
    "Biểu mẫu đã hết hiệu lực",
    "Phiên làm việc đã thay đổi hoặc biểu mẫu không được gửi từ trang của hệ thống. Xin tải lại trang rồi gửi lại.",
)


# Staff pages hold personal data: never cached, never framed, scripts and styles from here only.
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "media-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def roles_text(person: Person) -> str:
    return ", ".join(ROLE_NAMES[r] for r in Role if r in person.principal.roles)


class Pages:
    """Templates and error pages of one service's staff pages, at ``prefixes``."""

    def __init__(
        self,
        *,
        templates: Path | None,
        prefixes: tuple[str, ...],
        sessions: SessionStore,
        session_cookie: str,
        agency: str,
        globals: Mapping[str, Any] | None = None,
    ) -> None:
        loaders: list[Any] = [PackageLoader("common.web", "templates")]
        if templates is not None:
            loaders.insert(0, FileSystemLoader(templates))
        self.env = Environment(
            loader=ChoiceLoader(loaders),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            extensions=["jinja2.ext.do"],
            auto_reload=False,  # templates are the package's files: no need to look at them again per page
        )
        self.prefixes = prefixes
        self.sessions = sessions
        self.session_cookie = session_cookie
        self.env.globals.update(
            agency=agency,
            asset=self.asset,
            labels=labels,
            role_names=ROLE_NAMES,
            csrf_field=CSRF_FIELD,
            csrf_header=CSRF_HEADER,
            roles_text=roles_text,
            Role=Role,
            **(globals or {}),
        )
        self.env.filters.update(labels.FILTERS)

    def warm(self) -> int:
        """Compile every template now, before the first person waits for it (tens of milliseconds
        each otherwise, on the first page that uses it); how many there are."""
        names = [name for name in self.env.list_templates() if name.endswith(".html")]
        for name in names:
            self.env.get_template(name)
        return len(names)

    @cached_property
    def _asset_versions(self) -> dict[str, str]:
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()[:10] for p in ASSETS.iterdir() if p.is_file()}

    def asset(self, name: str) -> str:
        """The address of a shared asset, with its content's hash so that it can be cached long."""
        return f"/assets/{name}?v={self._asset_versions.get(name, '0')}"

    def owns(self, path: str) -> bool:
        """A path of these pages: a prefix itself, or below one that ends with a slash."""
        return any(path == p.rstrip("/") or (p.endswith("/") and path.startswith(p)) for p in self.prefixes)

    def render(
        self,
        request: Request,
        template: str,
        *,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        **context: Any,
    ) -> HTMLResponse:
        person: Person | None = context.pop("person", None) or getattr(request.state, "person", None)
        roles: frozenset[Role] = person.principal.roles if person else frozenset()
        html = self.env.get_template(template).render(
            request=request,
            person=person,
            csrf=person.csrf if person else "",
            menu=screens_for(roles),
            path=route_path(request),
            htmx=request.headers.get("HX-Request") == "true",
            **context,
        )
        response = HTMLResponse(html, status_code=status_code, headers={**SECURITY_HEADERS, **(headers or {})})
        return response

    def error(self, request: Request, code: int, *, heading: str = "", message: str = "") -> HTMLResponse:
        default_heading, default_message = ERROR_TEXT.get(code, ERROR_TEXT[500])
        return self.render(
            request,
            "error.html",
            status_code=code,
            heading=heading or default_heading,
            message=message or default_message,
            code=code,
        )

    def install(self, app: FastAPI) -> None:
        """Serve the shared assets and answer this prefix's errors with pages; elsewhere the
        handlers the app already had (JSON for the API, the public site's pages) stay."""
        app.mount("/assets", StaticFiles(directory=ASSETS), name="assets")
        app.state.pages = self
        app.state.sessions = self.sessions
        app.state.session_cookie = self.session_cookie
        before: Callable[[Request, Exception], Awaitable[Response]] | Any = app.exception_handlers.get(
            StarletteHTTPException, json_error
        )
        invalid_before = app.exception_handlers.get(RequestValidationError)
        failure_before = app.exception_handlers.get(Exception)

        async def sign_in(request: Request, exc: Exception) -> Response:
            assert isinstance(exc, SignInNeeded)
            target = sign_in_address(exc.next_path)
            if request.headers.get("HX-Request") == "true":
                return Response(status_code=204, headers={"HX-Redirect": target})
            return RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)

        async def not_allowed(request: Request, exc: Exception) -> Response:
            assert isinstance(exc, NotAllowed)
            names = ", ".join(ROLE_NAMES[r] for r in exc.roles)
            return self.error(request, 403, message=f"Trang này dành cho: {names}.")

        async def stale(request: Request, exc: Exception) -> Response:
            heading, message = STALE_FORM
            return self.error(request, 403, heading=heading, message=message)

        async def http_error(request: Request, exc: Exception) -> Response:
            assert isinstance(exc, StarletteHTTPException)
            if self.owns(route_path(request)):
                return self.error(request, exc.status_code)
            answer = before(request, exc)
            return await answer if not isinstance(answer, Response) else answer

        async def invalid(request: Request, exc: Exception) -> Response:
            if self.owns(route_path(request)):
                return self.error(request, 400)
            if invalid_before is None:
                raise exc
            answer = invalid_before(request, exc)
            return await answer if not isinstance(answer, Response) else answer

        async def failure(request: Request, exc: Exception) -> Response:
            if self.owns(route_path(request)):
                log.exception("%s %s failed", request.method, route_path(request), exc_info=exc)
                return self.error(request, 500)
            if failure_before is None:
                raise exc
            answer = failure_before(request, exc)
            return await answer if not isinstance(answer, Response) else answer

        app.add_exception_handler(SignInNeeded, sign_in)
        app.add_exception_handler(NotAllowed, not_allowed)
        app.add_exception_handler(StaleForm, stale)
        app.add_exception_handler(StarletteHTTPException, http_error)
        app.add_exception_handler(RequestValidationError, invalid)
        app.add_exception_handler(Exception, failure)


def staff_pages(
    app: FastAPI, *, templates: Path | None, prefixes: tuple[str, ...], globals: Mapping[str, Any] | None = None
) -> Pages:
    """The pages of the service ``app`` runs, at ``prefixes`` (``/review/`` and below; ``/signin``
    itself), installed on it."""
    runtime = app.state.runtime
    settings = runtime.settings
    sessions = SessionStore(
        runtime.redis,
        idle_seconds=settings.session_idle_minutes * 60,
        absolute_seconds=int(settings.session_max_hours * 3600),
    )
    pages = Pages(
        templates=templates,
        prefixes=prefixes,
        sessions=sessions,
        session_cookie=settings.session_cookie,
        agency=settings.site_agency,
        globals=globals,
    )
    pages.install(app)
    return pages
