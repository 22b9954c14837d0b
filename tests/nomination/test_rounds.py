"""A returned nomination completed as its next round, and a nomination withdrawn before a decision,
on real databases (SQLite, then PostgreSQL): what intake takes, refuses, and announces."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from common.consumer import EntryHandler
from common.db import Database
from common.errors import Unprocessable
from common.events import (
    ExemplarApproved,
    FieldOfWork,
    NominationAccepted,
    NominationReturned,
    NominationSubmitted,
    NominationWithdrawn,
    NomineeKind,
    OutcomeKind,
    Reason,
    SubmissionOutcome,
)
from common.organisation import load_organisation
from exemplars_tools.state import StateFolder
from nomination.adapters.orm import messaging
from nomination.adapters.repository import NominationStore
from nomination.domain.model import NominationStatus, Round, place
from nomination.integration import to_integration
from nomination.service.handlers import withdraw_nomination
from tests.helpers import units_of_work
from tests.nomination.support import processors, signed
from tests.nomination.test_batches import event_delivery, outbox_events
from tests.nomination.test_intake import UNIT, submission

WHY = [Reason(code="achievements-unproven", message="Thành tích chưa có số liệu, minh chứng cụ thể")]


async def _stored(db: Database, event_id: uuid.UUID) -> Any:
    async with db.read() as conn:
        return await NominationStore(conn).get_by_submission(event_id)


async def _returned(db: Database, state: Path, intake: EntryHandler, body: dict[str, Any]) -> uuid.UUID:
    event_id, delivery = signed(state, body)
    assert await intake([delivery]) == []
    first = await _stored(db, event_id)
    outcomes = processors(db, load_organisation(StateFolder(state).organisation))[NominationReturned.STREAM]
    returned = NominationReturned(
        nomination_id=first.nomination_id, unit_id=UNIT, decided_by="Trần Văn Bình", reasons=WHY
    )
    assert await outcomes([event_delivery(returned)]) == []
    return uuid.UUID(str(first.nomination_id))


def _accepted(events: list[Any]) -> list[NominationAccepted]:
    return [e.payload for e in events if isinstance(e.payload, NominationAccepted)]


async def test_a_returned_nomination_completed_is_its_next_round_not_a_duplicate(
    intake: EntryHandler, db: Database, state: Path
) -> None:
    body = submission()
    first = await _returned(db, state, intake, body)

    # Sent again as a fresh nomination: the nominee is already proposed for the quarter.
    again_id, again = signed(state, body)
    assert await intake([again]) == []
    assert await _stored(db, again_id) is None

    # Completing the returned one: round 2, linked to it, with the corrected name too.
    completed = {
        **body,
        "nominee": {**body["nominee"], "name": body["nominee"]["name"] + " (sửa)"},
        "resubmits": str(first),
    }
    second_id, second = signed(state, completed)
    assert await intake([second]) == []
    stored = await _stored(db, second_id)
    assert (stored.round, stored.previous_nomination_id, stored.status) == (2, first, NominationStatus.ACCEPTED)
    [announced] = [a for a in _accepted(await outbox_events(db)) if a.nomination_id == stored.nomination_id]
    assert (announced.round, announced.previous_nomination_id) == (2, first)

    # A returned nomination is completed once.
    third_id, third = signed(state, {**completed, "nominee": {**body["nominee"], "name": "Người khác hẳn"}})
    assert await intake([third]) == []
    assert await _stored(db, third_id) is None
    refusals = [e.payload for e in await outbox_events(db) if isinstance(e.payload, SubmissionOutcome)]
    codes = [r.code for outcome in refusals if outcome.outcome is OutcomeKind.REFUSED for r in outcome.reasons]
    assert codes == ["duplicate-nomination", "not-resubmittable"]


async def test_only_a_returned_nomination_of_the_unit_and_quarter_can_be_completed(
    intake: EntryHandler, db: Database, state: Path
) -> None:
    accepted_id, delivery = signed(state, submission())
    assert await intake([delivery]) == []
    waiting = await _stored(db, accepted_id)
    returned = await _returned(db, state, intake, submission())
    for body in (
        submission(resubmits=str(waiting.nomination_id)),  # still waiting for review
        submission(resubmits=str(uuid.uuid4())),  # no such nomination
        submission(unit="xa-lam-thao", resubmits=str(returned)),  # another unit's
    ):
        unit = body["unit_id"]
        event_id, attempt = signed(state, body, unit)
        assert await intake([attempt]) == []
        assert await _stored(db, event_id) is None


async def test_a_nomination_is_withdrawn_before_a_decision_and_the_office_and_unit_are_told(
    intake: EntryHandler, db: Database, state: Path
) -> None:
    body = submission()
    event_id, delivery = signed(state, body)
    assert await intake([delivery]) == []
    nomination = await _stored(db, event_id)
    uow = units_of_work(db, "nomination", messaging, NominationStore, to_integration)

    with pytest.raises(Unprocessable) as other_unit:
        await withdraw_nomination(uow(), nomination.nomination_id, units=["xa-lam-thao"], by="Cán bộ")
    assert other_unit.value.code == "no-such-nomination"

    done = await withdraw_nomination(
        uow(), nomination.nomination_id, units=[UNIT], by="Nguyễn Thị Hoa", reason="Gửi nhầm"
    )
    assert done.status is NominationStatus.WITHDRAWN
    events = await outbox_events(db)
    [withdrawn] = [e.payload for e in events if isinstance(e.payload, NominationWithdrawn)]
    assert (withdrawn.nomination_id, withdrawn.withdrawn_by, withdrawn.reason) == (
        nomination.nomination_id,
        "Nguyễn Thị Hoa",
        "Gửi nhầm",
    )
    assert [e.payload.outcome for e in events if isinstance(e.payload, SubmissionOutcome)][-1] is OutcomeKind.WITHDRAWN

    with pytest.raises(Unprocessable) as twice:
        await withdraw_nomination(uow(), nomination.nomination_id, units=[UNIT], by="Nguyễn Thị Hoa")
    assert twice.value.code == "not-withdrawable"

    # Withdrawn, the nominee may be proposed again in the quarter: the next round.
    again_id, again = signed(state, body)
    assert await intake([again]) == []
    assert (await _stored(db, again_id)).round == 2

    # A decision the office took before it heard of the withdrawal stands.
    outcomes = processors(db, load_organisation(StateFolder(state).organisation))[ExemplarApproved.STREAM]
    approved = ExemplarApproved(
        exemplar_id=uuid.uuid4(),
        nomination_id=nomination.nomination_id,
        unit_id=UNIT,
        unit_name="Xã Bản Nguyên",
        quarter=body["quarter"],
        field=FieldOfWork.AGRICULTURE,
        nominee_kind=NomineeKind.INDIVIDUAL,
        nominee_name=body["nominee"]["name"],
        achievements=body["achievements"],
        consent_to_publish=True,
        decided_by="Trần Văn Bình",
    )
    assert await outcomes([event_delivery(approved)]) == []
    assert (await _stored(db, event_id)).status is NominationStatus.APPROVED


def _round(status: NominationStatus, n: int = 1, quarter: str = "2026-Q4", unit: str = UNIT) -> Round:
    return Round(uuid.uuid4(), unit, quarter, n, status)


def test_where_a_submission_stands_among_its_nominee_s_nominations() -> None:
    fresh = NominationSubmitted.model_validate(submission(quarter="2026-Q4"))
    assert place(fresh, [], None, already_completed=False, unit_lineage=[UNIT]).round == 1
    assert (
        place(fresh, [_round(NominationStatus.WITHDRAWN)], None, already_completed=False, unit_lineage=[UNIT]).round
        == 2
    )
    for status in (NominationStatus.ACCEPTED, NominationStatus.RETURNED, NominationStatus.APPROVED):
        assert place(fresh, [_round(status)], None, already_completed=False, unit_lineage=[UNIT]).duplicate

    returned = _round(NominationStatus.RETURNED)
    completing = fresh.model_copy(update={"resubmits": returned.nomination_id})
    placed = place(completing, [returned], returned, already_completed=False, unit_lineage=[UNIT])
    assert (placed.round, placed.previous_nomination_id, placed.duplicate, placed.problems) == (
        2,
        returned.nomination_id,
        False,
        (),
    )
    # A unit merged into this one: its returned nomination is completed by its successor.
    merged = _round(NominationStatus.RETURNED, unit="xa-cao-xa")
    by_successor = fresh.model_copy(update={"resubmits": merged.nomination_id})
    assert place(by_successor, [], merged, already_completed=False, unit_lineage=[UNIT, "xa-cao-xa"]).round == 2
    for completes, done in (
        (returned, True),  # completed already
        (_round(NominationStatus.ACCEPTED), False),  # not returned
        (_round(NominationStatus.RETURNED, quarter="2026-Q3"), False),  # another quarter
        (None, False),  # nothing of the kind
    ):
        found = place(completing, [], completes, already_completed=done, unit_lineage=[UNIT])
        assert [r.code for r in found.problems] == ["not-resubmittable"]
