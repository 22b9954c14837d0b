"""What the HTTP routes need from the running service: its runtime, intake rules and organisation."""

from __future__ import annotations

from fastapi import Request

from common.auth import Principal
from common.organisation import Organisation
from common.runtime import Runtime
from nomination.adapters.repository import NominationStore
from nomination.domain.model import NominationEvent
from nomination.service.handlers import Intake

__all__ = ["intake", "organisation", "runtime", "visible_units"]


def runtime(request: Request) -> Runtime[NominationStore, NominationEvent]:
    found: Runtime[NominationStore, NominationEvent] = request.app.state.runtime
    return found


def intake(request: Request) -> Intake:
    found: Intake = request.app.state.intake
    return found


def organisation(request: Request) -> Organisation:
    return intake(request).organisation


def visible_units(who: Principal, found: Organisation) -> tuple[str, ...] | None:
    """The units whose records a reader sees: a clerk, the unit's lineage (its own and its
    predecessors', a commune seeing those of the communes merged into it); staff, all (None)."""
    if not who.clerk_only:
        return None
    assert who.unit is not None
    return found.lineage(who.unit)
