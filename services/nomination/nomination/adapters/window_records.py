"""The office's window changes and the reminders sent, in the nomination datastore."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from common.db import insert_if_new
from nomination.adapters.orm import nominations, reminders, window_changes
from nomination.domain.windows import Extension, LatePolicy, Window, WindowChange

__all__ = ["WindowRecords"]


class WindowRecords:
    """Reading and writing what the office changed in the windows, and which reminders went out."""

    connection: AsyncConnection

    async def window_records(self, quarters: Collection[str]) -> tuple[list[WindowChange], list[Extension]]:
        """The office's changes to these quarters' windows and the units' extensions, oldest first."""
        if not quarters:
            return [], []
        c = window_changes.c
        query = select(window_changes).where(c.quarter.in_(sorted(quarters))).order_by(c.change_id)
        changes: list[WindowChange] = []
        extensions: list[Extension] = []
        for row in await self.connection.execute(query):
            if row.unit_id is None:
                window = Window(row.quarter, row.opens, row.deadline, LatePolicy(row.late), row.closes, row.reason)
                changes.append(WindowChange(window, row.reason, row.recorded_by, row.recorded_at))
            else:
                extensions.append(
                    Extension(row.quarter, row.unit_id, row.deadline, row.reason, row.recorded_by, row.recorded_at)
                )
        return changes, extensions

    async def add_window_change(self, change: WindowChange) -> None:
        w = change.window
        await self.connection.execute(
            window_changes.insert().values(
                quarter=w.quarter,
                unit_id=None,
                opens=w.opens,
                deadline=w.deadline,
                late=w.late.value,
                closes=w.closes,
                reason=change.reason,
                recorded_by=change.recorded_by,
                recorded_at=change.recorded_at,
            )
        )

    async def add_extension(self, extension: Extension) -> None:
        await self.connection.execute(
            window_changes.insert().values(
                quarter=extension.quarter,
                unit_id=extension.unit_id,
                deadline=extension.deadline,
                reason=extension.reason,
                recorded_by=extension.recorded_by,
                recorded_at=extension.recorded_at,
            )
        )

    async def nominated_units(self, quarter: str, unit_ids: Collection[str]) -> dict[str, int]:
        """Of these units, those with nominations for the quarter, and how many (refused ones not counted)."""
        c = nominations.c
        query = (
            select(c.unit_id, func.count())
            .where(c.quarter == quarter, c.unit_id.in_(sorted(unit_ids)))
            .group_by(c.unit_id)
        )
        return {row[0]: int(row[1]) for row in await self.connection.execute(query)}

    async def reminders_sent(self, quarter: str) -> dict[tuple[str, date], list[int]]:
        """For each unit and deadline it was reminded of for the quarter: the stages (days before) sent."""
        c = reminders.c
        query = select(c.unit_id, c.deadline, c.days_before).where(c.quarter == quarter)
        sent: dict[tuple[str, date], list[int]] = {}
        for row in await self.connection.execute(query):
            sent.setdefault((row.unit_id, row.deadline), []).append(row.days_before)
        return sent

    async def record_reminder(self, unit_id: str, quarter: str, deadline: date, stage: int, sent_at: datetime) -> bool:
        """Keep that a reminder goes out; False when another replica has just kept the same one."""
        row = {"unit_id": unit_id, "quarter": quarter, "deadline": deadline, "days_before": stage, "sent_at": sent_at}
        result = await self.connection.execute(insert_if_new(self.connection, reminders), row)
        return bool(result.rowcount)
