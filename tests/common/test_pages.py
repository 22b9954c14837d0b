"""Every service's staff pages compile before anyone opens them (a serving process warms them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from awards.bootstrap import TEMPLATES as AWARDS
from common.web.pages import Pages
from nomination.bootstrap import TEMPLATES as NOMINATION
from publishing.bootstrap import STAFF_TEMPLATES as PUBLISHING
from review.bootstrap import TEMPLATES as REVIEW
from staff.bootstrap import TEMPLATES as STAFF


@pytest.mark.parametrize("templates", [NOMINATION, REVIEW, AWARDS, PUBLISHING, STAFF], ids=lambda p: p.parts[-3] if p.name == "staff" else p.parts[-2])
def test_every_template_of_a_service_compiles(templates: Path) -> None:
    pages = Pages(templates=templates, prefixes=("/staff/",), sessions=None, session_cookie="s", agency="UBND")  # type: ignore[arg-type]
    own = {p.name for p in templates.glob("*.html")}
    assert pages.warm() >= len(own) + 3  # the service's own and the shared layout, components, error page
