"""Reminding the units that have not nominated for a quarter as its deadline comes near."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from common.dates import vietnam_date
from nomination.domain.model import Reminder, ReminderDue
from nomination.domain.windows import quarters_around
from nomination.service.handlers import Intake, NominationUnitOfWork, calendar_in_force
from nomination.service.windows import nominations_of, owing

__all__ = ["send_reminders"]

log = logging.getLogger(__name__)


async def send_reminders(
    uow: NominationUnitOfWork, intake: Intake, *, now: datetime | None = None
) -> list[ReminderDue]:
    """Remind every unit that owes a quarter's nominations and has made none, as its deadline nears.

    One reminder per unit, quarter, deadline and stage (``reminder_days``): a stage passed while
    the service was away is not sent late, a unit reminded at a nearer stage is not reminded at a
    farther one, and an extension brings reminders of its own. A reminder another replica has just
    kept is not sent again.
    """
    now = now or datetime.now(UTC)
    day = vietnam_date(now)
    quarters = quarters_around(day)
    due_now: list[ReminderDue] = []
    async with uow:
        calendar = await calendar_in_force(uow.store, intake.calendar, quarters)
        for quarter in quarters:
            units = owing(intake.organisation, quarter, day)
            due = {u: d for u in units if (d := calendar.reminders_due(quarter, u, day)) is not None}
            if not due:
                continue
            made = await nominations_of(uow.store, quarter, {u: units[u] for u in due})
            sent = await uow.store.reminders_sent(quarter)
            for unit_id, stage in due.items():
                deadline = calendar.deadline(quarter, unit_id)
                if made[unit_id] or any(s <= stage for s in sent.get((unit_id, deadline), [])):
                    continue
                if not await uow.store.record_reminder(unit_id, quarter, deadline, stage, now):
                    continue  # another replica keeps and sends this one
                reminder = ReminderDue(unit_id, units[unit_id].unit.name, quarter, deadline, (deadline - day).days)
                due_now.append(reminder)
                uow.track(Reminder(reminder))
    if due_now:
        log.info("reminded %d units of their nomination deadline", len(due_now))
    return due_now
