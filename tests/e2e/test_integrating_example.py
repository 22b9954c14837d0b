"""The copy-paste example in docs/integrating.md posts a nomination the service accepts."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from common.auth import Role
from tests.e2e.stack import Driver, wait_for

pytestmark = pytest.mark.e2e

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "examples" / "post-nomination.sh"


def test_documented_shell_example_is_accepted(driver: Driver) -> None:
    unit = "xa-vinh-lai"
    env = {
        **os.environ,
        "UNIT": unit,
        "KEY": str(driver.stack.state / "unit-keys" / f"{unit}.pem"),
        "REDIS_URL": driver.stack.redis_url,
    }
    result = subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    event_id = result.stdout.strip()
    clerk = driver.token(Role.CLERK, unit)
    status = wait_for(lambda: driver.submission_status(event_id, clerk), what="the example's submission taken in")
    assert status["state"] == "accepted"
    assert status["nomination"]["nominee"]["name"] == "Nguyễn Thị Lan"
    assert driver.dead_letter_count() == 0
