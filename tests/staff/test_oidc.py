"""Signing in at the operator's OpenID Connect provider (a real provider process): authorization
code with PKCE, the ID token checked, roles and unit mapped from the provider's claims."""

from __future__ import annotations

import base64
import contextlib
import html
import json
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from pydantic import SecretStr

from common.auth import Role
from common.errors import Unprocessable
from common.web.sessions import SessionStore
from staff.adapters.oidc import OidcClient
from staff.domain.claims import ClaimMapping, parse_role_map
from staff.service.accounts import Accounts
from tests.staff.support import browser, hidden, serving, set_cookie, signed_in
from tests.standins.oidc import oidc_provider

PASSWORD = "đồng lúa chín vàng bên sông Lô"
_REFRESH = re.compile(r'<meta http-equiv="refresh" content="0;url=([^"]+)">')

USERS = [
    {"sub": "binh", "name": "Trần Văn Bình", "roles": ["reviewer"]},
    {"sub": "lan", "name": "Phạm Thị Lan", "groups": ["tdkt-can-bo", "tdkt-ky"]},
    {"sub": "hoa", "name": "Nguyễn Thị Hoa", "roles": ["clerk"], "unit": "xa-ban-nguyen"},
    {"sub": "nam", "name": "Đỗ Văn Nam", "roles": ["clerk"], "unit": "khong-co-don-vi-nay"},
    {"sub": "khach", "name": "Khách", "roles": ["visitor"]},
]


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with oidc_provider(USERS, tmp_path_factory.mktemp("oidc") / "provider.log") as url:
        yield url


def _client(issuer: str) -> dict[str, object]:
    """This system as a confidential client of the provider (a server-side application)."""
    return {"oidc_issuer": issuer, "oidc_client_id": "exemplars", "oidc_client_secret": SecretStr("client-secret-x")}


async def _sign_in_as(client: httpx.AsyncClient, subject: str, next_path: str = "/staff/review/") -> httpx.Response:
    """What the person's browser does: to the provider, who they are there, back with the code."""
    start = await client.get("/signin/provider", params={"next": next_path})
    assert start.status_code == 303
    authorize = start.headers["location"]
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert query["redirect_uri"] == ["https://localhost/signin/callback"]
    async with httpx.AsyncClient() as provider:
        assert (await provider.get(authorize)).status_code == 200
        chosen = await provider.post(authorize, data={"sub": subject})
    assert chosen.status_code == 302, chosen.text
    back = urlsplit(chosen.headers["location"])
    return await client.get(f"{back.path}?{back.query}")


async def test_a_reviewer_signs_in_at_the_provider(issuer: str, redis_url: str, tmp_path: Path) -> None:
    async with serving(f"sqlite:///{tmp_path}/staff.db", redis_url, **_client(issuer)) as app, browser(app) as client:
        page = await client.get("/signin")
        assert "Đăng nhập bằng tài khoản dùng chung của tỉnh" in page.text
        answer = await _sign_in_as(client, "binh")
        assert answer.status_code == 303, answer.text
        assert answer.headers["location"] == "/staff/review/"
        session = await SessionStore(app.state.runtime.redis, idle_seconds=60, absolute_seconds=60).get(
            set_cookie(answer, "exemplars_session").value
        )
        assert session is not None
        assert session.principal.roles == {Role.REVIEWER}
        assert session.principal.name == "Trần Văn Bình" and session.via == issuer
        assert "Xin chào, Trần Văn Bình" in (await client.get("/staff")).text


async def test_the_provider_s_role_names_are_mapped(issuer: str, redis_url: str, tmp_path: Path) -> None:
    settings = {"oidc_roles_claim": "groups", "oidc_role_map": "tdkt-can-bo=officer, tdkt-ky=signer"}
    async with (
        serving(f"sqlite:///{tmp_path}/staff.db", redis_url, **_client(issuer), **settings) as app,
        browser(app) as client,
    ):
        answer = await _sign_in_as(client, "lan", next_path="/staff/awards/")
        assert answer.headers["location"] == "/staff/awards/"
        home = await client.get("/staff")
        assert "Cán bộ thi đua – khen thưởng, Người ký quyết định" in home.text


