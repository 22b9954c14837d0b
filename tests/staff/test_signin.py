"""Signing in with a local account, the session cookie, CSRF, sign-out and the session's expiry,
against a real Redis and the service's real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import pytest
from redis.asyncio import Redis

from common.auth import Principal, Role
from common.migrations import upgrade
from common.service_cli import ServiceCommand
from common.web.sessions import SessionStore
from staff.config import MIGRATIONS
from staff.service.accounts import Accounts
from tests.conftest import TEST_SECRET
from tests.staff.support import browser, hidden, serving, set_cookie, signed_in

PASSWORD = "đồng lúa chín vàng bên sông Lô"


async def _accounts(app: object) -> Accounts:
    accounts: Accounts = app.state.accounts  # type: ignore[attr-defined]
    return accounts


async def test_a_clerk_signs_in_and_sees_the_screens_of_their_role(db_url: str, redis_url: str) -> None:
    async with serving(db_url, redis_url) as app, browser(app) as client:
        await (await _accounts(app)).add(
            "hoa.nt", name="Nguyễn Thị Hoa", roles=[Role.CLERK], unit_id="xa-ban-nguyen", password=PASSWORD
        )
        answer = await signed_in(client, "hoa.nt", PASSWORD, next_path="/staff/nominations/new")
        assert answer.status_code == 303
        assert answer.headers["location"] == "/staff/nominations/new"
        morsel = set_cookie(answer, "exemplars_session")
        assert morsel["httponly"] and morsel["secure"] and morsel["samesite"].lower() == "lax"
        assert morsel["path"] == "/"
        # Redis keeps the session under the hash of the cookie, never the cookie itself.
        redis = app.state.runtime.redis
        assert await redis.exists(f"session:{hashlib.sha256(morsel.value.encode()).hexdigest()}")
        assert not await redis.exists(f"session:{morsel.value}")

        home = await client.get("/staff")
        assert home.status_code == 200
        assert "Xin chào, Nguyễn Thị Hoa" in home.text
        assert 'href="/staff/nominations/"' in home.text and 'href="/staff/review/"' not in home.text
        assert home.headers["cache-control"] == "no-store"
        assert "frame-ancestors 'none'" in home.headers["content-security-policy"]


async def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(db_url: str, redis_url: str) -> None:
    async with serving(db_url, redis_url) as app, browser(app) as client:
        await (await _accounts(app)).add(
            "binh.tv", name="Trần Văn Bình", roles=[Role.REVIEWER], unit_id=None, password=PASSWORD
        )
        wrong = await signed_in(client, "binh.tv", PASSWORD + "!")
        unknown = await signed_in(client, "khong-co", PASSWORD)
        for answer in (wrong, unknown):
            assert answer.status_code == 400
            assert "Tên đăng nhập hoặc mật khẩu không đúng." in answer.text
            assert "exemplars_session" not in answer.headers.get("set-cookie", "")
        assert (await client.get("/staff")).status_code == 303


async def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(db_url: str, redis_url: str) -> None:
    async with serving(db_url, redis_url) as app, browser(app) as client:
        await (await _accounts(app)).add(
            "binh.tv", name="Trần Văn Bình", roles=[Role.REVIEWER], unit_id=None, password=PASSWORD
        )
        for _ in range(5):
            await signed_in(client, "binh.tv", "không phải mật khẩu này")
        answer = await signed_in(client, "binh.tv", PASSWORD)
        assert answer.status_code == 400
        assert "Tài khoản tạm khóa" in answer.text
        # The operator sets a new password: the account is unlocked.
        await (await _accounts(app)).set_password("binh.tv", "một mật khẩu mới dài hơn nữa")
        assert (await signed_in(client, "binh.tv", "một mật khẩu mới dài hơn nữa")).status_code == 303


async def test_a_disabled_account_cannot_sign_in(db_url: str, redis_url: str) -> None:
    async with serving(db_url, redis_url) as app, browser(app) as client:
        accounts = await _accounts(app)
        await accounts.add("binh.tv", name="Trần Văn Bình", roles=[Role.REVIEWER], unit_id=None, password=PASSWORD)
        await accounts.set_active("binh.tv", False)
        assert (await signed_in(client, "binh.tv", PASSWORD)).status_code == 400


async def test_there_is_no_account_until_the_operator_makes_one(db_url: str, redis_url: str) -> None:
    async with serving(db_url, redis_url) as app, browser(app) as client:
        assert await (await _accounts(app)).list() == []
        for username in ("admin", "operator", "root"):
            for password in ("admin", "password", "123456", PASSWORD):
                assert (await signed_in(client, username, password)).status_code == 400


async def test_the_sign_in_form_needs_its_own_token(db_url: str, redis_url: str) -> None:
    async with serving(db_url, redis_url) as app, browser(app) as client:
        await (await _accounts(app)).add(
            "binh.tv", name="Trần Văn Bình", roles=[Role.REVIEWER], unit_id=None, password=PASSWORD
        )
        # A form posted from elsewhere: no token cookie, or a token that is not this browser's.
        forged = await client.post("/signin", data={"username": "binh.tv", "password": PASSWORD, "csrf_token": "x"})
        assert forged.status_code == 400
        assert "Biểu mẫu đã hết hiệu lực" in forged.text


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example", "/signout"])
async def test_sign_in_never_sends_the_browser_to_another_site(db_url: str, redis_url: str, target: str) -> None:
    async with serving(db_url, redis_url) as app, browser(app) as client:
        await (await _accounts(app)).add(
            "binh.tv", name="Trần Văn Bình", roles=[Role.REVIEWER], unit_id=None, password=PASSWORD
        )
        answer = await signed_in(client, "binh.tv", PASSWORD, next_path=target)
        assert answer.headers["location"] == "/staff"


async def test_sign_out_needs_the_session_token_and_ends_the_session(db_url: str, redis_url: str) -> None:
    async with serving(db_url, redis_url) as app, browser(app) as client:
        await (await _accounts(app)).add(
            "binh.tv", name="Trần Văn Bình", roles=[Role.REVIEWER], unit_id=None, password=PASSWORD
        )
        await signed_in(client, "binh.tv", PASSWORD)
        home = await client.get("/staff")
        token = hidden(home.text)["csrf_token"]
        refused = await client.post("/signout", data={"csrf_token": "not-the-token"})
        assert refused.status_code == 403
        assert "Biểu mẫu đã hết hiệu lực" in refused.text
        # Sent from another site, even with the token (which that site could not know anyway).
        elsewhere = await client.post(
            "/signout", data={"csrf_token": token}, headers={"Origin": "https://evil.example"}
        )
        assert elsewhere.status_code == 403
        assert (await client.get("/staff")).status_code == 200

        out = await client.post("/signout", data={"csrf_token": token})
        assert out.status_code == 303 and out.headers["location"] == "/signin?signed_out=1"
        again = await client.get("/staff")
        assert again.status_code == 303
        assert again.headers["location"] == "/signin?next=/staff"
        assert "Bạn đã đăng xuất." in (await client.get("/signin?signed_out=1")).text


async def test_a_cookie_planted_before_sign_in_is_never_the_session(db_url: str, redis_url: str) -> None:
    async with serving(db_url, redis_url) as app, browser(app) as client:
        await (await _accounts(app)).add(
            "binh.tv", name="Trần Văn Bình", roles=[Role.REVIEWER], unit_id=None, password=PASSWORD
        )
        client.cookies.set("exemplars_session", "planted-by-someone-else")
        answer = await signed_in(client, "binh.tv", PASSWORD)
        issued = set_cookie(answer, "exemplars_session").value
        assert issued != "planted-by-someone-else" and len(issued) >= 43
        store: SessionStore = app.state.sessions
        assert await store.get("planted-by-someone-else") is None
        assert (await store.get(issued)) is not None


async def test_a_session_ends_when_idle_and_in_any_case_after_its_lifetime(redis_client: Redis) -> None:
    store = SessionStore(redis_client, idle_seconds=1, absolute_seconds=3600)
    who = Principal(subject="binh.tv", role=Role.REVIEWER, unit=None, name="Trần Văn Bình")
    value, session = await store.create(who, via="local")
    assert (await store.get(value)) == session
    await asyncio.sleep(0.6)
    assert await store.get(value) is not None  # a request restarts the idle time…
    await asyncio.sleep(0.6)
    assert await store.get(value) is not None
    await asyncio.sleep(1.3)
    assert await store.get(value) is None  # …and none for longer than it ends it

    lasting = SessionStore(redis_client, idle_seconds=3600, absolute_seconds=60)
    value, session = await lasting.create(who, via="local")
    assert await lasting.get(value, now=session.created + 59) is not None
    assert await lasting.get(value, now=session.created + 61) is None
    assert await lasting.get("made-up") is None and await lasting.get(None) is None


def test_disabling_an_account_signs_it_out_everywhere(
    tmp_path: Path, redis_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database = f"sqlite:///{tmp_path}/staff.db"
    upgrade(MIGRATIONS, database)
    for name, value in (("DATABASE_URL", database), ("REDIS_URL", redis_url), ("AUTH_SECRET", TEST_SECRET)):
        monkeypatch.setenv(name, value)
    password = tmp_path / "password"
    password.write_text(PASSWORD, encoding="utf-8")
    staff = ServiceCommand.named("staff").main
    assert (
        staff(
            [
                "accounts",
                "add",
                "binh.tv",
                "--name",
                "Trần Văn Bình",
                "--role",
                "reviewer",
                "--password-file",
                str(password),
            ]
        )
        == 0
    )
    who = Principal(subject="binh.tv", role=Role.REVIEWER, unit=None, name="Trần Văn Bình")

    async def sessions(make: int) -> list[str]:
        client = Redis.from_url(redis_url)
        store = SessionStore(client, idle_seconds=600, absolute_seconds=3600)
        made = [(await store.create(who, via="local"))[0] for _ in range(make)]
        still = [v for v in made if await store.get(v) is not None]
        await client.aclose()
        return still

    opened = asyncio.run(sessions(2))  # at the office and on a phone
    assert len(opened) == 2
    assert staff(["accounts", "disable", "binh.tv"]) == 0
    assert "2 open sessions ended" in capsys.readouterr().out

    async def open_now() -> list[str]:
        client = Redis.from_url(redis_url)
        store = SessionStore(client, idle_seconds=600, absolute_seconds=3600)
        found = [v for v in opened if await store.get(v) is not None]
        await client.aclose()
        return found

    assert asyncio.run(open_now()) == []
