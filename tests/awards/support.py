"""Helpers of the awards tests: approved exemplars, tokens, recording an exemplar, counting rows."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI
from sqlalchemy import func, select

from awards.adapters.orm import messaging
from awards.adapters.repository import AwardsStore
from awards.entrypoints.consumers import subscriptions
from awards.integration import to_integration
from common.auth import Role, mint_token
from common.consumer import Delivery, EntryHandler
from common.db import Database
from common.events import Event, ExemplarApproved, FieldOfWork, NomineeKind, new_event
from common.wire import encode_entry
from tests.conftest import TEST_SECRET
from tests.helpers import units_of_work

UNIT_NAMES = {"xa-ban-nguyen": "Xã Bản Nguyên", "xa-cao-xa": "Xã Cao Xá", "xa-lam-thao": "Xã Lâm Thao"}
SIGNER_TITLE = "Chủ tịch Ủy ban nhân dân xã Bản Nguyên"  # signing in 2026


APPROVED_AT = datetime(2025, 4, 10, 2, 30, tzinfo=UTC)  # 09:30 on 10/04/2025 in Vietnam


def approved(
    kind: str = "individual",
    name: str = "Nguyễn Thị Hoa",
    *,
    at: datetime = APPROVED_AT,
    unit: str = "xa-ban-nguyen",
    quarter: str = "2025-Q1",
    person_id: uuid.UUID | None = None,
) -> Event[ExemplarApproved]:
    payload = ExemplarApproved(
        exemplar_id=uuid.uuid4(),
        nomination_id=uuid.uuid4(),
        unit_id=unit,
        unit_name=UNIT_NAMES.get(unit, unit),
        quarter=quarter,
        field=FieldOfWork.AGRICULTURE,
        nominee_kind=NomineeKind(kind),
        nominee_name=name,
        nominee_title="Nông dân sản xuất giỏi",
        achievements="Mô hình trồng bưởi hữu cơ, giúp 20 hộ thoát nghèo.",
        consent_to_publish=True,
        decided_by="Phòng Nội vụ",
        person_id=person_id,
    )
    return new_event(payload, producer="review", correlation_id=uuid.uuid4(), occurred_at=at)


def delivery(event: Event[Any], entry_id: str) -> Delivery:
    fields = {k: v.encode() for k, v in encode_entry(event.envelope.model_dump_json()).items()}
    return Delivery(stream=ExemplarApproved.STREAM, group="awards", entry_id=entry_id, fields=fields)


def token(role: Role, **extra: Any) -> dict[str, str]:
    minted = mint_token(TEST_SECRET, subject=f"{role.value}-1", role=role, name="Trần Văn Bình", **extra)
    return {"Authorization": f"Bearer {minted}"}


OFFICER = token(Role.OFFICER)


def processor_of(db: Database) -> EntryHandler:
    """What the running service does with review.events (committed events stay in the outbox)."""
    [subscription] = subscriptions(units_of_work(db, "awards", messaging, AwardsStore, to_integration))
    assert subscription.stream == "review.events"
    return subscription.handler


async def count(db: Database, table: Any, *where: Any) -> int:
    async with db.read() as session:
        return int((await session.execute(select(func.count()).select_from(table).where(*where))).scalar_one())


async def record(app: FastAPI, event: Event[Any]) -> None:
    runtime = app.state.runtime
    await processor_of(runtime.db)([delivery(event, f"{uuid.uuid4().int % 10**9}-0")])
