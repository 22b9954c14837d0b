"""Fixtures of the nomination tests: a state folder with unit keys, a migrated database, the intake processor."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from common.consumer import EntryHandler
from common.db import Database
from common.events import NominationSubmitted
from common.organisation import load_organisation
from exemplars_tools.cli import setup_state
from exemplars_tools.state import StateFolder
from nomination.config import MIGRATIONS
from tests.helpers import migrated_database
from tests.nomination.support import processors


@pytest.fixture
def state(tmp_path: Path) -> Path:
    setup_state(tmp_path / "state")
    return tmp_path / "state"


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    async with migrated_database(MIGRATIONS, db_url) as database:
        yield database


@pytest.fixture
def intake(db: Database, state: Path) -> EntryHandler:
    return processors(db, load_organisation(StateFolder(state).organisation))[NominationSubmitted.STREAM]
