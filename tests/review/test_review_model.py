"""Review rules: a case is decided once, and a refusal must say why."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from common.events import Reason
from review.domain.model import AlreadyDecided, CaseDecided, Decision, ReviewCase, ReviewStatus


def case() -> ReviewCase:
    return ReviewCase(
        nomination_id=uuid.uuid4(),
        correlation_id=uuid.uuid4(),
        unit_id="xa-ban-nguyen",
        unit_name="Xã Bản Nguyên",
        quarter="2026-Q3",
        field="agriculture",
        nominee_kind="individual",
        nominee_name="Lê Văn Tám",
        nominee_title="Nông dân",
        achievements="Trồng bưởi hữu cơ.",
        consent_to_publish=True,
        received_at=datetime.now(UTC),
    )


def test_approval_makes_a_stable_exemplar_id() -> None:
    a, b = case(), case()
    b.nomination_id = a.nomination_id
    for c in (a, b):
        c.decide(Decision.APPROVE, by="Trần Văn Bình", at=datetime.now(UTC))
    assert a.status is ReviewStatus.APPROVED
    assert a.exemplar_id is not None and a.exemplar_id == b.exemplar_id


@pytest.mark.parametrize(
    ("decision", "status"), [(Decision.REJECT, ReviewStatus.REJECTED), (Decision.RETURN, ReviewStatus.RETURNED)]
)
def test_refusal_needs_a_reason(decision: Decision, status: ReviewStatus) -> None:
    c = case()
    with pytest.raises(ValueError, match="reason"):
        c.decide(decision, by="x", at=datetime.now(UTC))
    assert c.status is ReviewStatus.PENDING
    c.decide(decision, by="x", at=datetime.now(UTC), reasons=[Reason(code="thieu-ho-so", message="Thiếu báo cáo")])
    assert c.status is status
    assert c.exemplar_id is None


def test_decided_once() -> None:
    c = case()
    c.decide(Decision.APPROVE, by="x", at=datetime.now(UTC))
    with pytest.raises(AlreadyDecided):
        c.decide(Decision.REJECT, by="y", at=datetime.now(UTC), reasons=[Reason(code="a", message="b")])
    assert c.status is ReviewStatus.APPROVED and c.decided_by == "x"


def test_a_decided_case_records_that_it_was_decided_once() -> None:
    c = case()
    assert c.events == []
    c.decide(Decision.APPROVE, by="Trần Văn Bình", at=datetime.now(UTC), note="Đạt")
    [event] = c.events
    assert isinstance(event, CaseDecided)
    assert event.case.status is ReviewStatus.APPROVED and event.case.note == "Đạt"
    assert event.case.events == []  # a snapshot, not the live case
    with pytest.raises(AlreadyDecided):
        c.decide(Decision.REJECT, by="y", at=datetime.now(UTC), reasons=[Reason(code="a", message="b")])
    assert len(c.events) == 1
