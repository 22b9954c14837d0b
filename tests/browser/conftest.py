"""A fresh system behind its one address for each browser test, and one Chromium per test module.

Module-scoped, not session-scoped: Playwright's synchronous API runs an event loop of its own in
the main thread while it is started, and every asyncio test after it would find a loop running.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

from tests.browser.site import Site, chromium, running_site


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    with chromium(playwright) as launched:
        yield launched


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    with running_site(tmp_path / "state") as running:
        yield running
