"""Nomination windows (thời hạn giới thiệu điển hình hằng quý): when each quarter's nominations are taken.

Units send the quarter's exemplars to the review office every quarter. Each quarter has a
**window**: it opens on ``opens``, units nominate until the ``deadline`` (both days included,
in Vietnam), and the ``late`` policy says what becomes of an entry after the deadline: refused,
or accepted and flagged for the reviewer until the window ``closes``. All of it is data: a rule
gives every quarter its window (``data/windows.toml``), the file may give a quarter its own, and
the office may set a quarter's window or extend the deadline for one unit while the system runs
(each such change recorded with who, when and why; the latest one counts).

Before a deadline, the units that have not nominated for the quarter are reminded some days
ahead (``reminder_days``), once for each of those days.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from common.dates import quarter_bounds, quarter_label, quarter_of, quarter_shift, vn_date
from common.events import Reason

__all__ = [
    "Calendar",
    "Extension",
    "LatePolicy",
    "Timing",
    "Window",
    "WindowChange",
    "WindowRule",
    "quarters_around",
]


def quarters_around(day: date) -> list[str]:
    """The quarters whose window may be open on ``day``: a year back (a deadline or an extension may
    fall long after its quarter) and the next one (a window may open before its quarter)."""
    return [quarter_shift(quarter_of(day), by) for by in range(-4, 2)]


class LatePolicy(StrEnum):
    REFUSE = "refuse"  # after the deadline, nothing more is taken
    FLAG = "flag"  # after the deadline, taken until the window closes; the reviewer is told it came late


@dataclass(frozen=True)
class Window:
    """One quarter's window, as it stands (for the whole organisation)."""

    quarter: str
    opens: date
    deadline: date
    late: LatePolicy
    closes: date  # the last day a late entry is taken; the deadline itself when late entries are refused
    basis: str = ""  # where it comes from: the rule, the file, or the office's change and its reason

    def __post_init__(self) -> None:
        """The one check of a window, wherever it comes from (the file, the office): in Vietnamese."""
        first = quarter_bounds(self.quarter)[0]
        if self.deadline < first:
            raise ValueError(
                f"hạn giới thiệu {quarter_label(self.quarter)} không thể trước ngày đầu quý ({vn_date(first)})"
            )
        if self.opens > self.deadline:
            raise ValueError(
                f"ngày bắt đầu nhận hồ sơ ({vn_date(self.opens)}) không được sau hạn chót ({vn_date(self.deadline)})"
            )
        if self.late is LatePolicy.REFUSE and self.closes != self.deadline:
            raise ValueError("khi không nhận hồ sơ muộn, ngày kết thúc nhận hồ sơ phải trùng hạn chót")
        if self.closes < self.deadline:
            raise ValueError(
                f"ngày cuối nhận hồ sơ muộn ({vn_date(self.closes)}) "
                f"không được trước hạn chót ({vn_date(self.deadline)})"
            )


@dataclass(frozen=True)
class WindowRule:
    """How a quarter's window is drawn when nothing more specific is given, in days."""

    opens_after_start_days: int = 0  # from the quarter's first day
    deadline_after_end_days: int = 15  # from the quarter's last day: quý III → 15/10
    late: LatePolicy = LatePolicy.FLAG
    late_quarters: int = 1  # late entries are taken to the end of the quarter this many quarters on: quý III → 31/12
    reminder_days: tuple[int, ...] = (7, 1)  # before a unit's deadline

    def __post_init__(self) -> None:
        if min(self.opens_after_start_days, self.deadline_after_end_days, self.late_quarters) < 0:
            raise ValueError("the window rule's numbers of days cannot be negative")
        if any(d < 0 for d in self.reminder_days):
            raise ValueError("a reminder comes before the deadline (0 or more days)")

    def window(self, quarter: str) -> Window:
        first, last = quarter_bounds(quarter)
        deadline = last + timedelta(days=self.deadline_after_end_days)
        closes = deadline
        if self.late is LatePolicy.FLAG:
            closes = max(deadline, quarter_bounds(quarter_shift(quarter, self.late_quarters))[1])
        return Window(
            quarter=quarter,
            opens=first + timedelta(days=self.opens_after_start_days),
            deadline=deadline,
            late=self.late,
            closes=closes,
            basis="quy định chung",
        )


@dataclass(frozen=True)
class WindowChange:
    """The office set a quarter's window while the system runs; recorded with who, when and why."""

    window: Window
    reason: str
    recorded_by: str
    recorded_at: datetime


@dataclass(frozen=True)
class Extension:
    """The office extended the deadline of one quarter for one unit."""

    quarter: str
    unit_id: str
    deadline: date
    reason: str
    recorded_by: str
    recorded_at: datetime


