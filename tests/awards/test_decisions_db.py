"""Integration tests of decisions for a list of exemplars, on real SQLite and PostgreSQL databases."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from typing import Any

import httpx
from alembic import command
from fastapi import FastAPI
from sqlalchemy import create_engine, select

from awards.adapters.orm import awards, decisions, exemplars, messaging
from awards.adapters.repository import AwardsStore
from awards.config import MIGRATIONS
from common.auth import Role
from common.db import Database, sync_url
from common.migrations import alembic_config
from tests.awards.support import OFFICER, SIGNER_TITLE, approved, count, record, token


async def recorded(app: FastAPI, *kinds: str) -> list[str]:
    ids: list[str] = []
    for kind in kinds:
        event = approved(kind, f"Người nhận {len(ids) + 1}")
        await record(app, event)
        ids.append(str(event.payload.exemplar_id))
    return ids


async def outbox_data(db: Database) -> list[dict[str, Any]]:
    async with db.read() as session:
        rows = (await session.execute(select(messaging.outbox).order_by(messaging.outbox.c.id))).all()
    assert {r.type for r in rows} <= {"AwardGranted"}
    return [json.loads(r.envelope)["data"] for r in rows]


async def test_one_decision_commends_a_list_of_exemplars(app: FastAPI, client: httpx.AsyncClient) -> None:
    ids = await recorded(app, "individual", "collective", "household")
    body = {"exemplar_ids": ids, "signed_on": "2026-03-02", "citation": "Đã có thành tích xuất sắc"}

    response = await client.post("/decisions", json=body, headers=OFFICER)

    assert response.status_code == 201, response.text
    decision = response.json()
    assert decision["decision_number"] == "01/QĐ-UBND"
    assert (decision["year"], decision["seq"], decision["form"]) == (2026, 1, "giay-khen")
    assert decision["signer"] == SIGNER_TITLE
    assert decision["granted_by"] == "Trần Văn Bình"
    assert decision["recipient_count"] == 3
    amounts = {a["exemplar_id"]: a["amount_vnd"] for a in decision["awards"]}
    assert amounts == {ids[0]: 710_000, ids[1]: 1_410_000, ids[2]: 1_060_000}
    assert decision["total_amount_vnd"] == 3_180_000

    db: Database = app.state.runtime.db
    assert await count(db, decisions) == 1
    assert await count(db, awards, awards.c.decision_id == uuid.UUID(decision["decision_id"])) == 3
    events = await outbox_data(db)
    assert {e["decision_number"] for e in events} == {"01/QĐ-UBND"}
    assert {e["exemplar_id"]: e["amount_vnd"] for e in events} == amounts
    assert {e["award_id"] for e in events} == {a["award_id"] for a in decision["awards"]}

    shown = await client.get(f"/decisions/{decision['decision_id']}", headers=token(Role.REVIEWER))
    assert shown.status_code == 200
    assert shown.json() == decision
    one = await client.get(f"/exemplars/{ids[2]}", headers=token(Role.OPERATOR))
    assert [(a["decision_number"], a["decision_id"]) for a in one.json()["awards"]] == [
        ("01/QĐ-UBND", decision["decision_id"])
    ]
    assert (await client.get("/awards", headers=OFFICER)).json()["total"] == 3


async def test_a_refused_decision_writes_nothing_and_names_the_exemplars(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    ids = await recorded(app, "individual", "household")
    db: Database = app.state.runtime.db
    stranger = str(uuid.uuid4())

    unknown = await client.post("/decisions", json={"exemplar_ids": [*ids, stranger]}, headers=OFFICER)
    assert unknown.status_code == 404
    assert unknown.json()["detail"]["exemplar_ids"] == [stranger]
    assert f"no approved exemplar {stranger}" in unknown.json()["detail"]["reason"]

    twice = await client.post("/decisions", json={"exemplar_ids": [ids[0], ids[1], ids[0]]}, headers=OFFICER)
    assert twice.status_code == 422
    assert f"only once in a decision: {ids[0]}" in twice.text

    not_for_households = {"exemplar_ids": ids, "form": "lao-dong-tien-tien", "signed_on": "2026-03-02"}
    wrong_kind = await client.post("/decisions", json=not_for_households, headers=OFFICER)
    assert wrong_kind.status_code == 422
    assert wrong_kind.json()["detail"]["exemplar_ids"] == [ids[1]]

    empty = await client.post("/decisions", json={"exemplar_ids": []}, headers=OFFICER)
    assert empty.status_code == 422
    too_many = {"exemplar_ids": [str(uuid.uuid4()) for _ in range(1001)]}
    assert (await client.post("/decisions", json=too_many, headers=OFFICER)).status_code == 422
    reader = await client.post("/decisions", json={"exemplar_ids": ids}, headers=token(Role.REVIEWER))
    assert reader.status_code == 403

    assert await count(db, decisions) == 0
    assert await count(db, awards) == 0
    assert await count(db, messaging.outbox) == 0

    single = await client.post("/awards", json={"exemplar_id": ids[1], "signed_on": "2026-03-02"}, headers=OFFICER)
    assert single.status_code == 201, single.text
    fresh = await recorded(app, "collective")

    again = await client.post("/decisions", json={"exemplar_ids": [fresh[0], ids[1]]}, headers=OFFICER)

    assert again.status_code == 409
    assert again.json()["detail"]["exemplar_ids"] == [ids[1]]
    assert "by decision 01/QĐ-UBND" in again.json()["detail"]["reason"]
    assert await count(db, decisions) == 1
    assert await count(db, awards) == 1
    assert await count(db, messaging.outbox) == 1
    # A refused decision took no number.
    after = await client.post("/decisions", json={"exemplar_ids": [fresh[0], ids[0]]}, headers=OFFICER)
    assert after.json()["decision_number"] == "02/QĐ-UBND"


async def test_single_grants_and_decisions_share_the_numbering(app: FastAPI, client: httpx.AsyncClient) -> None:
    ids = await recorded(app, "individual", "individual", "collective", "individual", "household")
    signer = token(Role.SIGNER)

    first = await client.post("/decisions", json={"exemplar_ids": ids[:2], "signed_on": "2026-01-05"}, headers=signer)
    single = await client.post("/awards", json={"exemplar_id": ids[2], "signed_on": "2026-01-06"}, headers=signer)
    last = await client.post("/decisions", json={"exemplar_ids": ids[3:], "signer": "Phó Chủ tịch"}, headers=signer)

    assert [r.status_code for r in (first, single, last)] == [201, 201, 201]
    assert first.json()["decision_number"] == "01/QĐ-UBND"
    assert single.json()["decision_number"] == "02/QĐ-UBND"
    assert single.json()["amount_vnd"] == 1_410_000
    today = datetime.now(UTC).date().isoformat()
    assert last.json()["decision_number"] == ("03/QĐ-UBND" if today.startswith("2026") else "01/QĐ-UBND")
    assert last.json()["signer"] == "Phó Chủ tịch"

    listed = await client.get("/decisions", params={"year": 2026}, headers=token(Role.OPERATOR))
    assert listed.status_code == 200
    items = listed.json()["items"]
    assert [d["decision_number"] for d in items][:2] == ["01/QĐ-UBND", "02/QĐ-UBND"]
    assert [d["recipient_count"] for d in items][:2] == [2, 1]
    assert items[1]["awards"][0]["award_id"] == single.json()["award_id"]
    assert single.json()["decision_id"] == items[1]["decision_id"]
    assert (await client.get(f"/decisions/{uuid.uuid4()}", headers=OFFICER)).status_code == 404
    assert (await client.get("/decisions")).status_code == 401


async def test_migration_makes_each_earlier_award_its_own_decision(db_url: str) -> None:
    config = alembic_config(MIGRATIONS, db_url)
    command.upgrade(config, "0001")
    event = approved()
    exemplar_id, award_id = event.payload.exemplar_id, uuid.uuid4()
    granted_at = datetime(2025, 9, 1, 3, 0, tzinfo=UTC)
    engine = create_engine(sync_url(db_url))
    with engine.begin() as conn:
        conn.execute(
            exemplars.insert(),
            {
                "exemplar_id": exemplar_id,
                "nomination_id": event.payload.nomination_id,
                "unit_id": "xa-ban-nguyen",
                "unit_name": "Xã Bản Nguyên",
                "quarter": "2025-Q3",
                "field": "agriculture",
                "nominee_kind": "individual",
                "nominee_name": "Nguyễn Thị Hoa",
                "nominee_title": "",
                "approved_at": granted_at,
                "correlation_id": uuid.uuid4(),
            },
        )
        # The 0001 schema: no decision_id column, so the statement leaves it out.
        conn.execute(
            awards.insert(),
            {
                "award_id": award_id,
                "exemplar_id": exemplar_id,
                "form": "giay-khen",
                "form_name": "Giấy khen",
                "decision_year": 2025,
                "decision_seq": 41,
                "decision_number": "41/QĐ-UBND",
                "signed_on": date(2025, 9, 1),
                "signer": SIGNER_TITLE,
                "citation": "",
                "recipient_name": "Nguyễn Thị Hoa",
                "recipient_kind": "individual",
                "multiplier": "0.3",
                "kind_factor": "1",
                "base_salary_vnd": 2_340_000,
                "amount_vnd": 710_000,
                "granted_by": "officer",
                "granted_at": granted_at,
            },
        )
    engine.dispose()

    command.upgrade(config, "head")

    db = Database.connect(db_url)
    try:
        async with db.read() as session:
            award = await AwardsStore(session).get_award(award_id)
            assert award is not None
            decision = await AwardsStore(session).get_decision(award.decision_id)
    finally:
        await db.dispose()
    assert decision is not None
    assert (decision.number, decision.year, decision.seq, decision.recipient_count) == ("41/QĐ-UBND", 2025, 41, 1)
    assert decision.authority_id == ""  # kept in the one register that served every decision before
    assert decision.granted_at == granted_at
    assert [a.award_id for a in decision.awards] == [award_id]
    # While every decision has one recipient, the migration can be undone.
    command.downgrade(config, "0001")
    command.upgrade(config, "head")
