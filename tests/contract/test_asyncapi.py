"""The committed AsyncAPI document is the one the contract generates (`make asyncapi`)."""

from __future__ import annotations

import json
from pathlib import Path

from common.asyncapi import asyncapi_document
from common.events import EVENT_TYPES

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "asyncapi.json"


def test_committed_document_is_current() -> None:
    committed = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    assert committed == json.loads(json.dumps(asyncapi_document())), "run `make asyncapi` and commit the result"


def test_every_event_type_is_documented_with_its_schema() -> None:
    committed = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    schemas = committed["components"]["schemas"]
    for type_name, version in EVENT_TYPES:
        assert f"{type_name}V{version}" in schemas
    assert set(schemas["NominationSubmittedV1"]["properties"]) >= {"event_id", "type", "data", "correlation_id"}