@pytest.mark.parametrize(
    ("subject", "message"),
    [
        ("khach", "chưa được giao vai trò nào"),
        ("nam", "chưa gắn với một đơn vị có trong danh sách"),
    ],
)
async def test_a_person_without_a_role_or_unit_here_is_refused(
    issuer: str, redis_url: str, tmp_path: Path, subject: str, message: str
) -> None:
    async with serving(f"sqlite:///{tmp_path}/staff.db", redis_url, **_client(issuer)) as app, browser(app) as client:
        answer = await _sign_in_as(client, subject)
        assert answer.status_code == 400
        assert message in answer.text
        assert "exemplars_session" not in answer.headers.get("set-cookie", "")


async def test_a_clerk_from_the_provider_acts_for_their_unit(issuer: str, redis_url: str, tmp_path: Path) -> None:
    async with serving(f"sqlite:///{tmp_path}/staff.db", redis_url, **_client(issuer)) as app, browser(app) as client:
        answer = await _sign_in_as(client, "hoa", next_path="/staff/nominations/")
        assert answer.status_code == 303
        home = await client.get("/staff")
        assert "Đơn vị: " in home.text and "Bản Nguyên" in home.text


async def test_an_answer_this_browser_did_not_ask_for_is_refused(issuer: str, redis_url: str, tmp_path: Path) -> None:
    async with (
        serving(f"sqlite:///{tmp_path}/staff.db", redis_url, **_client(issuer)) as app,
        browser(app) as victim,
        browser(app) as attacker,
    ):
        # The attacker starts a sign-in as themselves and gets the victim's browser to finish it.
        start = await attacker.get("/signin/provider")
        authorize = start.headers["location"]
        async with httpx.AsyncClient() as provider:
            chosen = await provider.post(authorize, data={"sub": "binh"})
        back = urlsplit(chosen.headers["location"])
        answer = await victim.get(f"{back.path}?{back.query}")
        assert answer.status_code == 400
        assert "Lượt đăng nhập đã hết hạn hoặc không hợp lệ" in answer.text
        # Nor can the same answer be used twice.
        first = await attacker.get(f"{back.path}?{back.query}")
        assert first.status_code == 303
        again = await attacker.get(f"{back.path}?{back.query}")
        assert again.status_code == 400


async def test_the_provider_declining_is_said_in_vietnamese(issuer: str, redis_url: str, tmp_path: Path) -> None:
    async with serving(f"sqlite:///{tmp_path}/staff.db", redis_url, **_client(issuer)) as app, browser(app) as client:
        start = await client.get("/signin/provider")
        async with httpx.AsyncClient() as provider:
            denied = await provider.post(start.headers["location"], data={"action": "deny"})
        back = urlsplit(denied.headers["location"])
        answer = await client.get(f"{back.path}?{back.query}")
        assert answer.status_code == 400
        assert "Nhà cung cấp đăng nhập đã từ chối lượt đăng nhập." in answer.text


def test_a_role_map_names_roles_of_this_system_only() -> None:
    assert parse_role_map("a=reviewer, b = signer") == {"a": Role.REVIEWER, "b": Role.SIGNER}
    with pytest.raises(ValueError, match="not a role"):
        parse_role_map("a=admin")
    with pytest.raises(ValueError, match="is not <provider role>=<role>"):
        parse_role_map("reviewer")


def test_roles_are_read_where_the_provider_puts_them() -> None:
    keycloak = ClaimMapping(roles_claim="realm_access.roles")
    claims = {"sub": "x", "name": "Lò Văn Páo", "realm_access": {"roles": ["offline_access", "editor"]}}
    who = keycloak.principal(claims, lambda unit: False)
    assert who.roles == {Role.EDITOR} and who.name == "Lò Văn Páo"


