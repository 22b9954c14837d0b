"""Every service's staff pages compile before anyone opens them (a serving process warms them)."""

from __future__ import annotations

from typing import Any

import pytest

from awards.bootstrap import TEMPLATES as AWARDS
from common.web.pages import Pages
from nomination.bootstrap import TEMPLATES as NOMINATION
from publishing.bootstrap import STAFF_TEMPLATES as PUBLISHING
from review.bootstrap import TEMPLATES as REVIEW
from staff.bootstrap import TEMPLATES as STAFF

FOLDERS = {"nomination": NOMINATION, "review": REVIEW, "awards": AWARDS, "publishing": PUBLISHING, "staff": STAFF}


@pytest.mark.parametrize("service", list(FOLDERS))
def test_every_template_of_a_service_compiles(service: str) -> None:
    templates = FOLDERS[service]
    sessions: Any = None  # compiling needs no session store
    pages = Pages(templates=templates, prefixes=("/staff/",), sessions=sessions, session_cookie="s", agency="UBND")
    own = {p.name for p in templates.glob("*.html")}
    assert pages.warm() >= len(own) + 3  # the service's own and the shared layout, components, error page