class Timing(StrEnum):
    NOT_OPEN = "not-open"
    ON_TIME = "on-time"
    LATE = "late"  # accepted and flagged
    CLOSED = "closed"


@dataclass(frozen=True)
class Calendar:
    """Every quarter's window: the rule, the file's own quarters, and the office's changes.

    ``changes`` and ``extensions`` are the office's records, oldest first: for a quarter, or a
    quarter and a unit, the latest counts.
    """

    rule: WindowRule = field(default_factory=WindowRule)
    quarters: tuple[Window, ...] = ()
    changes: tuple[WindowChange, ...] = ()
    extensions: tuple[Extension, ...] = ()

    def with_records(self, changes: Iterable[WindowChange], extensions: Iterable[Extension]) -> Calendar:
        return replace(self, changes=tuple(changes), extensions=tuple(extensions))

    def window(self, quarter: str) -> Window:
        """The quarter's window for every unit without an extension."""
        for change in reversed(self.changes):
            if change.window.quarter == quarter:
                return change.window
        for window in self.quarters:
            if window.quarter == quarter:
                return window
        return self.rule.window(quarter)

    def extension(self, quarter: str, unit_id: str) -> Extension | None:
        return next((e for e in reversed(self.extensions) if e.quarter == quarter and e.unit_id == unit_id), None)

    def deadline(self, quarter: str, unit_id: str) -> date:
        """The unit's deadline: the window's, or the later one the office gave the unit."""
        window = self.window(quarter)
        extension = self.extension(quarter, unit_id)
        return max(window.deadline, extension.deadline) if extension else window.deadline

    def closes(self, quarter: str, unit_id: str) -> date:
        """The last day the unit's entry is taken at all."""
        window = self.window(quarter)
        deadline = self.deadline(quarter, unit_id)
        return max(window.closes, deadline)

    def timing(self, quarter: str, unit_id: str, day: date) -> Timing:
        window = self.window(quarter)
        if day < window.opens:
            return Timing.NOT_OPEN
        if day <= self.deadline(quarter, unit_id):
            return Timing.ON_TIME
        if window.late is LatePolicy.FLAG and day <= self.closes(quarter, unit_id):
            return Timing.LATE
        return Timing.CLOSED

    def open_quarters(self, unit_id: str, day: date) -> list[str]:
        """The quarters the unit may still nominate for on ``day`` (on time or late), oldest first."""
        return [q for q in quarters_around(day) if self.timing(q, unit_id, day) in (Timing.ON_TIME, Timing.LATE)]

    def judge(self, quarter: str, unit_id: str, day: date) -> tuple[list[Reason], list[Reason]]:
        """Why a submission made on ``day`` is refused, and what the reviewer is told of it if not."""
        timing = self.timing(quarter, unit_id, day)
        label = quarter_label(quarter)
        if timing is Timing.ON_TIME:
            return [], []
        deadline = self.deadline(quarter, unit_id)
        if timing is Timing.LATE:
            late = Reason(
                code="late-entry",
                message=f"giới thiệu muộn: hạn giới thiệu {label} là ngày {vn_date(deadline)}, "
                f"hồ sơ nhận ngày {vn_date(day)}",
            )
            return [], [late]
        open_now = self.open_quarters(unit_id, day)
        now = f"; nay nhận giới thiệu cho {_listed(open_now)}" if open_now else ""
        window = self.window(quarter)
        if timing is Timing.NOT_OPEN:
            code = "quarter-in-future" if quarter > quarter_of(day) else "quarter-not-open"
            message = f"chưa đến thời hạn giới thiệu {label}: nhận từ ngày {vn_date(window.opens)}{now}"
            return [Reason(code=code, message=message)], []
        closed = f"đã hết hạn giới thiệu {label} (hạn chót ngày {vn_date(deadline)}"
        if window.late is LatePolicy.FLAG and self.closes(quarter, unit_id) > deadline:
            closed += f", nhận muộn đến hết ngày {vn_date(self.closes(quarter, unit_id))}"
        return [Reason(code="quarter-closed", message=f"{closed}){now}")], []

    def reminders_due(self, quarter: str, unit_id: str, day: date) -> int | None:
        """The reminder the unit is due on ``day`` for the quarter: days left to its deadline, if one is due.

        The nearest of ``reminder_days`` that has come: a service away for a week sends one
        reminder when it comes back, not every one it missed.
        """
        window = self.window(quarter)
        deadline = self.deadline(quarter, unit_id)
        if day < window.opens or day > deadline:
            return None
        left = (deadline - day).days
        due = [d for d in self.rule.reminder_days if left <= d]
        return min(due) if due else None


def _listed(quarters: Sequence[str]) -> str:
    labels = [quarter_label(q) for q in quarters]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " và " + labels[-1]
