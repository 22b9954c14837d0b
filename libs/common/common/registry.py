"""The registry of services: each one's name, port, and the streams it reads and writes.

Everything that needs the list of services takes it from here: the local runner and the
benchmark (which processes to start, on which ports), the AsyncAPI document (which services to
ask for their subscriptions), the compose checks and the tests. A service refuses to start when
its subscriptions disagree with its entry, and to write an event to a stream it does not own.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SERVICES", "ServiceEntry", "owner", "service", "streams_read", "streams_written"]


@dataclass(frozen=True)
class ServiceEntry:
    """One deployable service: ``python -m <name>`` runs it."""

    name: str
    port: int
    consumes: tuple[str, ...]  # streams it reads, as the consumer group named after it
    produces: tuple[str, ...]  # streams only it writes


SERVICES: tuple[ServiceEntry, ...] = (
    ServiceEntry(
        "nomination", 8101, consumes=("nomination.submissions", "review.events"), produces=("nomination.events",)
    ),
    ServiceEntry("review", 8102, consumes=("nomination.events",), produces=("review.events",)),
    ServiceEntry("publishing", 8103, consumes=("review.events", "awards.events"), produces=("publishing.events",)),
    ServiceEntry("awards", 8104, consumes=("review.events",), produces=("awards.events",)),
)


def service(name: str) -> ServiceEntry:
    for entry in SERVICES:
        if entry.name == name:
            return entry
    raise KeyError(f"no service {name!r} in the registry; known: {', '.join(s.name for s in SERVICES)}")


def streams_read() -> tuple[str, ...]:
    """Every stream some service reads, in registry order; each has a dead-letter stream beside it."""
    return tuple(dict.fromkeys(stream for entry in SERVICES for stream in entry.consumes))


def streams_written() -> tuple[str, ...]:
    """Every stream some service writes; the others read are posted from outside (unit systems)."""
    return tuple(dict.fromkeys(stream for entry in SERVICES for stream in entry.produces))


def owner(stream: str) -> str | None:
    """The service that alone writes ``stream``; None for a stream posted from outside."""
    for entry in SERVICES:
        if stream in entry.produces:
            return entry.name
    return None
