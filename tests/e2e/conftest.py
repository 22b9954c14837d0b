"""The four services as separate processes, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from exemplars_tools.devrun import SERVICES
from tests.conftest import DatabaseFactory
from tests.e2e.stack import Driver, make_stack
from tests.servers import free_port


@pytest.fixture
def driver(databases: DatabaseFactory, redis_url: str, tmp_path: Path) -> Iterator[Driver]:
    urls = {} if databases.kind == "sqlite" else {name: databases.new(name) for name in SERVICES}
    stack = make_stack(tmp_path / "state", redis_url, urls, {name: free_port() for name in SERVICES})
    with stack.running():
        d = Driver(stack)
        try:
            yield d
        finally:
            d.close()
