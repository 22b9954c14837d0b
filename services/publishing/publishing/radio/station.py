"""The grassroots radio's rules, as data (``data/radio.toml``): slots, how long a bulletin stays on
air, the words that open and close a rundown, and how bulletins are chosen to fit a slot."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from common.datafile import DataFileError, load_toml, where
from common.dates import VIETNAM_TIME, vn_date
from publishing.domain.model import RadioPriority

__all__ = [
    "Choice",
    "On",
    "Priority",
    "Slot",
    "Station",
    "StationFileError",
    "choose",
    "default_station_path",
    "load_station",
    "rundown_guid",
]


Priority = RadioPriority


class StationFileError(DataFileError):
    pass


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Slot(_Model):
    """A broadcast slot (buổi phát), every day."""

    id: str = Field(pattern=r"^[a-z0-9-]{1,20}$")
    name: str = Field(min_length=1, max_length=40)
    starts: time
    minutes: int = Field(ge=1, le=180)

    def on(self, day: date) -> datetime:
        """When the slot starts on ``day``, in Vietnam."""
        return datetime.combine(day, self.starts, VIETNAM_TIME)


class Station(_Model):
    days_on_air: int = Field(ge=1, le=90)
    gap_seconds: float = Field(ge=0, le=10)
    station: str
    series: str
    opening: str
    closing: str
    slots: tuple[Slot, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _slots_apart(self) -> Station:
        ids = [s.id for s in self.slots]
        for i, slot in enumerate(self.slots):
            if slot.id in ids[:i]:
                raise ValueError(f"{where('slots', i)}: two slots are called {slot.id}")
        return self

    def slot(self, slot_id: str) -> Slot | None:
        return next((s for s in self.slots if s.id == slot_id), None)

    def station_of(self, commune_name: str) -> str:
        return self.station.format(commune=commune_name)

    def opening_words(self, commune_name: str, slot: Slot, day: date) -> str:
        return self.opening.format(
            station=self.station_of(commune_name), series=self.series, slot=slot.name, date=f"ngày {vn_date(day)}"
        )

    def closing_words(self, commune_name: str) -> str:
        return self.closing.format(station=self.station_of(commune_name), series=self.series)

    def upcoming(self, now: datetime, days: int = 2) -> list[tuple[date, Slot]]:
        """The slots that have not started yet, today and the next days, in time order."""
        today = now.astimezone(VIETNAM_TIME).date()
        found = [(today + timedelta(days=d), s) for d in range(days) for s in self.slots]
        return sorted(((d, s) for d, s in found if s.on(d) > now), key=lambda pair: pair[1].on(pair[0]))


@dataclass(frozen=True)
class On:
    """A bulletin that may go in a rundown: its story, priority, length and when it went on air."""

    story_id: uuid.UUID
    revision: int
    priority: Priority
    seconds: float
    on_air_from: datetime


@dataclass(frozen=True)
class Choice:
    """The bulletins a rundown plays, in order, and those the slot had no room for."""

    played: tuple[On, ...]
    left_out: tuple[On, ...]
    seconds: float  # the whole rundown, opening, gaps and closing included


def choose(bulletins: Sequence[On], *, slot_seconds: float, frame_seconds: float, gap_seconds: float) -> Choice:
    """Emergency, then priority, then ordinary bulletins (oldest first within each), each one that
    still fits the slot with the opening and closing (``frame_seconds``) and a gap before it."""
    ordered = sorted(bulletins, key=lambda b: (b.priority.rank, b.on_air_from, str(b.story_id)))
    total = frame_seconds
    played: list[On] = []
    left_out: list[On] = []
    for bulletin in ordered:
        needed = bulletin.seconds + gap_seconds
        if total + needed <= slot_seconds:
            played.append(bulletin)
            total += needed
        else:
            left_out.append(bulletin)
    return Choice(tuple(played), tuple(left_out), round(total, 3))


def rundown_guid(commune_id: str, day: date, slot_id: str, played: Sequence[On]) -> uuid.UUID:
    """The same for the same rundown however often the feed is built; another when what it plays
    changed (a retraction, a correction), so that radio automation fetches the new audio."""
    contents = ",".join(f"{b.story_id}:{b.revision}" for b in played)
    return uuid.uuid5(uuid.NAMESPACE_URL, f"rundown:{commune_id}:{day.isoformat()}:{slot_id}:{contents}")


def default_station_path() -> Path:
    return Path(str(resources.files("publishing").joinpath("data/radio.toml")))


def load_station(path: str | Path | None = None) -> Station:
    return load_toml(path or default_station_path(), Station, what="radio file", error=StationFileError)
