"""The registry of services: each one's name, port, and the streams it reads and writes.

Everything that needs the list of services takes it from here: the local runner and the
benchmark (which processes to start, on which ports), the AsyncAPI document (which services to
ask for their subscriptions), the compose checks and the tests. A service refuses to start when
its subscriptions or its events disagree with its entry, and a consumer knows from it which
service owns the stream an event arrived on.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SERVICES", "UNIT_SYSTEMS", "ServiceEntry", "owner_of", "service"]

# Who writes ``nomination.submissions``: the units' own systems, not a service.
UNIT_SYSTEMS = "unit-systems"


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

_EXTERNAL = {"nomination.submissions": UNIT_SYSTEMS}


def service(name: str) -> ServiceEntry:
    for entry in SERVICES:
        if entry.name == name:
            return entry
    raise KeyError(f"no service {name!r} in the registry; known: {', '.join(s.name for s in SERVICES)}")


def owner_of(stream: str) -> str | None:
    """Who may write ``stream``: a service's name, ``unit-systems``, or None for an unknown stream."""
    for entry in SERVICES:
        if stream in entry.produces:
            return entry.name
    return _EXTERNAL.get(stream)
