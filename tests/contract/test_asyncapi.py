"""The committed AsyncAPI document is the one the services' own registrations generate (`make asyncapi`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from common.events import EVENT_TYPES
from common.registry import SERVICES, ServiceEntry
from exemplars_tools.asyncapi import documentation_runtime, system_document

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "asyncapi.json"


@pytest.fixture(scope="module")
def committed() -> dict[str, Any]:
    loaded = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def test_committed_document_is_current(committed: dict[str, Any]) -> None:
    assert committed == json.loads(json.dumps(system_document())), "run `make asyncapi` and commit the result"


def test_every_event_type_is_documented_with_its_schema(committed: dict[str, Any]) -> None:
    schemas = committed["components"]["schemas"]
    for type_name, version in EVENT_TYPES:
        assert f"{type_name}V{version}" in schemas
    assert set(schemas["NominationSubmittedV1"]["properties"]) >= {"event_id", "type", "data", "correlation_id"}


@pytest.mark.parametrize("entry", SERVICES, ids=lambda e: e.name)
def test_each_service_reads_what_the_registry_says_and_documents_what_it_applies(
    entry: ServiceEntry, committed: dict[str, Any]
) -> None:
    runtime = documentation_runtime(entry)
    assert sorted(s.stream for s in runtime.subscriptions) == sorted(entry.consumes)
    channels = committed["channels"]
    messages = committed["components"]["messages"]
    for sub in runtime.subscriptions:
        channel = channels[f"{sub.stream}:{entry.name}"]
        assert channel["bindings"]["redis"] == {
            "bindingVersion": "custom",
            "channel": sub.stream,
            "consumerName": f"{entry.name}-1",
            "groupName": entry.name,
            "method": "xreadgroup",
        }
        applied = messages[f"{sub.stream}:{entry.name}:SubscribeMessage"]["payload"]["oneOf"]
        assert applied == [{"$ref": f"#/components/schemas/{p.TYPE}V{p.VERSION}"} for p in sub.payloads]
        assert applied, f"{entry.name} reads {sub.stream} but applies nothing from it"
    for stream in entry.produces:
        types = [t for (t, _v), p in EVENT_TYPES.items() if stream == p.STREAM]
        assert types and all(f"{stream}:{t}" in channels for t in types)
