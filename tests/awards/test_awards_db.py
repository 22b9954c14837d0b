"""Integration tests of the awards service on real SQLite and PostgreSQL databases and a real Redis."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from redis.asyncio import Redis
from sqlalchemy import select

from awards.adapters.orm import awards, exemplars, messaging
from awards.adapters.repository import AwardsStore
from awards.config import MIGRATIONS
from awards.domain.model import AlreadyGranted
from awards.service.handlers import AwardsOffice, DecisionRequest, issue_decision_for
from common.auth import Role
from common.db import Database
from common.events import Event, ExemplarRejected, Reason, new_event
from common.migrations import upgrade
from common.wire import encode_entry
from tests.awards.support import OFFICER, SIGNER_TITLE, approved, count, delivery, processor_of, record, token
from tests.helpers import add_entry, stream_events


async def test_an_approved_exemplar_is_recorded_once(db_url: str, redis_client: Redis) -> None:
    upgrade(MIGRATIONS, db_url)
    db = Database.connect(db_url)
    try:
        process = processor_of(db)
        event = approved()
        await process([delivery(event, "1-0")])
        await process([delivery(event, "2-0")])  # redelivered
        rejected = new_event(
            ExemplarRejected(
                nomination_id=uuid.uuid4(),
                unit_id="xa-ban-nguyen",
                decided_by="Phòng Nội vụ",
                reasons=[Reason(code="thieu-ho-so", message="Thiếu hồ sơ")],
            ),
            producer="review",
        )
        await process([delivery(rejected, "3-0")])  # not this group's business
        assert await count(db, exemplars) == 1
        assert await count(db, messaging.inbox) == 1
        async with db.read() as session:
            row = (await session.execute(select(exemplars))).one()
        assert row.exemplar_id == event.payload.exemplar_id
        assert row.correlation_id == event.envelope.correlation_id
        assert row.nominee_name == "Nguyễn Thị Hoa"
        async with db.read() as session:
            found = (await AwardsStore(session).load_exemplars([event.payload.exemplar_id]))[event.payload.exemplar_id]
        assert found.approved_at == event.envelope.occurred_at  # aware, on SQLite too
    finally:
        await db.dispose()


async def test_grant_issues_a_decision_and_stages_one_event(
    app: FastAPI, client: httpx.AsyncClient, redis_client: Redis
) -> None:
    event = approved()
    exemplar_id = event.payload.exemplar_id
    await record(app, event)
    body = {"exemplar_id": str(exemplar_id), "signed_on": "2026-03-02", "citation": "Đã có thành tích xuất sắc"}

    response = await client.post("/awards", json=body, headers=OFFICER)

    assert response.status_code == 201, response.text
    award = response.json()
    assert award["decision_number"] == "01/QĐ-UBND"
    assert award["form"] == "giay-khen"
    assert award["amount_vnd"] == 710_000
    assert award["base_salary_vnd"] == 2_340_000
    assert award["multiplier"] == "0.3"
    assert award["signer"] == SIGNER_TITLE
    assert award["granted_by"] == "Trần Văn Bình"
    db: Database = app.state.runtime.db
    assert await count(db, awards) == 1
    async with db.read() as session:
        rows = (await session.execute(select(messaging.outbox))).all()
    assert [r.type for r in rows] == ["AwardGranted"]
    envelope = json.loads(rows[0].envelope)
    assert envelope["correlation_id"] == str(event.envelope.correlation_id)
    assert envelope["producer"] == "awards"
    assert envelope["data"]["amount_vnd"] == 710_000
    assert envelope["data"]["nomination_id"] == str(event.payload.nomination_id)

    again = await client.post("/awards", json=body, headers=OFFICER)

    assert again.status_code == 409
    assert (
        again.json()["detail"]["reason"]
        == f"Giấy khen was already granted to exemplar {exemplar_id} by decision 01/QĐ-UBND"
    )
    assert await count(db, messaging.outbox) == 1
    assert await count(db, awards) == 1
    # The relay puts the one event on its stream.
    for _ in range(100):
        if await redis_client.xlen("awards.events") >= 1:
            break
        await asyncio.sleep(0.05)
    entries = await stream_events(redis_client, "awards.events")
    assert len(entries) == 1
    assert entries[0]["data"]["award_id"] == award["award_id"]

    shown = await client.get(f"/exemplars/{exemplar_id}", headers=token(Role.REVIEWER))
    assert shown.status_code == 200
    assert [a["decision_number"] for a in shown.json()["awards"]] == ["01/QĐ-UBND"]
    listed = await client.get("/awards", headers=token(Role.SIGNER))
    assert listed.json()["total"] == 1
    one = await client.get(f"/awards/{award['award_id']}", headers=token(Role.OPERATOR))
    assert one.json()["amount_vnd"] == 710_000


async def test_decision_numbers_restart_every_year(app: FastAPI, client: httpx.AsyncClient) -> None:
    grants = [("individual", "2025-03-01"), ("collective", "2025-05-20"), ("individual", "2026-01-05")]
    numbers = []
    for kind, signed_on in grants:
        event = approved(kind, at=datetime(2024, 12, 20, 3, tzinfo=UTC))
        await record(app, event)
        body = {"exemplar_id": str(event.payload.exemplar_id), "signed_on": signed_on, "signer": "Phó Chủ tịch"}
        response = await client.post("/awards", json=body, headers=token(Role.SIGNER))
        assert response.status_code == 201, response.text
        numbers.append((response.json()["decision_number"], response.json()["amount_vnd"]))
    assert numbers == [("01/QĐ-UBND", 710_000), ("02/QĐ-UBND", 1_410_000), ("01/QĐ-UBND", 710_000)]
    listed = await client.get("/exemplars", headers=OFFICER)
    assert listed.json()["total"] == 3
    assert all(item["awards"][0]["signer"] == "Phó Chủ tịch" for item in listed.json()["items"])
    of_2025 = await client.get("/awards", params={"year": 2025}, headers=OFFICER)
    assert [a["decision_number"] for a in of_2025.json()["items"]] == ["01/QĐ-UBND", "02/QĐ-UBND"]


async def test_concurrent_grants_get_distinct_numbers(app: FastAPI) -> None:
    runtime = app.state.runtime
    office: AwardsOffice = app.state.office
    events = [approved() for _ in range(4)]
    for event in events:
        await record(app, event)

    def request(event: Event[Any], form: str = "giay-khen") -> DecisionRequest:
        return DecisionRequest(
            exemplar_ids=[event.payload.exemplar_id], form=form, granted_by="officer", signed_on=date(2026, 2, 2)
        )

    granted = await asyncio.gather(*(issue_decision_for(runtime.unit_of_work(), office, request(e)) for e in events))
    assert sorted(d.number for d in granted) == [f"{n:02d}/QĐ-UBND" for n in (1, 2, 3, 4)]

    same = request(events[0], "lao-dong-tien-tien")
    results = await asyncio.gather(
        *(issue_decision_for(runtime.unit_of_work(), office, same) for _ in range(2)), return_exceptions=True
    )
    assert sorted(type(r).__name__ for r in results) == ["AlreadyGranted", "Decision"]
    assert any(isinstance(r, AlreadyGranted) for r in results)
    assert await count(runtime.db, awards) == 5
    assert await count(runtime.db, messaging.outbox) == 5


async def test_refusals_say_why(app: FastAPI, client: httpx.AsyncClient) -> None:
    household = approved("household", "Hộ ông Lê Văn Nam")
    await record(app, household)
    exemplar_id = str(household.payload.exemplar_id)

    unknown = await client.post("/awards", json={"exemplar_id": str(uuid.uuid4())}, headers=OFFICER)
    assert unknown.status_code == 404
    assert "no approved exemplar" in unknown.json()["detail"]["reason"]

    bad_form = await client.post("/awards", json={"exemplar_id": exemplar_id, "form": "bang-khen"}, headers=OFFICER)
    assert bad_form.status_code == 422
    assert "known forms: giay-khen, lao-dong-tien-tien" in bad_form.json()["detail"]["reason"]

    tomorrow = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    future = await client.post("/awards", json={"exemplar_id": exemplar_id, "signed_on": tomorrow}, headers=OFFICER)
    assert future.status_code == 422
    assert "is in the future" in future.json()["detail"]["reason"]

    early = await client.post("/awards", json={"exemplar_id": exemplar_id, "signed_on": "2025-06-30"}, headers=OFFICER)
    assert early.status_code == 422
    assert early.json()["detail"]["code"] == "not-grantable" and "household" in early.json()["detail"]["reason"]

    not_for_households = {"exemplar_id": exemplar_id, "form": "lao-dong-tien-tien", "signed_on": "2026-03-02"}
    wrong_kind = await client.post("/awards", json=not_for_households, headers=OFFICER)
    assert wrong_kind.status_code == 422

    clerk = await client.post("/awards", json={"exemplar_id": exemplar_id}, headers=token(Role.CLERK, unit="x"))
    assert clerk.status_code == 403
    anonymous = await client.post("/awards", json={"exemplar_id": exemplar_id})
    assert anonymous.status_code == 401
    assert (await client.get("/exemplars")).status_code == 401
    assert (await client.get(f"/exemplars/{uuid.uuid4()}", headers=OFFICER)).status_code == 404
    assert (await client.get(f"/awards/{uuid.uuid4()}", headers=OFFICER)).status_code == 404
    assert (await client.get("/exemplars", headers=token(Role.EDITOR))).status_code == 403

    db: Database = app.state.runtime.db
    assert await count(db, awards) == 0
    assert await count(db, messaging.outbox) == 0

    today = await client.post("/awards", json={"exemplar_id": exemplar_id}, headers=OFFICER)
    assert today.status_code == 201, today.text
    # Signed today (since 2026-07-01): household 1.5 × 0.3 × 2,530,000 = 1,138,500 → 1,140,000.
    assert today.json()["amount_vnd"] == 1_140_000


async def test_rules_are_public(client: httpx.AsyncClient) -> None:
    response = await client.get("/rules")
    assert response.status_code == 200
    rules = response.json()
    assert [s["amount_vnd"] for s in rules["base_salaries"]] == ["1490000", "1800000", "2340000", "2530000"]
    giay_khen = next(f for f in rules["forms"] if f["id"] == "giay-khen")
    assert {(m["value"], m["effective_from"], m["grantor"]) for m in giay_khen["multipliers"]} == {
        ("0.3", "2024-01-01", "district"),
        ("0.15", "2024-01-01", "commune"),
        ("0.3", "2025-07-01", None),
    }


async def test_the_consumer_reads_review_events_from_the_stream(client: httpx.AsyncClient, redis_client: Redis) -> None:
    event = approved("collective", "Hợp tác xã Thạch Sơn")
    await add_entry(redis_client, "review.events", encode_entry(event.envelope.model_dump_json()))
    path = f"/exemplars/{event.payload.exemplar_id}"
    response = await client.get(path, headers=OFFICER)
    for _ in range(100):
        if response.status_code == 200:
            break
        await asyncio.sleep(0.1)
        response = await client.get(path, headers=OFFICER)
    assert response.status_code == 200
    assert response.json()["nominee_kind"] == "collective"
    assert response.json()["awards"] == []
