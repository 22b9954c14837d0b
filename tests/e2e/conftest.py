"""The four services as separate processes, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from exemplars_tools.devrun import SERVICES
from tests.conftest import DatabaseFactory
from tests.e2e.stack import Driver, driving


@pytest.fixture
def driver(databases: DatabaseFactory, tmp_path: Path) -> Iterator[Driver]:
    urls = {} if databases.kind == "sqlite" else {name: databases.new(name) for name in SERVICES}
    with driving(tmp_path / "state", urls) as d:
        yield d


@pytest.fixture
def replicated(databases: DatabaseFactory, tmp_path: Path) -> Iterator[Driver]:
    """The four services, two processes each, sharing each service's database and groups."""
    urls = {} if databases.kind == "sqlite" else {name: databases.new(name) for name in SERVICES}
    with driving(tmp_path / "state", urls, replicas=2) as d:
        yield d
