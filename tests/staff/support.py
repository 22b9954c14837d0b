"""What the staff tests share: the service wired as it runs, and a browser-like client that keeps
cookies and reads the sign-in form's hidden token."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from http.cookies import Morsel, SimpleCookie
from typing import Any

import httpx
from fastapi import FastAPI
from pydantic import SecretStr

from common.migrations import upgrade
from staff.bootstrap import bootstrap
from staff.config import MIGRATIONS, Settings
from tests.conftest import TEST_SECRET

__all__ = ["BASE", "browser", "hidden", "serving", "set_cookie", "signed_in"]

BASE = "https://localhost"  # the address people use (the proxy): HTTPS, as the Secure cookies need
_HIDDEN = re.compile(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">')


def set_cookie(answer: httpx.Response, name: str) -> Morsel[str]:
    """The cookie ``name`` as the answer set it (with its attributes)."""
    for header in answer.headers.get_list("set-cookie"):
        cookie = SimpleCookie(header)
        if name in cookie:
            return cookie[name]
    raise AssertionError(f"no cookie {name} was set")


def hidden(html: str) -> dict[str, str]:
    """The hidden fields of a page's forms (the CSRF token, where to go next)."""
    return dict(_HIDDEN.findall(html))


@contextlib.asynccontextmanager
async def serving(db_url: str, redis_url: str, **settings: Any) -> AsyncIterator[FastAPI]:
    await asyncio.to_thread(upgrade, MIGRATIONS, db_url)
    app = bootstrap(
        Settings(
            database_url=db_url,
            redis_url=redis_url,
            auth_secret=SecretStr(TEST_SECRET),
            public_url=BASE,
            **settings,
        )
    )
    try:
        yield app
    finally:
        await app.state.runtime.redis.aclose()
        await app.state.runtime.db.dispose()


def browser(app: FastAPI) -> httpx.AsyncClient:
    """A client as a browser on the site's address: it keeps cookies, follows no redirect itself."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE)


async def signed_in(
    client: httpx.AsyncClient, username: str, password: str, next_path: str = "/staff"
) -> httpx.Response:
    page = await client.get("/signin", params={"next": next_path})
    fields = hidden(page.text)
    return await client.post(
        "/signin",
        data={"username": username, "password": password, "next": fields["next"], "csrf_token": fields["csrf_token"]},
    )
