"""HTTP API of the nomination windows: every quarter's dates, the office's changes and extensions, and
the units that have not nominated yet."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request, status
from pydantic import BaseModel, Field

from common.auth import Principal, Role, require_roles
from common.dates import quarter_label, quarter_of, quarter_shift, vietnam_date
from common.errors import Unprocessable
from common.events import QUARTER_PATTERN, Quarter, ShortText
from nomination.adapters.repository import NominationStore
from nomination.domain.windows import Calendar, Extension, LatePolicy, Timing, Window, WindowChange
from nomination.entrypoints import deps
from nomination.service.handlers import calendar_in_force
from nomination.service.windows import (
    UnitStanding,
    WindowReport,
    extend_deadline,
    planned_window,
    set_window,
    window_report,
)

__all__ = ["router"]

router = APIRouter(tags=["windows"])

Reader = Annotated[Principal, require_roles(Role.CLERK, Role.REVIEWER, Role.COUNCIL, Role.OFFICER, Role.OPERATOR)]
Office = Annotated[Principal, require_roles(Role.REVIEWER, Role.COUNCIL, Role.OFFICER, Role.OPERATOR)]
# The review office (phòng Nội vụ) keeps the windows.
Keeper = Annotated[Principal, require_roles(Role.REVIEWER, Role.OFFICER)]
QuarterPath = Annotated[str, Path(pattern=QUARTER_PATTERN)]


class ExtensionView(BaseModel):
    unit_id: str
    deadline: date
    reason: str
    recorded_by: str
    recorded_at: datetime

    @classmethod
    def of(cls, extension: Extension) -> ExtensionView:
        return cls.model_validate(extension, from_attributes=True)


class WindowView(BaseModel):
    quarter: str
    quarter_label: str
    opens: date
    deadline: date
    late: LatePolicy
    closes: date
    basis: str = Field(description="the rule, the year's calendar, or the office's reason for its change")
    today: Timing = Field(description="where the window stands today, for a unit without an extension")
    extensions: list[ExtensionView] = Field(description="units given a later deadline (a clerk sees its own)")

    @classmethod
    def of(cls, window: Window, today: Timing, extensions: list[Extension]) -> WindowView:
        return cls(
            quarter=window.quarter,
            quarter_label=quarter_label(window.quarter),
            opens=window.opens,
            deadline=window.deadline,
            late=window.late,
            closes=window.closes,
            basis=window.basis,
            today=today,
            extensions=[ExtensionView.of(e) for e in extensions],
        )


class UnitStandingView(BaseModel):
    unit_id: str
    unit_name: str
    deadline: date
    extended: bool
    nominations: int
    reminded_days_before: list[int]


class WindowReportView(BaseModel):
    window: WindowView
    units: int
    nominated: int
    missing: list[UnitStandingView] = Field(description="units in being that have not nominated for the quarter")
    done: list[UnitStandingView]

    @classmethod
    def of(cls, report: WindowReport, extensions: list[Extension]) -> WindowReportView:
        return cls(
            window=WindowView.of(report.window, report.timing, extensions),
            units=len(report.units),
            nominated=len(report.units) - len(report.missing),
            missing=[_standing(u) for u in report.missing],
            done=[_standing(u) for u in report.units if u.nominations],
        )


def _standing(u: UnitStanding) -> UnitStandingView:
    return UnitStandingView(
        unit_id=u.unit_id,
        unit_name=u.unit_name,
        deadline=u.deadline,
        extended=u.extension is not None,
        nominations=u.nominations,
        reminded_days_before=list(u.reminded),
    )


class WindowBody(BaseModel):
    opens: date
    deadline: date
    late: LatePolicy
    closes: date | None = Field(default=None, description="for late entries; the deadline when they are refused")
    reason: ShortText


class ExtensionBody(BaseModel):
    unit_id: Annotated[str, Field(max_length=80)]
    deadline: date
    reason: ShortText


def _refused(error: Unprocessable) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, {"code": error.code, "message": error.message})


def _seen_by(who: Principal, calendar: Calendar, quarter: str, request: Request) -> list[Extension]:
    """The quarter's extensions a reader sees: a clerk, its own unit's (and its predecessors'); the office, all."""
    visible = deps.visible_units(who, deps.organisation(request))
    return [e for e in calendar.extensions if e.quarter == quarter and (visible is None or e.unit_id in visible)]


def _view(who: Principal, calendar: Calendar, quarter: str, today: date, request: Request) -> WindowView:
    """A quarter's window as the reader sees it: a clerk, with its own unit's deadline and standing."""
    unit = who.unit if who.clerk_only and who.unit else ""
    return WindowView.of(
        calendar.window(quarter), calendar.timing(quarter, unit, today), _seen_by(who, calendar, quarter, request)
    )


@router.get("/windows", response_model=list[WindowView])
async def list_windows(
    request: Request,
    who: Reader,
    quarter: Annotated[
        list[Quarter] | None,
        Query(max_length=12, description="2026-Q4; by default the one before, this one and the next"),
    ] = None,
) -> list[WindowView]:
    """Each quarter's window: when nominations open, the deadline, and what becomes of a late one."""
    today = vietnam_date(datetime.now(UTC))
    quarters = list(dict.fromkeys(quarter or [quarter_shift(quarter_of(today), by) for by in (-1, 0, 1)]))
    async with deps.runtime(request).db.read() as connection:
        calendar = await calendar_in_force(NominationStore(connection), deps.intake(request).calendar, quarters)
    return [_view(who, calendar, q, today, request) for q in quarters]


@router.get("/windows/{quarter}", response_model=WindowReportView)
async def window_units(request: Request, quarter: QuarterPath, who: Office) -> WindowReportView:
    """The quarter's window and every unit that owes it: those that have nominated (their predecessors'
    nominations counted), and those the office still waits for."""
    today = vietnam_date(datetime.now(UTC))
    async with deps.runtime(request).db.read() as connection:
        report = await window_report(NominationStore(connection), deps.intake(request), quarter, today)
    return WindowReportView.of(report, _seen_by(who, report.calendar, quarter, request))


@router.put("/windows/{quarter}", response_model=WindowView)
async def change_window(request: Request, quarter: QuarterPath, body: WindowBody, who: Keeper) -> WindowView:
    """Set a quarter's window (from the next submission on); recorded with who, when and why."""
    try:
        window = planned_window(quarter, body.opens, body.deadline, body.late, body.closes, body.reason)
        change = WindowChange(window, body.reason, who.name, datetime.now(UTC))
        calendar = await set_window(deps.runtime(request).unit_of_work(), deps.intake(request), change)
    except Unprocessable as error:
        raise _refused(error) from error
    return _view(who, calendar, quarter, vietnam_date(datetime.now(UTC)), request)


@router.post("/windows/{quarter}/extensions", response_model=ExtensionView, status_code=status.HTTP_201_CREATED)
async def extend(request: Request, quarter: QuarterPath, body: ExtensionBody, who: Keeper) -> ExtensionView:
    """Give one unit a later deadline for the quarter (gia hạn); recorded with who, when and why."""
    extension = Extension(quarter, body.unit_id, body.deadline, body.reason, who.name, datetime.now(UTC))
    try:
        await extend_deadline(deps.runtime(request).unit_of_work(), deps.intake(request), extension)
    except Unprocessable as error:
        raise _refused(error) from error
    return ExtensionView.of(extension)
