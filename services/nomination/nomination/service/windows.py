"""The office keeps the nomination windows: sets a quarter's window, extends one unit's deadline, and
sees which units have not nominated yet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from common.dates import quarter_label, vn_date
from common.errors import Unprocessable
from common.organisation import lower_kind_word
from nomination.adapters.repository import NominationStore
from nomination.domain.windows import (
    Calendar,
    Extension,
    LatePolicy,
    Timing,
    Window,
    WindowChange,
    quarter_bounds,
)
from nomination.service.handlers import Intake, NominationUnitOfWork, calendar_in_force

__all__ = ["UnitStanding", "WindowReport", "extend_deadline", "planned_window", "set_window", "window_report"]


def planned_window(
    quarter: str, opens: date, deadline: date, late: LatePolicy, closes: date | None, reason: str
) -> Window:
    """The window the office asks for, or why it cannot be (Unprocessable, in Vietnamese)."""
    closes = closes or deadline
    label = quarter_label(quarter)
    if deadline < quarter_bounds(quarter)[0]:
        raise Unprocessable(
            "invalid-window",
            f"hạn giới thiệu {label} không thể trước ngày đầu quý ({vn_date(quarter_bounds(quarter)[0])})",
        )
    if not opens <= deadline:
        raise Unprocessable(
            "invalid-window", f"ngày bắt đầu nhận ({vn_date(opens)}) phải không muộn hơn hạn chót ({vn_date(deadline)})"
        )
    if late is LatePolicy.REFUSE and closes != deadline:
        raise Unprocessable("invalid-window", "khi không nhận hồ sơ muộn, thời hạn kết thúc đúng vào hạn chót")
    if closes < deadline:
        raise Unprocessable(
            "invalid-window",
            f"ngày cuối nhận hồ sơ muộn ({vn_date(closes)}) không thể trước hạn chót ({vn_date(deadline)})",
        )
    return Window(quarter, opens, deadline, late, closes, basis=reason)


async def set_window(uow: NominationUnitOfWork, intake: Intake, change: WindowChange) -> Window:
    """Record the office's window for a quarter; it applies to the next submission of every replica."""
    if not change.reason.strip():
        raise Unprocessable("reason-required", "cần ghi lý do thay đổi thời hạn giới thiệu")
    async with uow:
        await uow.store.add_window_change(change)
        calendar = await calendar_in_force(uow.store, intake.calendar, [change.window.quarter])
    return calendar.window(change.window.quarter)


async def extend_deadline(uow: NominationUnitOfWork, intake: Intake, extension: Extension) -> Extension:
    """Give one unit a later deadline for a quarter than the window's (gia hạn cho một đơn vị)."""
    unit = intake.organisation.unit_on(extension.unit_id, extension.deadline)
    if unit is None:
        raise Unprocessable(
            "unknown-unit",
            f"không có đơn vị {extension.unit_id} vào ngày {vn_date(extension.deadline)}, hạn được gia",
        )
    if not extension.reason.strip():
        raise Unprocessable("reason-required", "cần ghi lý do gia hạn")
    async with uow:
        calendar = await calendar_in_force(uow.store, intake.calendar, [extension.quarter])
        window = calendar.window(extension.quarter)
        if extension.deadline <= window.deadline:
            raise Unprocessable(
                "not-an-extension",
                f"hạn giới thiệu {quarter_label(extension.quarter)} đã là ngày {vn_date(window.deadline)}; "
                f"hạn gia cho {lower_kind_word(unit.name)} phải sau ngày đó",
            )
        await uow.store.add_extension(extension)
    return extension


@dataclass(frozen=True)
class UnitStanding:
    """Where one unit stands in a quarter's window."""

    unit_id: str
    unit_name: str
    deadline: date
    extension: Extension | None
    nominations: int
    reminded: tuple[int, ...]  # the stages (days before the deadline) it was reminded at


@dataclass(frozen=True)
class WindowReport:
    """A quarter's window and every unit in being: who has nominated, who not yet (the office's list)."""

    window: Window
    change: WindowChange | None
    timing: Timing  # for a unit without an extension, on ``day``
    day: date
    units: tuple[UnitStanding, ...]

    @property
    def missing(self) -> tuple[UnitStanding, ...]:
        return tuple(u for u in self.units if u.nominations == 0)


async def window_report(store: NominationStore, intake: Intake, quarter: str, day: date) -> WindowReport:
    """The units in being on ``day`` (or on the deadline, once it has passed), each with its standing."""
    calendar: Calendar = await calendar_in_force(store, intake.calendar, [quarter])
    window = calendar.window(quarter)
    on = min(day, window.deadline)
    units = {u.id: u for u in intake.organisation.units if u.valid_on(on)}
    nominated = await store.nominated_units(quarter, units)
    reminded = await store.reminders_sent(quarter)
    change = next((c for c in reversed(calendar.changes) if c.window.quarter == quarter), None)
    return WindowReport(
        window=window,
        change=change,
        timing=calendar.timing(quarter, "", day),
        day=day,
        units=tuple(
            UnitStanding(
                unit_id=unit_id,
                unit_name=unit.name,
                deadline=calendar.deadline(quarter, unit_id),
                extension=calendar.extension(quarter, unit_id),
                nominations=nominated.get(unit_id, 0),
                reminded=tuple(sorted(reminded.get(unit_id, []), reverse=True)),
            )
            for unit_id, unit in units.items()
        ),
    )