def _claims_of(token: str) -> dict[str, object]:
    """The claims of a JWT, unchecked (the provider signed it; the test reads what it names)."""
    payload = token.split(".")[1]
    claims: dict[str, object] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return claims


def _forwarded_to(page: httpx.Response) -> str:
    """The address the signing-out page sends the browser on to (refresh, and a link)."""
    assert page.status_code == 200, page.text
    found = _REFRESH.search(page.text)
    assert found is not None, page.text
    address = html.unescape(found.group(1))
    assert f'href="{html.escape(address)}"' in page.text  # a link too, should the refresh not happen
    return address


async def _csrf(client: httpx.AsyncClient) -> str:
    return hidden((await client.get("/staff")).text)["csrf_token"]


async def test_signing_out_ends_the_session_at_the_provider_too(issuer: str, redis_url: str, tmp_path: Path) -> None:
    async with serving(f"sqlite:///{tmp_path}/staff.db", redis_url, **_client(issuer)) as app, browser(app) as client:
        await _sign_in_as(client, "binh")
        out = await client.post("/signout", data={"csrf_token": await _csrf(client)})
        # A page of this site sends the browser on (the sign-out form may not leave the site).
        assert "Bạn đã đăng xuất khỏi hệ thống" in out.text
        assert "Trần Văn Bình" not in out.text and 'action="/signout"' not in out.text  # no longer theirs
        assert set_cookie(out, "exemplars_session").value == ""
        address = _forwarded_to(out)
        assert address.startswith(f"{issuer}/oauth2/end_session?")
        query = parse_qs(urlsplit(address).query)
        assert query["client_id"] == ["exemplars"]
        assert query["post_logout_redirect_uri"] == ["https://localhost/signin/signed-out"]
        assert _claims_of(query["id_token_hint"][0])["sub"] == "binh"
        assert (await client.get("/staff")).status_code == 303  # the session here is gone already
        assert [key async for key in app.state.runtime.redis.scan_iter("signin:id-token:*")] == []

        async with httpx.AsyncClient() as provider:
            assert (await provider.get(address)).status_code == 200
            ended = await provider.post(
                f"{issuer}/oauth2/end_session/confirm", data={"redirect_uri": query["post_logout_redirect_uri"][0]}
            )
        assert ended.status_code == 302
        back = urlsplit(ended.headers["location"])
        landed = await client.get(back.path)
        assert landed.status_code == 303 and landed.headers["location"] == "/signin?signed_out=1"
        assert "Bạn đã đăng xuất." in (await client.get(landed.headers["location"])).text


async def test_a_session_ended_here_for_idleness_is_still_ended_at_the_provider(
    issuer: str, redis_url: str, tmp_path: Path
) -> None:
    async with serving(f"sqlite:///{tmp_path}/staff.db", redis_url, **_client(issuer)) as app, browser(app) as client:
        await _sign_in_as(client, "binh")
        await app.state.sessions.delete(client.cookies["exemplars_session"])  # idle too long
        # The page still shows the button; the form's token died with the session.
        out = await client.post("/signout", data={"csrf_token": "of-a-session-gone"})
        query = parse_qs(urlsplit(_forwarded_to(out)).query)
        assert _claims_of(query["id_token_hint"][0])["sub"] == "binh"
        # Another site's form is refused, whatever the browser holds.
        await _sign_in_as(client, "binh")
        await app.state.sessions.delete(client.cookies["exemplars_session"])
        forged = await client.post("/signout", headers={"Origin": "https://evil.example"})
        assert forged.status_code == 403


async def test_a_local_account_signs_out_here_only_beside_a_provider(
    issuer: str, redis_url: str, tmp_path: Path
) -> None:
    async with serving(f"sqlite:///{tmp_path}/staff.db", redis_url, **_client(issuer)) as app, browser(app) as client:
        accounts: Accounts = app.state.accounts
        await accounts.add("binh.tv", name="Trần Văn Bình", roles=[Role.REVIEWER], unit_id=None, password=PASSWORD)
        assert (await signed_in(client, "binh.tv", PASSWORD)).status_code == 303
        out = await client.post("/signout", data={"csrf_token": await _csrf(client)})
        assert out.status_code == 303 and out.headers["location"] == "/signin?signed_out=1"


