"""The whole system behind its one address, for a browser: the services as processes, nginx in front
(``make run``'s own way of starting them), accounts made with the operator's command, and a
Chromium driven by Playwright (Debian's, never a downloaded one)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page, Playwright, ViewportSize, expect

from common.registry import SERVICES
from common.wire import ORIGINAL, dead_letter_stream
from exemplars_tools.devrun import LocalStack
from tests.e2e.stack import Driver, make_stack
from tests.servers import free_port

__all__ = [
    "CHROMIUM",
    "PASSWORD",
    "STAFF",
    "Site",
    "chromium",
    "context_for",
    "plant_dead_letter",
    "running_site",
    "sign_in",
]

PASSWORD = "đồng lúa chín vàng bên sông Lô"
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# Headless, and nothing that reaches for the internet (closed here; and never wanted).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# One account for each role, as the tests and the screenshots sign in with them.
STAFF: tuple[tuple[str, str, list[str], str | None], ...] = (
    ("hoa.nt", "Nguyễn Thị Hoa", ["clerk"], "xa-ban-nguyen"),
    ("binh.tv", "Trần Văn Bình", ["reviewer"], None),
    ("lan.pt", "Phạm Thị Lan", ["officer"], None),
    ("quang.lv", "Lê Văn Quang", ["signer"], None),
    ("thu.nm", "Ngô Minh Thu", ["editor"], None),
    ("tam.dv", "Đỗ Văn Tâm", ["operator"], None),
)
PHONE: ViewportSize = {"width": 360, "height": 780}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}


@dataclass
class Site:
    stack: LocalStack

    @property
    def url(self) -> str:
        assert self.stack.proxy is not None
        return self.stack.proxy.url

    def account(self, username: str, name: str, *roles: str, unit: str | None = None) -> None:
        """An account made as the operator makes one (``staff accounts add``)."""
        self.accounts((username, name, list(roles), unit))

    def accounts(self, *wanted: tuple[str, str, list[str], str | None]) -> None:
        """Several accounts (username, name, roles, unit), each made with the operator's command, at once."""
        password_file = self.stack.state / "test.password"
        password_file.write_text(PASSWORD, encoding="utf-8")
        env = dict(self.stack.services["staff"].env)
        running = []
        for username, name, roles, unit in wanted:
            command = [sys.executable, "-m", "staff", "accounts", "add", username, "--name", name]
            command += [arg for role in roles for arg in ("--role", role)]
            command += ["--unit", unit] if unit else []
            command += ["--password-file", str(password_file)]
            running.append(subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT))
        for process in running:
            out, _ = process.communicate()
            assert process.returncode == 0, out.decode()


@contextlib.contextmanager
def running_site(state: Path, env: Mapping[str, str] | None = None) -> Iterator[Site]:
    """The system behind its proxy; ``env``: settings of the services beside make_stack's own."""
    ports = {entry.name: free_port() for entry in SERVICES}
    stack = make_stack(state, {}, ports, proxy_port=0)
    stack.extra_env.update(env or {})
    with stack.running():
        yield Site(stack)


@contextlib.contextmanager
def chromium(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        yield browser
    finally:
        browser.close()


def context_for(browser: Browser, site: Site, *, phone: bool = False) -> BrowserContext:
    # bypass_csp: axe-core is put in the page by the test; the pages' policy lets in no other script.
    return browser.new_context(
        base_url=site.url,
        viewport=PHONE if phone else DESKTOP,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
        bypass_csp=True,
    )


def sign_in(page: Page, username: str, *, then: str = "/staff") -> None:
    """Through the sign-in form, as a person does (it sends them on to ``then``)."""
    page.goto(f"/signin?next={then}")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()


def plant_dead_letter(site: Site, unit: str, n: int) -> uuid.UUID:
    """A unit's signed submission that nomination once refused (its key not yet known, say), as a
    dead letter; the submission's event id."""
    driver = Driver(site.stack)
    try:
        event_id, fields = driver.signed_entry(unit, n)
        driver.redis.xadd(
            dead_letter_stream("nomination.submissions"),
            {
                "stream": "nomination.submissions",
                "group": "nomination",
                "reason_code": "unknown-key",
                "reason": f"no unit has a key with kid '{unit}'",
                "entry_id": "1-0",
                "delivery_count": "1",
                "dead_at": datetime.now(UTC).isoformat(),
                **{f"{ORIGINAL}{k!s}": v for k, v in fields.items()},
            },
        )
        return event_id
    finally:
        driver.close()
