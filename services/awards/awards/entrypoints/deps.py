"""What the HTTP routes need from the running service: its runtime and the office's rules."""

from __future__ import annotations

from fastapi import Request

from awards.adapters.repository import AwardsStore
from awards.domain.model import AwardsEvent
from awards.service.handlers import AwardsOffice
from common.runtime import Runtime

__all__ = ["office", "runtime"]


def runtime(request: Request) -> Runtime[AwardsStore, AwardsEvent]:
    found: Runtime[AwardsStore, AwardsEvent] = request.app.state.runtime
    return found


def office(request: Request) -> AwardsOffice:
    found: AwardsOffice = request.app.state.office
    return found
