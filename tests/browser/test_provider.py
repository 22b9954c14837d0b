"""Signing in and out at the operator's OpenID Connect provider (a real provider process) in a real
browser, under the pages' own Content-Security-Policy: the sign-out must take the browser to the
provider's end-session page although the sign-out form may only post to this site, and back."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Route, expect

from tests.browser.site import Site, running_site
from tests.standins.oidc import oidc_provider

USERS = [{"sub": "binh", "name": "Trần Văn Bình", "roles": ["reviewer"]}]


@pytest.fixture
def provider_site(tmp_path: Path) -> Iterator[tuple[Site, str]]:
    with oidc_provider(USERS, tmp_path / "provider.log") as issuer:
        settings = {"OIDC_ISSUER": issuer, "OIDC_CLIENT_ID": "exemplars", "OIDC_CLIENT_SECRET": "client-secret-x"}
        with running_site(tmp_path / "state", settings) as site:
            yield site, issuer


def _offline(route: Route) -> None:
    route.abort()  # the test provider's pages ask a CDN for their styles; no test reaches out


def test_a_reviewer_signs_in_and_out_at_the_provider(provider_site: tuple[Site, str], browser: Browser) -> None:
    site, issuer = provider_site
    # No bypass of the pages' policy here, unlike the other browser tests: it is what is tested.
    context = browser.new_context(base_url=site.url, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), _offline)
    page = context.new_page()
    try:
        page.goto("/staff/review/")
        page.get_by_role("link", name="Đăng nhập bằng tài khoản dùng chung của tỉnh").click()
        expect(page).to_have_url(re.compile("^" + re.escape(f"{issuer}/oauth2/authorize")))
        page.locator("input[name=sub]").fill("binh")
        page.get_by_role("button", name="Authorize").click()
        expect(page).to_have_url(f"{site.url}/staff/review/")
        expect(page.locator(".who-name")).to_have_text("Trần Văn Bình")

        page.get_by_role("button", name="Đăng xuất").click()
        expect(page).to_have_url(re.compile("^" + re.escape(f"{issuer}/oauth2/end_session?")))
        assert "id_token_hint=" in page.url and "client_id=exemplars" in page.url
        page.get_by_role("button", name="End session").click()
        expect(page).to_have_url(f"{site.url}/signin?signed_out=1")
        expect(page.get_by_text("Bạn đã đăng xuất.")).to_be_visible()

        page.goto("/staff/review/")
        expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    finally:
        context.close()
