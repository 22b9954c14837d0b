"""Limits a service enforces on what it is sent, before it reads it.

A request body larger than ``max_bytes`` is refused with 413: at once when its Content-Length says
so, and otherwise as soon as more than that has arrived (a chunked upload), so an unauthenticated
client cannot make the service hold a large body in memory.
"""

from __future__ import annotations

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from common.api_errors import api_error

__all__ = ["BodyLimit", "too_large_message"]


def too_large_message(max_bytes: int) -> str:
    return f"Nội dung gửi lên quá lớn: tối đa {max_bytes:,} byte.".replace(",", ".")


class BodyLimit:
    """ASGI middleware: no request body over ``max_bytes``."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            response = JSONResponse(
                {"detail": {"code": "body-too-large", "message": too_large_message(self.max_bytes)}},
                status_code=413,
                headers={"Connection": "close"},
            )
            await response(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise api_error(413, "body-too-large", too_large_message(self.max_bytes))
            return message

        await self.app(scope, limited, send)
