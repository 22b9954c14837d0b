"""Waiting in a browser for what another service does: it arrives by event, not at once."""

from __future__ import annotations

from playwright.sync_api import Page

__all__ = ["reload_until"]


def reload_until(page: Page, text: str, tries: int = 75) -> None:
    """Reload ``page`` until its main part shows ``text`` (each page reads its own service's data)."""
    for _ in range(tries):
        if text in page.locator("main").inner_text():
            return
        page.wait_for_timeout(200)
        page.reload()
    raise AssertionError(f"{text!r} did not appear on {page.url}")
