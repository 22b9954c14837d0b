"""What an API says when it refuses: always ``{"detail": {"code": ..., "message": ...}}``.

``code`` is stable, for machines (``no-such-nomination``, ``not-withdrawable``); ``message`` is
for the person who will read it, in Vietnamese. Anything else useful (the ids concerned, the
reasons) sits beside them. An error raised without a code of its own (a route that does not
exist, a method not allowed, a plain ``HTTPException``) gets the code and message of its status,
with what was said kept as ``reason``. The pages show ``message`` as it is.
"""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

__all__ = ["GENERIC", "api_error", "error_body", "http_error", "validation_error"]

# status -> (code, message)
GENERIC: dict[int, tuple[str, str]] = {
    400: ("bad-request", "Yêu cầu không hợp lệ."),
    401: ("unauthenticated", "Cần thẻ xác thực hợp lệ (đăng nhập lại hoặc xin thẻ mới)."),
    403: ("forbidden", "Không có quyền thực hiện thao tác này."),
    404: ("not-found", "Không tìm thấy."),
    405: ("method-not-allowed", "Địa chỉ này không nhận phương thức này."),
    409: ("conflict", "Dữ liệu đã thay đổi; xin tải lại rồi làm lại."),
    413: ("body-too-large", "Dữ liệu gửi lên quá lớn."),
    415: ("unsupported-media-type", "Định dạng dữ liệu gửi lên không được hỗ trợ."),
    422: ("invalid", "Dữ liệu gửi lên không hợp lệ."),
    429: ("too-many-requests", "Quá nhiều yêu cầu; xin thử lại sau."),
    500: ("internal-error", "Lỗi hệ thống; xin thử lại sau."),
    503: ("unavailable", "Dịch vụ tạm thời không truy cập được dữ liệu; xin thử lại sau ít phút."),
}


def api_error(
    status_code: int, code: str, message: str, *, headers: dict[str, str] | None = None, **extra: Any
) -> HTTPException:
    """A refusal with its stable code and its Vietnamese message (and whatever else helps)."""
    return HTTPException(status_code, {"code": code, "message": message, **extra}, headers=headers)


def error_body(status_code: int, detail: Any) -> dict[str, Any]:
    """``detail`` in the one shape every API answers with."""
    code, message = GENERIC.get(status_code, GENERIC[500] if status_code >= 500 else GENERIC[400])
    if isinstance(detail, dict) and "code" in detail and "message" in detail:
        return detail
    if isinstance(detail, dict):
        return {"code": code, "message": message, **detail}
    if detail is None or detail == "" or str(detail) in _STARLETTE_PHRASES:
        return {"code": code, "message": message}
    return {"code": code, "message": message, "reason": str(detail)}


_STARLETTE_PHRASES = {"Not Found", "Method Not Allowed", "Unauthorized", "Forbidden", "Bad Request"}


async def http_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    return JSONResponse(
        {"detail": error_body(exc.status_code, exc.detail)}, status_code=exc.status_code, headers=exc.headers
    )


async def validation_error(_request: Request, exc: Exception) -> JSONResponse:
    """A request that does not validate: 422, each field that is wrong in ``errors``."""
    assert isinstance(exc, RequestValidationError)
    errors = [{"where": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg", "")} for e in exc.errors()]
    wrong = ", ".join(e["where"] for e in errors[:5])
    body = {
        "detail": {"code": "invalid-request", "message": f"Dữ liệu gửi lên không hợp lệ ({wrong})."},
        "errors": errors,
    }
    return JSONResponse(body, status_code=422)
