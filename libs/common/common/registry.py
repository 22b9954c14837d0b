"""The registry of services: each one's name, port, and the streams it reads and writes.

Everything that needs the list of services takes it from here: the local runner and the
benchmark (which processes to start, on which ports), the AsyncAPI document (which services to
ask for their subscriptions), the compose checks and the tests. A service refuses to start when
its subscriptions disagree with its entry, and to write an event to a stream it does not own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from common.wire import UNIT_OUTCOMES

__all__ = [
    "SERVICES",
    "ServiceEntry",
    "matches",
    "owner",
    "readers",
    "service",
    "streams_read",
    "streams_trimmed_by",
    "streams_written",
]

_UNIT = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")  # a unit id, as the organisation file allows


@dataclass(frozen=True)
class ServiceEntry:
    """One deployable service: ``python -m <name>`` runs it."""

    name: str
    port: int
    consumes: tuple[str, ...]  # streams it reads, as the consumer group named after it
    produces: tuple[str, ...]  # streams only it writes
    produces_per_unit: tuple[str, ...] = ()  # stream templates ({unit}) it writes one per unit
    signs_in: bool = False  # creates and ends the staff's sessions (common.web.sessions)
    operates: bool = False  # the operator's console: reads every stream, redrives dead letters

    @property
    def writes(self) -> tuple[str, ...]:
        """The streams it writes, and the templates of the per-unit streams it writes."""
        return (*self.produces, *self.produces_per_unit)


SERVICES: tuple[ServiceEntry, ...] = (
    ServiceEntry(
        "nomination",
        8101,
        consumes=("nomination.submissions", "review.events", "awards.events"),
        produces=("nomination.events",),
        produces_per_unit=(UNIT_OUTCOMES,),
    ),
    ServiceEntry("review", 8102, consumes=("nomination.events",), produces=("review.events",)),
    ServiceEntry("publishing", 8103, consumes=("review.events", "awards.events"), produces=("publishing.events",)),
    ServiceEntry("awards", 8104, consumes=("review.events",), produces=("awards.events",)),
    # Sign-in and the staff's home page: no stream; it keeps the sessions every service reads.
    ServiceEntry("staff", 8105, consumes=(), produces=(), signs_in=True, operates=True),
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
        if any(matches(owned, stream) for owned in entry.writes):
            return entry.name
    return None


def matches(owned: str, stream: str) -> bool:
    """``stream`` is the stream ``owned`` names, or one of the per-unit streams it is the template of."""
    if "{unit}" not in owned:
        return stream == owned
    prefix, _, suffix = owned.partition("{unit}")
    unit = stream[len(prefix) : len(stream) - len(suffix)]
    return (
        stream.startswith(prefix)
        and stream.endswith(suffix)
        and re.fullmatch(r"[a-z0-9][a-z0-9-]{0,79}", unit) is not None
    )


def readers(stream: str) -> tuple[str, ...]:
    """The services that read ``stream``, each as the consumer group named after it."""
    return tuple(entry.name for entry in SERVICES if stream in entry.consumes)


def streams_trimmed_by(entry: ServiceEntry) -> tuple[str, ...]:
    """The streams a service trims: those it owns, and those posted from outside that it alone reads.

    (The per-unit streams it writes are trimmed by age; their names come from the outbox.)
    """
    posted = tuple(s for s in entry.consumes if owner(s) is None and readers(s) == (entry.name,))
    return (*entry.produces, *posted)
