"""Local servers that implement the documented endpoints of the Facebook Graph API (Page posts) and
the Zalo Official Account Open API (articles, OAuth v4 tokens), run by uvicorn on 127.0.0.1 for the
tests. Each keeps what it was sent, answers as the real one does, and can be told to misbehave:
answer a rate limit, hold an answer past the client's timeout after doing the work, expire tokens.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI, Form, Header, Request
from fastapi.responses import JSONResponse

from tests.servers import free_port

__all__ = ["FacebookState", "SocialStandIn", "ZaloState", "running_social"]

GRAPH = "/v21.0"


@dataclass
class FacebookState:
    page_id: str = "104857600000001"
    page_token: str = field(default_factory=lambda: "EAAB" + secrets.token_hex(12))
    posts: dict[str, dict[str, str]] = field(default_factory=dict)  # post id -> {message, link}
    created: int = 0  # every post ever created, deleted ones too
    rate_limited: int = 0  # the next calls answered "request limit reached"
    hold_after_create: float = 0.0  # seconds to hold the answer after creating the next post
    calls: list[str] = field(default_factory=list)


@dataclass
class ZaloState:
    oa_id: str = "2910576200000001"
    app_id: str = "3948573920000001"
    secret_key: str = field(default_factory=lambda: secrets.token_hex(10))
    refresh_token: str = field(default_factory=lambda: "rt-" + secrets.token_hex(8))  # the one that works now
    access_token: str | None = None
    refreshes: int = 0
    articles: dict[str, dict[str, Any]] = field(default_factory=dict)  # article id -> body
    tokens: dict[str, str] = field(default_factory=dict)  # create token -> article id
    created: int = 0
    hold_after_create: float = 0.0
    calls: list[str] = field(default_factory=list)

    def expire(self) -> None:
        """The access token stops working, as it does after about a day."""
        self.access_token = "expired-" + secrets.token_hex(4)


def _facebook(state: FacebookState) -> FastAPI:
    app = FastAPI()
    numbers = itertools.count(1)

    def error(code: int, message: str, status: int = 400) -> JSONResponse:
        return JSONResponse({"error": {"message": message, "type": "OAuthException", "code": code}}, status_code=status)

    def refused(token: str | None) -> JSONResponse | None:
        if state.rate_limited > 0:
            state.rate_limited -= 1
            return error(4, "Application request limit reached")
        if token != state.page_token:
            return error(190, "Invalid OAuth access token.")
        return None

    @app.post(GRAPH + "/{page_id}/feed")
    async def create(
        page_id: str,
        message: str = Form(),
        link: str = Form(),
        access_token: str = Form(),
        published: str = Form("true"),
    ) -> Any:
        state.calls.append("create")
        if (answer := refused(access_token)) is not None:
            return answer
        if page_id != state.page_id:
            return error(100, "Unsupported post request.")
        post_id = f"{page_id}_{next(numbers)}"
        state.posts[post_id] = {"message": message, "link": link}
        state.created += 1
        if state.hold_after_create:
            held, state.hold_after_create = state.hold_after_create, 0.0
            await asyncio.sleep(held)
        return {"id": post_id}

    @app.get(GRAPH + "/{page_id}/feed")
    async def feed(page_id: str, access_token: str, fields: str = "id", limit: int = 25) -> Any:
        state.calls.append("feed")
        if (answer := refused(access_token)) is not None:
            return answer
        newest = list(reversed(list(state.posts.items())))[:limit]
        return {"data": [{"id": i, "link": p["link"], "message": p["message"]} for i, p in newest]}

    @app.post(GRAPH + "/{post_id}")
    async def edit(post_id: str, message: str = Form(), access_token: str = Form()) -> Any:
        state.calls.append("edit")
        if (answer := refused(access_token)) is not None:
            return answer
        if post_id not in state.posts:
            return error(100, "Object does not exist")
        state.posts[post_id]["message"] = message
        return {"success": True}

    @app.delete(GRAPH + "/{post_id}")
    async def remove(post_id: str, access_token: str) -> Any:
        state.calls.append("delete")
        if (answer := refused(access_token)) is not None:
            return answer
        if state.posts.pop(post_id, None) is None:
            return error(100, "Object with ID does not exist")
        return {"success": True}

    return app


def _zalo(state: ZaloState) -> FastAPI:
    app = FastAPI()
    numbers = itertools.count(1)

    @app.post("/v4/oa/access_token")
    async def token(
        secret_key: str = Header(convert_underscores=False),
        app_id: str = Form(),
        grant_type: str = Form(),
        refresh_token: str = Form(),
    ) -> Any:
        state.calls.append("refresh")
        if secret_key != state.secret_key or app_id != state.app_id:
            return {"error": -14002, "error_name": "Invalid app", "error_description": "Invalid app id or secret key"}
        if grant_type != "refresh_token" or refresh_token != state.refresh_token:
            return {
                "error": -14014,
                "error_name": "Invalid refresh token",
                "error_description": "Refresh token không hợp lệ",
            }
        state.refreshes += 1
        state.access_token = "at-" + secrets.token_hex(8)
        state.refresh_token = "rt-" + secrets.token_hex(8)  # rotated: the old one no longer works
        return {"access_token": state.access_token, "refresh_token": state.refresh_token, "expires_in": "90000"}

    def unauthorised(access_token: str | None) -> dict[str, Any] | None:
        if access_token is None or access_token != state.access_token:
            return {"error": -216, "message": "Access token is invalid"}
        return None

    @app.post("/v2.0/article/create")
    async def create(
        request: Request, access_token: str | None = Header(default=None, convert_underscores=False)
    ) -> Any:
        state.calls.append("create")
        if (answer := unauthorised(access_token)) is not None:
            return answer
        body = await request.json()
        if not body.get("title") or not body.get("body"):
            return {"error": -201, "message": "Parameters are invalid"}
        article_id = f"art{next(numbers)}"
        create_token = secrets.token_hex(10)
        state.tokens[create_token] = article_id
        state.articles[article_id] = body
        state.created += 1
        if state.hold_after_create:
            held, state.hold_after_create = state.hold_after_create, 0.0
            await asyncio.sleep(held)
        return {"error": 0, "message": "Success", "data": {"token": create_token}}

    @app.post("/v2.0/article/verify")
    async def verify(
        request: Request, access_token: str | None = Header(default=None, convert_underscores=False)
    ) -> Any:
        state.calls.append("verify")
        if (answer := unauthorised(access_token)) is not None:
            return answer
        found = state.tokens.get((await request.json()).get("token", ""))
        if found is None:
            return {"error": -201, "message": "Token is invalid"}
        return {"error": 0, "message": "Success", "data": {"id": found}}

    @app.get("/v2.0/article/getslice")
    async def getslice(
        offset: int = 0, limit: int = 10, access_token: str | None = Header(default=None, convert_underscores=False)
    ) -> Any:
        state.calls.append("getslice")
        if (answer := unauthorised(access_token)) is not None:
            return answer
        newest = list(reversed(list(state.articles.items())))[offset : offset + limit]
        medias = [{"id": i, "title": a["title"], "status": a.get("status", "show")} for i, a in newest]
        return {"error": 0, "message": "Success", "data": {"medias": medias, "total": len(state.articles)}}

    @app.post("/v2.0/article/update")
    async def update(
        request: Request, access_token: str | None = Header(default=None, convert_underscores=False)
    ) -> Any:
        state.calls.append("update")
        if (answer := unauthorised(access_token)) is not None:
            return answer
        body = await request.json()
        if body.get("id") not in state.articles:
            return {"error": -201, "message": "Article not found"}
        state.articles[body["id"]] = body
        return {"error": 0, "message": "Success", "data": {"token": secrets.token_hex(6)}}

    @app.post("/v2.0/article/remove")
    async def remove(
        request: Request, access_token: str | None = Header(default=None, convert_underscores=False)
    ) -> Any:
        state.calls.append("remove")
        if (answer := unauthorised(access_token)) is not None:
            return answer
        if state.articles.pop((await request.json()).get("id"), None) is None:
            return {"error": -201, "message": "Article not found"}
        return {"error": 0, "message": "Success"}

    return app


@dataclass
class SocialStandIn:
    facebook: FacebookState
    zalo: ZaloState
    facebook_url: str  # the Graph API base, with its version
    zalo_url: str  # both the API and the OAuth server


@contextlib.contextmanager
def _serving(app: FastAPI) -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the stand-in server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextlib.contextmanager
def running_social() -> Iterator[SocialStandIn]:
    facebook, zalo = FacebookState(), ZaloState()
    with _serving(_facebook(facebook)) as fb, _serving(_zalo(zalo)) as za:
        yield SocialStandIn(facebook, zalo, fb + GRAPH, za)
