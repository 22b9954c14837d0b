"""Batches of entries applied at once, on real databases (SQLite, then PostgreSQL).

The intake checks a whole batch's duplicates in one query and writes its rows with one statement
per table, and review outcomes are recorded a run at a time; these tests hold both to the
outcomes the entries would have had one after the other.
"""

from __future__ import annotations

import itertools
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from common.consumer import Delivery, EntryHandler
from common.dates import previous_quarter
from common.db import Database
from common.events import (
    ExemplarRejected,
    NominationAccepted,
    NominationFlagged,
    NominationRejected,
    NominationReturned,
    Reason,
    SubmissionOutcome,
    new_event,
    parse_event,
)
from common.organisation import load_organisation
from common.wire import EVENT_FIELD
from exemplars_tools.state import StateFolder
from nomination.adapters.orm import messaging, nominations, rejected_submissions
from nomination.adapters.repository import NominationStore, nominee_key
from tests.helpers import open_quarter
from tests.nomination.support import processors, signed, stored_nomination
from tests.nomination.test_intake import UNIT, submission

_entry_ids = itertools.count(1)


async def outbox_events(db: Database) -> list[Any]:
    async with db.read() as conn:
        rows = (await conn.execute(select(messaging.outbox.c.envelope).order_by(messaging.outbox.c.id))).all()
    return [parse_event(row.envelope) for row in rows]


async def test_a_batch_has_the_outcomes_its_entries_would_have_one_by_one(
    intake: EntryHandler, db: Database, state: Path
) -> None:
    stored = submission(quarter=previous_quarter(open_quarter()))
    _, first = signed(state, stored)
    assert await intake([first]) == []

    twice = submission(quarter=previous_quarter(open_quarter()))
    same_person = {**twice, "nominee": {**twice["nominee"], "name": "  " + twice["nominee"]["name"].upper() + " "}}
    fresh = [signed(state, submission(unit=unit), unit) for unit in ("xa-ban-nguyen", "xa-lam-thao", "xa-phung-nguyen")]
    batch = [
        signed(state, stored),  # the nominee of the batch before: a duplicate
        signed(state, twice),
        signed(state, same_person),  # the same nominee again within the batch: a duplicate
        signed(state, submission(achievements="Quá ngắn")),  # breaks an intake rule
        *fresh,
    ]
    assert await intake([d for _, d in batch]) == []

    events = await outbox_events(db)
    by_cause = {
        e.envelope.causation_id: e.payload
        for e in events
        if e.payload.stream() == "nomination.events" and not isinstance(e.payload, NominationFlagged)
    }
    # Each unit is told of each of its submissions on its own stream, and of no other unit's.
    told = {e.envelope.causation_id: e.payload for e in events if isinstance(e.payload, SubmissionOutcome)}
    units = [UNIT] * 4 + ["xa-ban-nguyen", "xa-lam-thao", "xa-phung-nguyen"]
    assert [(told[i].stream(), told[i].outcome) for i, _ in batch] == [
        (f"nomination.outcomes.{unit}", "accepted" if isinstance(by_cause[i], NominationAccepted) else "refused")
        for (i, _), unit in zip(batch, units, strict=True)
    ]
    codes = {
        cause: [r.code for r in p.reasons] if isinstance(p, NominationRejected) else "accepted"
        for cause, p in by_cause.items()
    }
    ids = [event_id for event_id, _ in batch]
    assert [codes[i] for i in ids] == [
        ["duplicate-nomination"],
        "accepted",
        ["duplicate-nomination"],
        ["achievements-too-short"],
        "accepted",
        "accepted",
        "accepted",
    ]
    accepted = [p for p in by_cause.values() if isinstance(p, NominationAccepted)]
    assert {p.unit_id for p in accepted} == {"xa-ban-nguyen", "xa-lam-thao", "xa-phung-nguyen"}
    async with db.read() as conn:
        assert (await conn.execute(select(func.count()).select_from(nominations))).scalar_one() == 5
        assert (await conn.execute(select(func.count()).select_from(rejected_submissions))).scalar_one() == 3
        inbox = (await conn.execute(select(func.count()).select_from(messaging.inbox))).scalar_one()
    assert inbox == 8


