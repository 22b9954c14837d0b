"""Each service's migrations build exactly the schema its tables declare, on both databases."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from common import registry
from common.db import sync_url
from common.migrations import upgrade

SERVICES = [entry.name for entry in registry.SERVICES]


@pytest.mark.parametrize("service", SERVICES)
def test_migrations_match_the_tables(service: str, db_url: str) -> None:
    migrations = Path(import_module(f"{service}.config").MIGRATIONS)
    metadata = import_module(f"{service}.adapters.orm").metadata
    upgrade(migrations, db_url)
    engine = create_engine(sync_url(db_url))
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    engine.dispose()
    assert diff == []
