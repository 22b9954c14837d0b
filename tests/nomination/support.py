"""The nomination service running in the test's own process, as a context manager."""

from __future__ import annotations

import contextlib
import itertools
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from pydantic import SecretStr

from common.consumer import Delivery, EntryHandler
from common.db import Database
from common.events import NominationSubmitted, new_event
from common.organisation import Organisation
from common.signing import sign_compact
from common.wire import SIGNED_FIELD
from exemplars_tools.state import StateFolder
from nomination.adapters.orm import messaging
from nomination.adapters.repository import NominationStore, name_key
from nomination.bootstrap import bootstrap
from nomination.config import Settings
from nomination.domain.registry import registry_key
from nomination.domain.windows import Calendar
from nomination.entrypoints.consumers import subscriptions_for
from nomination.integration import to_integration
from nomination.service.handlers import Intake
from tests.conftest import TEST_SECRET
from tests.helpers import units_of_work


@contextlib.asynccontextmanager
async def running_nomination(
    db_url: str, redis_url: str, state: Path, *, redis_user: str = "", **more: Any
) -> AsyncIterator[FastAPI]:
    """The service on a migrated database with its consumers running; deliveries retried quickly.

    ``redis_user``: connect as that user, with its password from the state folder; ``more``:
    other settings.
    """
    folder = StateFolder(state)
    settings = Settings(
        database_url=db_url,
        redis_url=redis_url,
        redis_username=redis_user,
        redis_password_file=folder.redis_password(redis_user) if redis_user else None,
        auth_secret=SecretStr(TEST_SECRET),
        organisation_file=folder.organisation,
        claim_idle_ms=500,
        max_deliveries=3,
        **more,
    )
    app = bootstrap(settings)
    async with app.router.lifespan_context(app):
        yield app


def stored_nomination(
    unit_id: str, quarter: str, name: str, *, kind: str = "individual", **extra: Any
) -> dict[str, Any]:
    """A row of the nominations table as intake would have written it (``extra`` overrides columns)."""
    row: dict[str, Any] = {
        "nomination_id": uuid.uuid4(),
        "submission_event_id": uuid.uuid4(),
        "unit_id": unit_id,
        "quarter": quarter,
        "field": "agriculture",
        "nominee_kind": kind,
        "nominee_name": name,
        "nominee_name_key": name_key(name),
        "nominee_title": "Nông dân",
        "birth_year": None,
        "identity_number": None,
        "phone": None,
        "address": None,
        "achievements": "Trồng 3 ha bưởi theo tiêu chuẩn VietGAP, giúp 5 hộ thoát nghèo.",
        "consent_to_publish": True,
        "channel": "stream",
        "submitted_by": f"system:{unit_id}",
        "submitted_at": datetime.now(UTC),
        "status": "accepted",
        "reasons": [],
        "correlation_id": uuid.uuid4(),
        "person_id": uuid.uuid4(),
        "registry_key": registry_key(name),
        "registry_warnings": [],
        "notes": [],
    }
    return {**row, **extra}


_entry_ids = itertools.count(1)


def processors(db: Database, organisation: Organisation, calendar: Calendar | None = None) -> dict[str, EntryHandler]:
    """The processors the running service reads its two streams with, by stream (no Redis is used)."""
    uow = units_of_work(db, "nomination", messaging, NominationStore, to_integration)
    intake = Intake(organisation, calendar or Calendar())
    return {sub.stream: sub.handler for sub in subscriptions_for(intake)(uow)}


def signed(
    state: Path, body: dict[str, Any], unit: str = "xa-ban-nguyen", *, occurred_at: datetime | None = None
) -> tuple[uuid.UUID, Delivery]:
    """A unit system's entry, as the service reads it; ``occurred_at`` is the time the sender writes."""
    event = new_event(NominationSubmitted.model_validate(body), producer=unit, occurred_at=occurred_at)
    token = sign_compact(
        event.envelope.model_dump_json().encode(), (state / "unit-keys" / f"{unit}.pem").read_bytes(), unit
    )
    return event.event_id, Delivery(
        stream=NominationSubmitted.STREAM,
        group="nomination",
        entry_id=f"{time.time_ns() // 1_000_000}-{next(_entry_ids)}",  # as Redis would give it now
        fields={SIGNED_FIELD: token.encode()},
    )
