"""AsyncAPI documents made by FastStream's generator from what a service really registers.

A service's runtime attaches its consumers to its broker (one subscriber per stream it reads);
for the document, a publisher is declared for every event type on the streams it owns, and
FastStream writes the document from that broker. The subscribers' messages are then given the envelopes the service
applies (the handlers' payload types), since a consumer takes raw stream entries. The document
of the whole system merges the services' documents (``exemplars_tools.asyncapi``).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Literal

from faststream.redis import RedisBroker
from faststream.specification import AsyncAPI
from pydantic import BaseModel, create_model

from common.events import EVENT_TYPES, Envelope, EventPayload

if TYPE_CHECKING:
    from common.runtime import Runtime

__all__ = ["declare_publishers", "document", "merge_documents", "service_document"]

SCHEMAS = "#/components/schemas/"


@functools.cache
def _typed_envelope(payload: type[EventPayload]) -> type[BaseModel]:
    fields: dict[str, Any] = {
        "type": (Literal[payload.TYPE], ...),
        "schema_version": (Literal[payload.VERSION], ...),
        "data": (payload, ...),
    }
    model = create_model(f"{payload.TYPE}V{payload.VERSION}", __base__=Envelope, **fields)
    model.__doc__ = payload.__doc__
    return model


def _entry_form(stream: str) -> str:
    if stream == "nomination.submissions":
        return "field `jws`: a compact JWS over the envelope"
    return "field `event`: the envelope as JSON"


def declare_publishers(broker: RedisBroker, streams: Iterable[str]) -> None:
    """A publisher per event type on each of ``streams``, with the type's envelope as schema."""
    wanted = set(streams)
    for (type_name, _version), payload in sorted(EVENT_TYPES.items()):
        if payload.STREAM in wanted:
            broker.publisher(
                stream=payload.STREAM,
                schema=_typed_envelope(payload),
                title=f"{payload.STREAM}:{type_name}",
                description=f"{(payload.__doc__ or '').strip()} Stream entry: {_entry_form(payload.STREAM)}.",
            )


def _schemas_of(payloads: Sequence[type[EventPayload]]) -> dict[str, Any]:
    """Each payload's typed envelope, and what it refers to, as component schemas."""
    schemas: dict[str, Any] = {}
    for payload in payloads:
        schema = _typed_envelope(payload).model_json_schema(ref_template=SCHEMAS + "{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[schema["title"]] = schema
    return schemas


def document(broker: RedisBroker, title: str, version: str) -> dict[str, Any]:
    spec = AsyncAPI(broker, title=title, version=version)
    generated: dict[str, Any] = spec.to_specification().to_jsonable()
    for channel in generated.get("channels", {}).values():
        if "{unit}" in channel.get("address", ""):  # one stream per unit: the address has a parameter
            channel["parameters"] = {"unit": {"description": "the unit's id in the organisation file"}}
    return generated


def service_document(runtime: Runtime[Any, Any], version: str = "1.0.0") -> dict[str, Any]:
    """The service's own document: the streams it reads (and what it applies) and the events it writes.

    Publishers are declared on the runtime's broker here, for the document only (the relay writes
    these streams, never the broker): build a runtime for the document, not the one serving.
    """
    declare_publishers(runtime.broker, runtime.entry.writes)
    doc = document(runtime.broker, f"{runtime.service}: events on Redis Streams", version)
    components = doc.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for sub in runtime.subscriptions:
        message = components["messages"][f"{sub.stream}:{runtime.service}:SubscribeMessage"]
        message["payload"] = {"oneOf": [{"$ref": f"{SCHEMAS}{p.TYPE}V{p.VERSION}"} for p in sub.payloads]}
        for name, schema in _schemas_of(sub.payloads).items():
            schemas.setdefault(name, schema)
    if not any(SCHEMAS + "EmptyPayload" in str(m) for m in components.get("messages", {}).values()):
        schemas.pop("EmptyPayload", None)
    return doc


def merge_documents(documents: Sequence[dict[str, Any]], *, title: str, version: str) -> dict[str, Any]:
    """One document of the system: every service's channels, operations and components together."""
    merged: dict[str, Any] = {
        "asyncapi": documents[0]["asyncapi"],
        "info": {"title": title, "version": version},
        "defaultContentType": documents[0]["defaultContentType"],
        "servers": documents[0]["servers"],
        "channels": {},
        "operations": {},
        "components": {"messages": {}, "schemas": {}},
    }
    for doc in documents:
        for section in ("channels", "operations"):
            _join(merged[section], doc.get(section, {}), section)
        for section in ("messages", "schemas"):
            _join(merged["components"][section], doc.get("components", {}).get(section, {}), section)
    return merged


def _join(into: dict[str, Any], more: dict[str, Any], section: str) -> None:
    for name, value in more.items():
        if name in into and into[name] != value:
            raise ValueError(f"two services describe {section} {name!r} differently")
        into[name] = value