async def test_signing_out_stays_here_when_the_operator_says_so(issuer: str, redis_url: str, tmp_path: Path) -> None:
    settings = {**_client(issuer), "oidc_sign_out_at_provider": False}
    async with serving(f"sqlite:///{tmp_path}/staff.db", redis_url, **settings) as app, browser(app) as client:
        await _sign_in_as(client, "binh")
        out = await client.post("/signout", data={"csrf_token": await _csrf(client)})
        assert out.status_code == 303 and out.headers["location"] == "/signin?signed_out=1"
        assert (await client.get("/staff")).status_code == 303
        assert [key async for key in app.state.runtime.redis.scan_iter("signin:id-token:*")] == []


async def test_signing_out_while_the_provider_is_away_ends_the_session_here_and_says_so(
    redis_url: str, tmp_path: Path
) -> None:
    database = f"sqlite:///{tmp_path}/staff.db"
    with oidc_provider(USERS, tmp_path / "provider.log") as issuer:
        async with serving(database, redis_url, **_client(issuer)) as first, browser(first) as client:
            await _sign_in_as(client, "binh")
            csrf = await _csrf(client)
            cookies = client.cookies
    # The provider is gone; the sign-in service started again since (it knows nothing of it yet).
    async with serving(database, redis_url, **_client(issuer)) as again, browser(again) as client:
        client.cookies = cookies
        out = await client.post("/signout", data={"csrf_token": csrf})
        assert out.status_code == 303 and out.headers["location"] == "/signin?signed_out=here-only"
        assert set_cookie(out, "exemplars_session").value == ""
        assert (await client.get("/staff")).status_code == 303
        page = await client.get(out.headers["location"])
        assert "chưa kết thúc được phiên của tài khoản dùng chung" in page.text
        assert "xin đóng hẳn trình duyệt" in page.text and "banner-attention" in page.text


@contextlib.asynccontextmanager
async def _described(issuer: str, extra: dict[str, object]) -> AsyncIterator[OidcClient]:
    """A client of a provider whose discovery document is the usual one with ``extra`` (a unit test of
    how the client reads it: the stand-in answers every address with that document)."""
    document = {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/auth",
        "token_endpoint": f"{issuer}/token",
        "jwks_uri": f"{issuer}/keys",
    } | extra
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=document))
    async with httpx.AsyncClient(transport=transport) as http:
        yield OidcClient(issuer=issuer, client_id="exemplars", client_secret=None, scopes="openid", http=http)


@pytest.mark.parametrize(
    ("endpoint", "issuer"),
    [
        (None, "https://sso.example"),
        ("javascript:alert(1)", "https://sso.example"),
        ("http://sso.example/logout", "https://sso.example"),  # a secure provider sends no one to plain HTTP
        (["https://sso.example/logout"], "https://sso.example"),
    ],
)
async def test_a_provider_that_offers_no_usable_end_is_said_to(endpoint: object, issuer: str) -> None:
    async with _described(issuer, {} if endpoint is None else {"end_session_endpoint": endpoint}) as client:
        with pytest.raises(Unprocessable) as refused:
            await client.sign_out_address("a.b.c", "https://site.example/signin/signed-out")
    assert refused.value.code == "no-end-session"


async def test_the_end_session_address_keeps_the_provider_s_own_query() -> None:
    issuer = "https://sso.example/realms/tinh"
    async with _described(issuer, {"end_session_endpoint": f"{issuer}/logout?tenant=pt"}) as client:
        address = await client.sign_out_address(None, "https://site.example/signin/signed-out")
    parts = urlsplit(address)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{issuer}/logout"
    query = parse_qs(parts.query)
    assert query["tenant"] == ["pt"] and query["client_id"] == ["exemplars"] and "id_token_hint" not in query