async def test_a_replayed_submission_in_the_same_batch_is_refused_and_the_rest_applied(
    intake: EntryHandler, db: Database, state: Path
) -> None:
    event_id, original = signed(state, submission())
    copy = Delivery(
        original.stream, original.group, f"{time.time_ns() // 1_000_000}-{next(_entry_ids)}", original.fields
    )
    _, other = signed(state, submission())
    refused = await intake([original, copy, other])
    assert [(r.delivery.entry_id, r.error.code) for r in refused] == [(copy.entry_id, "replayed-event")]
    assert original.entry_id in refused[0].error.message
    async with db.read() as conn:
        assert (await conn.execute(select(func.count()).select_from(nominations))).scalar_one() == 2
        stored = await NominationStore(conn).get_by_submission(event_id)
    assert stored is not None and stored.channel == "stream"


async def test_duplicate_check_finds_every_stored_nominee_past_one_query_chunk(db: Database) -> None:
    stored = [(UNIT, "2026-Q1", f"Người thứ {i}") for i in range(700)]
    async with db.transaction() as conn:
        await conn.execute(
            nominations.insert(),
            [stored_nomination(unit, quarter, name) for unit, quarter, name in stored],
        )
    asked = [
        *stored,
        (UNIT, "2026-Q2", "Người thứ 1"),
        ("xa-lam-thao", "2026-Q1", "Người thứ 2"),
        (UNIT, "2026-Q1", "Ai đó"),
    ]
    async with db.read() as conn:
        taken = await NominationStore(conn).nominees_taken([(u, q, n.upper()) for u, q, n in asked])
    assert taken == {nominee_key(*nominee) for nominee in stored}


async def test_review_outcomes_are_recorded_a_run_at_a_time_and_an_unknown_one_fails_its_run(
    intake: EntryHandler, db: Database, state: Path
) -> None:
    ids = [signed(state, submission()) for _ in range(3)]
    assert await intake([d for _, d in ids]) == []
    async with db.read() as conn:
        stored = [await NominationStore(conn).get_by_submission(event_id) for event_id, _ in ids]
    a, b, c = [n.nomination_id for n in stored if n is not None]
    outcomes = processors(db, load_organisation(StateFolder(state).organisation))[ExemplarRejected.STREAM]
    why = [Reason(code="thieu-minh-chung", message="Thiếu minh chứng")]

    by = "Hội đồng Thi đua - Khen thưởng"

    def returned(nomination_id: uuid.UUID) -> Delivery:
        return event_delivery(NominationReturned(nomination_id=nomination_id, unit_id=UNIT, decided_by=by, reasons=why))

    def rejected(nomination_id: uuid.UUID) -> Delivery:
        return event_delivery(ExemplarRejected(nomination_id=nomination_id, unit_id=UNIT, decided_by=by, reasons=why))

    unknown = uuid.uuid4()
    run = [returned(a), returned(unknown), returned(b)]
    [refused] = await outcomes(run)  # the run fails; each entry alone says which one can never succeed
    assert refused.delivery is run[1] and refused.error.code == "unknown-nomination"
    assert str(unknown) in refused.error.message
    assert await statuses(db) == {a: "returned", b: "returned", c: "accepted"}

    # The same nomination returned, then rejected, in one batch: the later decision stands.
    assert await outcomes([returned(a), rejected(a), returned(c)]) == []
    assert await statuses(db) == {a: "rejected", b: "returned", c: "returned"}


def event_delivery(payload: Any) -> Delivery:
    event = new_event(payload, producer="review")
    return Delivery(
        stream=payload.STREAM,
        group="nomination",
        entry_id=f"{next(_entry_ids)}-0",
        fields={EVENT_FIELD: event.envelope.model_dump_json().encode()},
    )


async def statuses(db: Database) -> dict[uuid.UUID, str]:
    async with db.read() as conn:
        return dict((await conn.execute(select(nominations.c.nomination_id, nominations.c.status))).all())
