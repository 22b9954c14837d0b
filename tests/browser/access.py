"""What a browser test checks on every page: axe-core finds no serious or critical violation of
WCAG 2.1 A and AA, nothing is wider than a 360-pixel phone, and focus is visible."""

from __future__ import annotations

from pathlib import Path

import axe_playwright_python  # type: ignore[import-untyped]  # only its copy of axe-core is used
from playwright.sync_api import Page

__all__ = ["AXE", "overflows", "serious_violations"]

AXE = Path(axe_playwright_python.__file__).resolve().parent / "axe.min.js"
_RUN = """async () => {
  const tags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                      nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
}"""


def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings on the page as it stands (the context must bypass
    the pages' Content-Security-Policy, which lets no script in but the site's own)."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found = page.evaluate(_RUN)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {', '.join(v['nodes'])}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


def overflows(page: Page) -> int:
    """How many pixels the page is wider than its window (0 when it fits)."""
    return int(page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth"))
