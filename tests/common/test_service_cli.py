"""A service's command line, as an operator runs it: ``nomination jobs list | retry``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, insert, select

from common.db import sync_url
from common.jobs import JobState
from nomination.__main__ import main
from nomination.adapters.orm import messaging
from tests.conftest import TEST_SECRET


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'nomination.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("AUTH_SECRET", TEST_SECRET)
    assert main(["migrate"]) == 0
    now = datetime.now(UTC)
    row = {"attempts": 8, "max_attempts": 8, "run_after": now, "created_at": now, "updated_at": now, "payload": "{}"}
    engine = create_engine(sync_url(url))
    with engine.begin() as connection:
        connection.execute(
            insert(messaging.jobs),
            [
                {**row, "kind": "radio", "key": "story-1", "state": "failed", "last_error": "TimeoutError: no answer"},
                {**row, "kind": "radio", "key": "story-2", "state": "done", "last_error": None},
            ],
        )
    engine.dispose()
    return url


def states(url: str) -> dict[str, tuple[str, int]]:
    engine = create_engine(sync_url(url))
    with engine.connect() as connection:
        rows = connection.execute(select(messaging.jobs)).all()
    engine.dispose()
    return {row.key: (row.state, row.attempts) for row in rows}


def test_failed_jobs_are_listed_with_their_error_and_sent_back(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["jobs", "list", "--state", "failed"]) == 0
    listing = capsys.readouterr().out
    assert "radio" in listing and "story-1" in listing and "TimeoutError: no answer" in listing
    assert "story-2" not in listing and listing.rstrip().endswith("1 jobs")
    assert main(["jobs", "retry", "--all-failed"]) == 0
    assert "sent back: 1" in capsys.readouterr().out
    assert states(database) == {"story-1": (JobState.PENDING, 0), "story-2": (JobState.DONE, 8)}


def test_retrying_a_job_that_has_not_failed_says_so(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["jobs", "retry", "2"]) == 1  # story-2 is done: nothing to send back
    assert "sent back: 0" in capsys.readouterr().out
    assert states(database)["story-2"] == (JobState.DONE, 8)


def test_retry_needs_ids_or_all_failed(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["jobs", "retry"])
    assert exit_.value.code == 2
    assert "give job ids or --all-failed" in capsys.readouterr().err
