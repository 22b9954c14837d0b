"""The AsyncAPI document of every event on every stream, generated from the contract."""

from __future__ import annotations

from typing import Any, Literal

from faststream.redis import RedisBroker, StreamSub
from faststream.specification import AsyncAPI
from pydantic import BaseModel, create_model

from common.events import EVENT_TYPES, Envelope, EventPayload

__all__ = ["CONSUMERS", "asyncapi_document"]

# Who reads which stream, as consumer groups; kept beside the contract so the document is whole.
CONSUMERS: dict[str, list[str]] = {
    "nomination.submissions": ["nomination"],
    "nomination.events": ["review"],
    "review.events": ["nomination", "publishing", "awards"],
    "awards.events": ["publishing"],
    "publishing.events": [],
}


def _typed_envelope(payload: type[EventPayload]) -> type[BaseModel]:
    fields: dict[str, Any] = {
        "type": (Literal[payload.TYPE], ...),
        "schema_version": (Literal[payload.VERSION], ...),
        "data": (payload, ...),
    }
    model = create_model(f"{payload.TYPE}V{payload.VERSION}", __base__=Envelope, **fields)
    model.__doc__ = payload.__doc__
    return model


def asyncapi_document(version: str = "1.0.0") -> dict[str, Any]:
    broker = RedisBroker()
    for (type_name, _version), payload in sorted(EVENT_TYPES.items()):
        entry = (
            "field `jws`: a compact JWS over the envelope"
            if payload.STREAM == "nomination.submissions"
            else "field `event`: the envelope as JSON"
        )
        broker.publisher(
            stream=payload.STREAM,
            schema=_typed_envelope(payload),
            title=f"{payload.STREAM}:{type_name}",
            description=f"{(payload.__doc__ or '').strip()} Stream entry: {entry}.",
        )
    for stream, groups in CONSUMERS.items():
        for group in groups:
            sub = broker.subscriber(
                stream=StreamSub(stream, group=group, consumer=f"{group}-1"),
                title=f"{stream}:{group}",
                description=f"Consumer group {group} reads {stream}; failed entries go to {stream}.dead.",
            )
            sub(_noop)
    spec = AsyncAPI(broker, title="Exemplars: events on Redis Streams", version=version)
    document: dict[str, Any] = spec.to_specification().to_jsonable()
    return document


async def _noop() -> None:
    """Documentation only: the services' own consumers do the work."""


def main() -> None:
    """Print the document as JSON: ``python -m common.asyncapi > docs/asyncapi.json``."""
    import json

    print(json.dumps(asyncapi_document(), ensure_ascii=False, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
