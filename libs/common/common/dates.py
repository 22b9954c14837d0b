"""Vietnam's calendar: the date a moment falls on in Vietnam, and the quarters units nominate in.

Every date the programme keeps (a submission's quarter, a decision's date, a story's day) is a
date in Vietnam, UTC+7 all year (no daylight saving). A server's clock in UTC would otherwise put
the first seven hours of every day, and of every quarter, on the day before.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

__all__ = [
    "VIETNAM_TIME",
    "previous_quarter",
    "quarter_bounds",
    "quarter_label",
    "quarter_of",
    "quarter_shift",
    "vietnam_date",
    "vn_date",
]

VIETNAM_TIME = timezone(timedelta(hours=7), "ICT")

_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def vietnam_date(moment: datetime) -> date:
    """The date ``moment`` (timezone-aware) falls on in Vietnam."""
    if moment.tzinfo is None:
        raise ValueError("a moment without a timezone has no date in Vietnam")
    return moment.astimezone(VIETNAM_TIME).date()


def quarter_of(day: date) -> str:
    """``2026-11-25`` → ``2026-Q4``."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def quarter_bounds(quarter: str) -> tuple[date, date]:
    """The first and the last day of a quarter: ``2026-Q3`` → 2026-07-01, 2026-09-30."""
    year, number = _parts(quarter)
    first = date(year, 3 * number - 2, 1)
    after = date(year + 1, 1, 1) if number == 4 else date(year, 3 * number + 1, 1)
    return first, after - timedelta(days=1)


def quarter_shift(quarter: str, by: int) -> str:
    """The quarter ``by`` quarters later (earlier when negative): ``2026-Q1``, -1 → ``2025-Q4``."""
    year, number = _parts(quarter)
    index = year * 4 + number - 1 + by
    return f"{index // 4}-Q{index % 4 + 1}"


def previous_quarter(quarter: str) -> str:
    """``2026-Q1`` → ``2025-Q4``."""
    return quarter_shift(quarter, -1)


def _parts(quarter: str) -> tuple[int, int]:
    match = _QUARTER.match(quarter)
    if match is None:
        raise ValueError(f"not a quarter: {quarter!r}")
    return int(match.group(1)), int(match.group(2))


def quarter_label(quarter: str) -> str:
    """``2026-Q4`` → ``quý IV năm 2026``, as official documents write it."""
    year, number = _parts(quarter)
    return f"quý {_ROMAN[number]} năm {year}"


def vn_date(value: date | datetime) -> str:
    """dd/mm/yyyy, as Vietnamese documents write a date; a moment is shown as its date in Vietnam."""
    if isinstance(value, datetime):
        value = vietnam_date(value)
    return value.strftime("%d/%m/%Y")
