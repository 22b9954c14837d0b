"""Log lines an operator can read and a log collector can parse: one JSON object per line.

Every line names the service, its level, the logger and the message; a line about a stream entry
(its fields given as ``extra=entry_context(…)``) also carries the stream, the entry id and, when
the entry holds an event, its event id and correlation id (the whole path of one submission shares
it), so that ``grep`` or a collector can follow one nomination through all four services.
``LOG_FORMAT=text`` gives plain lines instead.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from common.wire import EVENT_FIELD, SIGNED_FIELD

__all__ = ["JsonLines", "configure_logging", "entry_context"]

_FIELDS = ("stream", "group", "entry_id", "event_id", "correlation_id", "event_type")


def entry_context(stream: str, group: str, entry_id: str, fields: Mapping[str, bytes]) -> dict[str, str]:
    """The log fields of a stream entry: where it is, and which event it holds when that can be read."""
    out = {"stream": stream, "group": group, "entry_id": entry_id}
    envelope: Any = None
    with contextlib.suppress(ValueError, TypeError, IndexError, UnicodeDecodeError):
        if EVENT_FIELD in fields:
            envelope = json.loads(fields[EVENT_FIELD])
        elif SIGNED_FIELD in fields:  # a unit's compact JWS: the envelope is its payload, unverified here
            payload = fields[SIGNED_FIELD].split(b".")[1]
            envelope = json.loads(base64.urlsafe_b64decode(payload + b"=" * (-len(payload) % 4)))
    if isinstance(envelope, dict):
        for key, name in (("event_id", "event_id"), ("correlation_id", "correlation_id"), ("type", "event_type")):
            value = envelope.get(key)
            if isinstance(value, str) and len(value) <= 100:
                out[name] = value
    return out


class JsonLines(logging.Formatter):
    """One JSON object per record: time (UTC), level, service, logger, message, context, error."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in _FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = str(value)
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure_logging(service: str, level: str, fmt: str = "json") -> None:
    """Send every logger of the process (uvicorn's and FastStream's too) to standard error in one format."""
    handler = logging.StreamHandler()
    if fmt == "json":
        handler.setFormatter(JsonLines(service))
    else:
        handler.setFormatter(logging.Formatter(f"%(asctime)s %(levelname)s {service} %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
