"""The calendar of occasions (``data/occasions.toml``): the days the publicity plan ties its work to,
and when each occasion's reportage is drafted and what period it covers."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from common.datafile import DataFileError, load_toml, where
from common.events import FieldOfWork

__all__ = ["Calendar", "CalendarFileError", "Occasion", "default_calendar_path", "load_calendar"]


class CalendarFileError(DataFileError):
    pass


class Occasion(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")
    name: str = Field(min_length=1, max_length=200)
    day: str = Field(pattern=r"^\d\d-\d\d$")  # month-day, every year
    since: int | None = Field(default=None, ge=1800, le=2100)  # the first one; anniversaries count from it
    reportage: bool = False
    draft_days_before: int = Field(default=14, ge=1, le=60)
    at_most: int = Field(default=15, ge=1, le=40)
    fields: tuple[FieldOfWork, ...] = ()

    @field_validator("day")
    @classmethod
    def _real_day(cls, value: str) -> str:
        month, day = (int(part) for part in value.split("-"))
        if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(2001, month)[1]:
            raise ValueError(f"{value} is not a day of the year (month-day, e.g. 06-11; 29 February is refused)")
        return value

    def on(self, year: int) -> date:
        month, day = (int(part) for part in self.day.split("-"))
        return date(year, month, day)

    def next_on(self, today: date) -> date:
        """Its day this year if not yet past, otherwise next year's."""
        this_year = self.on(today.year)
        return this_year if this_year >= today else self.on(today.year + 1)

    def drafting_from(self, year: int) -> date:
        """The first day the reportage of ``year`` is drafted."""
        return self.on(year) - timedelta(days=self.draft_days_before)

    def drafting_year(self, today: date) -> int | None:
        """The year whose reportage is due for drafting on ``today`` (from ``drafting_from`` up to the
        day itself), if any."""
        if not self.reportage:
            return None
        for year in (today.year, today.year + 1):
            if self.drafting_from(year) <= today <= self.on(year) and (self.since is None or year > self.since):
                return year
        return None

    def covers(self, year: int) -> tuple[date, date]:
        """The days the reportage of ``year`` looks back over: from the same occasion a year before,
        up to the day before this one."""
        return self.on(year - 1), self.on(year) - timedelta(days=1)

    def anniversary(self, year: int) -> int | None:
        return year - self.since if self.since is not None else None

    def occasion_of(self, year: int) -> str:
        """How a text names it: "kỷ niệm 79 năm Ngày … (11/6/1948 – 11/6/2027)", or "Tổng kết … năm 2026"."""
        first = self.anniversary(year)
        if first is None:
            return f"{self.name} {year}" if self.name.endswith(" năm") else f"{self.name} năm {year}"
        month, day = (int(part) for part in self.day.split("-"))
        return f"kỷ niệm {first} năm {self.name} ({day}/{month}/{self.since} – {day}/{month}/{year})"


class Calendar(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    occasions: tuple[Occasion, ...] = ()

    @model_validator(mode="after")
    def _distinct(self) -> Calendar:
        ids = [o.id for o in self.occasions]
        for i, occasion in enumerate(self.occasions):
            if occasion.id in ids[:i]:
                raise ValueError(f"{where('occasions', i)}: two occasions are called {occasion.id}")
        return self

    def occasion(self, occasion_id: str) -> Occasion | None:
        return next((o for o in self.occasions if o.id == occasion_id), None)

    def upcoming(self, today: date) -> list[tuple[date, Occasion]]:
        """Every occasion with its next day, soonest first."""
        return sorted(((o.next_on(today), o) for o in self.occasions), key=lambda pair: (pair[0], pair[1].id))


def default_calendar_path() -> Path:
    return Path(str(resources.files("publishing").joinpath("data/occasions.toml")))


def load_calendar(path: str | Path | None = None) -> Calendar:
    return load_toml(path or default_calendar_path(), Calendar, what="occasions file", error=CalendarFileError)
