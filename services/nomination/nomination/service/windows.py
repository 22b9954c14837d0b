"""The office keeps the nomination windows: sets a quarter's window, extends one unit's deadline, and
sees which units have not nominated yet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from common.dates import quarter_bounds, quarter_label, vietnam_date, vn_date
from common.errors import Unprocessable
from common.organisation import Organisation, Unit, lower_kind_word
from nomination.adapters.repository import NominationStore
from nomination.domain.windows import Calendar, Extension, LatePolicy, Timing, Window, WindowChange
from nomination.service.handlers import Intake, NominationUnitOfWork, calendar_in_force

__all__ = [
    "Owing",
    "UnitStanding",
    "WindowReport",
    "extend_deadline",
    "nominations_of",
    "owing",
    "planned_window",
    "set_window",
    "window_report",
]


def planned_window(
    quarter: str, opens: date, deadline: date, late: LatePolicy, closes: date | None, reason: str
) -> Window:
    """The window the office asks for, or why it cannot be (Unprocessable, in Vietnamese)."""
    if not reason.strip():
        raise Unprocessable("reason-required", "cần ghi lý do thay đổi thời hạn giới thiệu")
    try:
        return Window(quarter, opens, deadline, late, closes or deadline, basis=reason)
    except ValueError as error:
        raise Unprocessable("invalid-window", str(error)) from error


async def set_window(uow: NominationUnitOfWork, intake: Intake, change: WindowChange) -> Calendar:
    """Record the office's window for a quarter; it applies to the next submission of every replica."""
    async with uow:
        await uow.store.add_window_change(change)
        return await calendar_in_force(uow.store, intake.calendar, [change.window.quarter])


async def extend_deadline(uow: NominationUnitOfWork, intake: Intake, extension: Extension) -> Extension:
    """Give one unit a later deadline for a quarter than the window's (gia hạn cho một đơn vị).

    The unit must be in being today or on the window's deadline: an extension is for a unit that
    can still submit.
    """
    if not extension.reason.strip():
        raise Unprocessable("reason-required", "cần ghi lý do gia hạn")
    today = vietnam_date(datetime.now(UTC))
    async with uow:
        calendar = await calendar_in_force(uow.store, intake.calendar, [extension.quarter])
        window = calendar.window(extension.quarter)
        organisation = intake.organisation
        unit = organisation.unit_on(extension.unit_id, today) or organisation.unit_on(
            extension.unit_id, window.deadline
        )
        if unit is None:
            raise Unprocessable(
                "unknown-unit",
                f"đơn vị {extension.unit_id} không tồn tại vào ngày {vn_date(today)} "
                f"cũng như vào hạn giới thiệu {quarter_label(extension.quarter)} ({vn_date(window.deadline)})",
            )
        if extension.deadline <= window.deadline:
            raise Unprocessable(
                "not-an-extension",
                f"hạn giới thiệu {quarter_label(extension.quarter)} đã là ngày {vn_date(window.deadline)}; "
                f"hạn gia hạn cho {lower_kind_word(unit.name)} phải sau ngày đó",
            )
        await uow.store.add_extension(extension)
    return extension


@dataclass(frozen=True)
class Owing:
    """A unit that owes the quarter's nominations: in being on the day, and in being during the
    quarter itself or through a unit it was formed from, whose nominations count as its own."""

    unit: Unit
    lineage: tuple[str, ...]


def owing(organisation: Organisation, quarter: str, day: date) -> dict[str, Owing]:
    """The units that owe the quarter's nominations on ``day``, by id (a commune formed after the
    quarter from communes that were in being then owes theirs; a body new since owes nothing)."""
    first, last = quarter_bounds(quarter)
    found: dict[str, Owing] = {}
    for unit in organisation.units:
        if unit.valid_on(day) and organisation.in_being_during(unit.id, first, last):
            found[unit.id] = Owing(unit, organisation.lineage(unit.id))
    return found


async def nominations_of(store: NominationStore, quarter: str, units: dict[str, Owing]) -> dict[str, int]:
    """How many nominations each unit made for the quarter, its predecessors' counted as its own."""
    made = await store.nominated_units(quarter, {u for o in units.values() for u in o.lineage})
    return {unit_id: sum(made.get(u, 0) for u in o.lineage) for unit_id, o in units.items()}


@dataclass(frozen=True)
class UnitStanding:
    """Where one unit stands in a quarter's window."""

    unit_id: str
    unit_name: str
    deadline: date
    extension: Extension | None
    nominations: int
    reminded: tuple[int, ...]  # the stages (days before its present deadline) it was reminded at


@dataclass(frozen=True)
class WindowReport:
    """A quarter's window and every unit that owes it: who has nominated, who not yet (the office's list)."""

    calendar: Calendar
    window: Window
    timing: Timing  # for a unit without an extension, on ``day``
    day: date
    units: tuple[UnitStanding, ...]

    @property
    def missing(self) -> tuple[UnitStanding, ...]:
        return tuple(u for u in self.units if u.nominations == 0)


async def window_report(store: NominationStore, intake: Intake, quarter: str, day: date) -> WindowReport:
    """The units that owe the quarter on ``day`` (or on the deadline, once it has passed), each with its standing."""
    calendar = await calendar_in_force(store, intake.calendar, [quarter])
    window = calendar.window(quarter)
    units = owing(intake.organisation, quarter, min(day, window.deadline))
    made = await nominations_of(store, quarter, units)
    reminded = await store.reminders_sent(quarter)
    standings = []
    for unit_id, o in units.items():
        deadline = calendar.deadline(quarter, unit_id)
        standings.append(
            UnitStanding(
                unit_id=unit_id,
                unit_name=o.unit.name,
                deadline=deadline,
                extension=calendar.extension(quarter, unit_id),
                nominations=made[unit_id],
                reminded=tuple(sorted(reminded.get((unit_id, deadline), []), reverse=True)),
            )
        )
    return WindowReport(calendar, window, calendar.timing(quarter, "", day), day, tuple(standings))
