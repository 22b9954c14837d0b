"""Reminding the units that have not nominated for a quarter as its deadline comes near."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from common.dates import quarter_of, vietnam_date
from nomination.domain.model import Reminder, ReminderDue
from nomination.domain.windows import quarter_shift
from nomination.service.handlers import Intake, NominationUnitOfWork, calendar_in_force

__all__ = ["send_reminders"]

log = logging.getLogger(__name__)


async def send_reminders(
    uow: NominationUnitOfWork, intake: Intake, *, now: datetime | None = None
) -> list[ReminderDue]:
    """Remind every unit in being that has not nominated for a quarter whose deadline is near.

    One reminder per unit, quarter and stage (``reminder_days``); a stage passed while the
    service was away is not sent late, and a unit reminded at a nearer stage is not reminded at
    a farther one. Written with their events in one transaction: two replicas cannot both send.
    """
    now = now or datetime.now(UTC)
    day = vietnam_date(now)
    organisation = intake.organisation
    # The quarters whose deadline may still lie ahead: this one and the one before (a deadline
    # falls after its quarter's end). An extension may reach further; its quarter is still one of these
    # in all but the most unusual calendars.
    quarters = [quarter_shift(quarter_of(day), -1), quarter_of(day)]
    units = {u.id: u for u in organisation.units if u.valid_on(day)}
    due_now: list[ReminderDue] = []
    async with uow:
        calendar = await calendar_in_force(uow.store, intake.calendar, quarters)
        rows = []
        for quarter in quarters:
            due = {u: d for u in units if (d := calendar.reminders_due(quarter, u, day)) is not None}
            if not due:
                continue
            nominated = await uow.store.nominated_units(quarter, due)
            sent = await uow.store.reminders_sent(quarter)
            for unit_id, stage in due.items():
                if unit_id in nominated or any(s <= stage for s in sent.get(unit_id, [])):
                    continue
                deadline = calendar.deadline(quarter, unit_id)
                reminder = ReminderDue(unit_id, units[unit_id].name, quarter, deadline, (deadline - day).days)
                rows.append((unit_id, quarter, stage, deadline))
                due_now.append(reminder)
                uow.track(Reminder(reminder))
        await uow.store.record_reminders(rows, now)
    if due_now:
        log.info("reminded %d units of their nomination deadline", len(due_now))
    return due_now
