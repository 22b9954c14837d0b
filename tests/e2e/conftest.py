"""The four services as separate processes, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from exemplars_tools.devrun import SERVICES
from tests.conftest import DatabaseFactory
from tests.e2e.stack import PAGES_ONLY, Driver, driving

# Tests about delivery follow each exemplar to its StoryPublished: the office lets stories reach its
# own site without an editor (the path test plays the editor).
STORIES_OUT = "web,feeds"


@pytest.fixture
def driver(databases: DatabaseFactory, tmp_path: Path) -> Iterator[Driver]:
    urls = (
        {} if databases.kind == "sqlite" else {name: databases.new(name) for name in SERVICES if name not in PAGES_ONLY}
    )
    with driving(tmp_path / "state", urls) as d:
        yield d


@pytest.fixture
def replicated(databases: DatabaseFactory, tmp_path: Path) -> Iterator[Driver]:
    """The four services, two processes each, sharing each service's database and groups."""
    urls = (
        {} if databases.kind == "sqlite" else {name: databases.new(name) for name in SERVICES if name not in PAGES_ONLY}
    )
    with driving(tmp_path / "state", urls, replicas=2, auto_approve=STORIES_OUT) as d:
        yield d
