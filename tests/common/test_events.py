"""The event contract: envelopes round-trip, text is NFC, and each defect has its own code."""

from __future__ import annotations

import json
import unicodedata

import pytest

from common.errors import Unprocessable
from common.events import (
    EVENT_TYPES,
    NominationSubmitted,
    Nominee,
    NomineeKind,
    new_event,
    parse_event,
)
from tests.helpers import story_published


def submission(**overrides: object) -> NominationSubmitted:
    data: dict[str, object] = {
        "unit_id": "xa-ban-nguyen",
        "quarter": "2026-Q3",
        "field": "agriculture",
        "nominee": Nominee(kind=NomineeKind.INDIVIDUAL, name="Lê Văn Tám", title="Nông dân"),
        "achievements": "Mô hình trồng bưởi hữu cơ cho thu nhập cao.",
        "consent_to_publish": True,
    }
    data.update(overrides)
    return NominationSubmitted.model_validate(data)


def test_round_trip_keeps_payload_and_envelope() -> None:
    event = new_event(submission(), producer="xa-ban-nguyen")
    parsed = parse_event(event.envelope.model_dump_json())
    assert parsed.envelope == event.envelope
    assert parsed.payload == event.payload
    assert parsed.envelope.correlation_id == parsed.envelope.event_id
    assert parsed.envelope.causation_id is None


def test_caused_event_follows_the_correlation() -> None:
    first = new_event(submission(), producer="unit")
    second = new_event(story_published().payload, producer="publishing", causation=first.envelope)
    assert second.envelope.correlation_id == first.envelope.correlation_id
    assert second.envelope.causation_id == first.envelope.event_id


def test_text_is_stored_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Hoà")
    assert decomposed != unicodedata.normalize("NFC", decomposed)
    nominee = Nominee(kind=NomineeKind.INDIVIDUAL, name=decomposed)
    assert nominee.name == unicodedata.normalize("NFC", "Nguyễn Thị Hoà")


def _raw(**changes: object) -> str:
    body = json.loads(new_event(submission(), producer="unit").envelope.model_dump_json())
    for key, value in changes.items():
        if value is None:
            body.pop(key)
        else:
            body[key] = value
    return json.dumps(body)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("{not json", "malformed-json"),
        (_raw(event_id=None), "invalid-envelope"),
        (_raw(type="NominationCancelled"), "unknown-type"),
        (_raw(schema_version=7), "unknown-version"),
        (_raw(data={"unit_id": "xa-ban-nguyen"}), "invalid-data"),
    ],
)
def test_each_defect_has_a_code(raw: str, code: str) -> None:
    with pytest.raises(Unprocessable) as caught:
        parse_event(raw)
    assert caught.value.code == code
    assert caught.value.message


def test_missing_field_names_the_field() -> None:
    with pytest.raises(Unprocessable) as caught:
        parse_event(_raw(data={"unit_id": "xa-ban-nguyen", "quarter": "2026-Q3"}))
    assert "achievements" in caught.value.message


def test_every_event_type_names_a_stream() -> None:
    assert {cls.STREAM for cls in EVENT_TYPES.values()} == {
        "nomination.submissions",
        "nomination.events",
        "review.events",
        "publishing.events",
        "awards.events",
        "nomination.outcomes.{unit}",  # one stream per unit
    }
