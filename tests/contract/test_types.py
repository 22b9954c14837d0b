"""The lint's mypy follows types across packages: misusing what ``common`` returns is an error.

The check runs mypy as ``make lint`` does, with the repository's configuration, on a small module
of its own; a second, correct module must pass, so the first cannot fail for some other reason.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from mypy import api

REPOSITORY = Path(__file__).resolve().parents[2]
CONFIG = REPOSITORY / "pyproject.toml"


def mypy(module: Path, cache: Path) -> tuple[str, int]:
    """Type-check the one module with the lint's configuration; mypy's report and exit status."""
    stdout, stderr, status = api.run(["--config-file", str(CONFIG), "--cache-dir", str(cache), str(module)])
    return stdout + stderr, status


def test_the_lint_catches_a_misused_return_type_across_packages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPOSITORY)  # the configuration's paths are relative to the repository
    cache = tmp_path / "mypy-cache"

    wrong = tmp_path / "wrong" / "uses_events.py"
    wrong.parent.mkdir()
    wrong.write_text('from common.events import parse_event\n\nx: int = parse_event(b"{}")\n')
    report, status = mypy(wrong, cache)
    assert status != 0, report
    assert "uses_events.py:3: error: Incompatible types in assignment" in report, report
    assert '"Event[EventPayload]"' in report, report  # the real return type, not Any

    right = tmp_path / "right" / "uses_events.py"
    right.parent.mkdir()
    right.write_text('from common.events import parse_event\n\nx: object = parse_event(b"{}")\n')
    report, status = mypy(right, cache)
    assert status == 0, report
    assert "Success: no issues found in 1 source file" in report, report
