"""The copy-paste examples in docs/integrating.md: post a nomination as the unit, follow its outcomes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from common.auth import Role
from tests.e2e.stack import Driver, wait_for

pytestmark = pytest.mark.e2e

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def test_documented_examples_post_as_the_unit_and_follow_its_outcomes(driver: Driver) -> None:
    unit = "xa-xuan-lung"
    folder = driver.stack.folder
    env = {
        **os.environ,
        "UNIT": unit,
        "KEY": str(folder.unit_key(unit)),
        "REDIS_URL": driver.server.url,
        "REDIS_PASSWORD_FILE": str(folder.unit_redis_password(unit)),
        "WAIT_MS": "300",
    }
    posted = subprocess.run(
        ["bash", str(EXAMPLES / "post-nomination.sh")], env=env, capture_output=True, text=True, check=False
    )
    assert posted.returncode == 0, posted.stderr
    event_id = posted.stdout.strip()
    clerk = driver.token(Role.CLERK, unit)
    status = wait_for(lambda: driver.submission_status(event_id, clerk), what="the example's submission taken in")
    assert status["state"] == "accepted"
    assert status["nomination"]["nominee"]["name"] == "Nguyễn Thị Lan"
    nomination_id = status["nomination"]["nomination_id"]
    reviewer = driver.token(Role.REVIEWER)
    wait_for(
        lambda: driver.post("review", f"/reviews/{nomination_id}/approve", {}, reviewer).status_code == 200,
        what="the case opened in review and approved",
    )

    def outcomes() -> list[list[str]] | None:
        follow = subprocess.run(
            [sys.executable, str(EXAMPLES / "follow_outcomes.py")], env=env, capture_output=True, text=True, check=True
        )
        lines = [line.split() for line in follow.stdout.splitlines()]
        return lines if len(lines) >= 2 else None

    lines = wait_for(outcomes, what="accepted, then approved, on the unit's stream")
    assert [(line[1], line[2], line[3]) for line in lines] == [
        (event_id, "accepted", nomination_id),
        (event_id, "approved", nomination_id),
    ]
    assert driver.dead_letter_count() == 0
