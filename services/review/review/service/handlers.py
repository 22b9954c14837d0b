"""Review use cases: open a case for an accepted nomination; decide it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from common.db import Database
from common.events import Event, NominationAccepted, Reason
from common.outbox import OutboxRelay, stage
from review.adapters import repository
from review.adapters.orm import messaging
from review.domain.model import Decision, ReviewCase
from review.integration import case_from_accepted, decision_event

__all__ = ["CaseNotFound", "decide_case", "open_case"]


class CaseNotFound(LookupError):
    pass


async def open_case(session: AsyncConnection, event: Event[Any]) -> list[Event[Any]]:
    """NominationAccepted: the nomination waits for the office's decision."""
    payload = event.payload
    assert isinstance(payload, NominationAccepted)
    if await repository.get(session, payload.nomination_id) is None:
        await repository.add(session, case_from_accepted(payload, datetime.now(UTC)), event.envelope.correlation_id)
    return []


async def decide_case(
    db: Database,
    relay: OutboxRelay,
    nomination_id: uuid.UUID,
    decision: Decision,
    *,
    by: str,
    note: str = "",
    reasons: list[Reason] | None = None,
) -> ReviewCase:
    """Decide a case and stage the event that announces it, in one transaction."""
    async with db.transaction() as session:
        found = await repository.get(session, nomination_id, for_update=True)
        if found is None:
            raise CaseNotFound(nomination_id)
        case, correlation_id = found
        case.decide(decision, by=by, at=datetime.now(UTC), note=note, reasons=reasons)
        await repository.save(session, case)
        await stage(session, messaging, decision_event(case, correlation_id))
    relay.wake()
    return case
