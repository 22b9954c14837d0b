"""Reading the nomination windows file (TOML) into the calendar, with errors that name the line."""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from common.datafile import DataFileError, load_toml, where
from common.events import QUARTER_PATTERN
from nomination.domain.windows import Calendar, LatePolicy, Window, WindowRule

__all__ = ["WindowsFileError", "default_windows_path", "load_calendar"]


class WindowsFileError(DataFileError):
    """The windows file cannot be used; the message says where and why."""


def default_windows_path() -> Path:
    """The windows shipped with the service."""
    return Path(str(resources.files("nomination").joinpath("data/windows.toml")))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Rule(_Strict):
    opens_after_start_days: int = Field(default=0, ge=0, le=366)
    deadline_after_end_days: int = Field(default=15, ge=0, le=270)  # a deadline within 9 months
    late: LatePolicy = LatePolicy.FLAG
    late_quarters: int = Field(default=1, ge=0, le=3)
    reminder_days: tuple[int, ...] = Field(default=(7, 1), max_length=10)


class _Quarter(_Strict):
    quarter: str = Field(pattern=QUARTER_PATTERN)
    opens: date
    deadline: date
    late: LatePolicy
    closes: date | None = None  # the deadline when late entries are refused


class _File(_Strict):
    rule: _Rule = _Rule()
    quarters: tuple[_Quarter, ...] = ()

    @model_validator(mode="after")
    def _calendar(self) -> Self:
        """Build the calendar here, so that each fault is named with its place in the file."""
        problems = []
        try:
            _rule(self.rule)
        except ValueError as error:
            problems.append(f"rule: {error}")
        seen: set[str] = set()
        for i, q in enumerate(self.quarters):
            if q.quarter in seen:
                problems.append(f"{where('quarters', i)}: {q.quarter} is given a window twice")
            seen.add(q.quarter)
            try:
                _window(q)
            except ValueError as error:
                problems.append(f"{where('quarters', i)}: {error}")
        if problems:
            raise ValueError("; ".join(problems))
        return self


def _rule(r: _Rule) -> WindowRule:
    return WindowRule(r.opens_after_start_days, r.deadline_after_end_days, r.late, r.late_quarters, r.reminder_days)


def _window(q: _Quarter) -> Window:
    return Window(q.quarter, q.opens, q.deadline, q.late, q.closes or q.deadline, basis="lịch giới thiệu của năm")


def load_calendar(path: str | Path | None = None) -> Calendar:
    """The calendar the file describes (without the office's changes, which the database holds)."""
    found = load_toml(path or default_windows_path(), _File, what="windows file", error=WindowsFileError)
    return Calendar(rule=_rule(found.rule), quarters=tuple(_window(q) for q in found.quarters))
