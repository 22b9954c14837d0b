"""Nomination intake on a real Redis and real databases: signed stream entries and the clerk API.

The service runs in this process with its real consumers; entries are posted with a plain Redis
client, as a unit system would.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from redis.asyncio import Redis

from common.auth import Role, mint_token
from common.dates import quarter_label
from common.events import NominationSubmitted, new_event
from common.migrations import upgrade
from common.signing import sign_compact
from exemplars_tools.cli import setup_state
from nomination.adapters.orm import nominations
from nomination.config import MIGRATIONS
from tests.conftest import TEST_SECRET
from tests.helpers import Fields, add_entry, eventually, open_quarter, stream_events, stream_fields
from tests.nomination.support import running_nomination, stored_nomination

UNIT = "xa-ban-nguyen"
SUBMISSIONS = "nomination.submissions"
DEAD = "nomination.submissions.dead"


def submission(unit: str = UNIT, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "unit_id": unit,
        "quarter": open_quarter(),
        "field": "agriculture",
        "nominee": {
            "kind": "individual",
            "name": f"Lê Văn Tám {uuid.uuid4().hex[:6]}",
            "title": "Nông dân",
            "identity_number": "025080001234",
            "phone": "0912 345 678",
            "address": "Khu 3, xã Bản Nguyên",
        },
        "achievements": "Mô hình trồng bưởi hữu cơ đạt chuẩn VietGAP, thu nhập 500 triệu đồng mỗi năm.",
        "consent_to_publish": True,
    }
    body.update(overrides)
    return body


def envelope(data: dict[str, Any], **changes: Any) -> dict[str, Any]:
    env: dict[str, Any] = json.loads(
        new_event(NominationSubmitted.model_validate(data), producer=UNIT).envelope.model_dump_json()
    )
    env.update(changes)
    return env


@pytest.fixture
def state(tmp_path: Path) -> Path:
    setup_state(tmp_path / "state")
    return tmp_path / "state"


def sign(state: Path, payload: bytes, unit: str = UNIT) -> str:
    return sign_compact(payload, (state / "unit-keys" / f"{unit}.pem").read_bytes(), unit)


@pytest.fixture
async def service(db_url: str, redis_url: str, state: Path) -> AsyncIterator[FastAPI]:
    upgrade(MIGRATIONS, db_url)
    async with running_nomination(db_url, redis_url, state) as app:
        yield app


@pytest.fixture
async def client(service: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=service), base_url="http://test") as http:
        yield http


def auth(role: Role = Role.CLERK, unit: str | None = UNIT) -> dict[str, str]:
    token = mint_token(TEST_SECRET, subject="u1", role=role, unit=unit if role is Role.CLERK else None, name="Cán bộ")
    return {"Authorization": f"Bearer {token}"}


async def dead_letters(redis: Redis, count: int) -> list[Fields]:
    async def probe() -> list[Fields]:
        entries = await stream_fields(redis, DEAD)
        return entries if len(entries) >= count else []

    return await eventually(probe)


async def events_of(redis: Redis, type_name: str, count: int) -> list[dict[str, Any]]:
    async def probe() -> list[dict[str, Any]]:
        found = [e for e in await stream_events(redis, "nomination.events") if e["type"] == type_name]
        return found if len(found) >= count else []

    return await eventually(probe)


async def test_signed_submission_is_accepted_without_personal_data_leaving(
    service: FastAPI, client: httpx.AsyncClient, redis_client: Redis, state: Path
) -> None:
    env = envelope(submission())
    await redis_client.xadd(SUBMISSIONS, {"jws": sign(state, json.dumps(env).encode())})
    [accepted] = await events_of(redis_client, "NominationAccepted", 1)
    assert accepted["causation_id"] == env["event_id"]
    assert accepted["correlation_id"] == env["correlation_id"]
    assert accepted["data"]["unit_name"] == "Xã Bản Nguyên"
    text = json.dumps(accepted, ensure_ascii=False)
    assert "025080001234" not in text and "0912" not in text and "Khu 3" not in text
    status = (await client.get(f"/submissions/{env['event_id']}", headers=auth())).json()
    assert status["state"] == "accepted"
    assert status["nomination"]["status"] == "accepted"
    assert status["nomination"]["channel"] == "stream"


def _tamper(token: str) -> str:
    header, _payload, signature = token.split(".")
    forged = base64.urlsafe_b64encode(json.dumps({"forged": True}).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


async def test_each_bad_entry_is_dead_lettered_with_its_reason_and_intake_goes_on(
    service: FastAPI, client: httpx.AsyncClient, redis_client: Redis, state: Path
) -> None:
    good = envelope(submission())
    missing = envelope(submission())
    del missing["data"]["achievements"]
    cases: list[tuple[dict[str, str | bytes], str]] = [
        ({"jws": sign(state, b"{not json")}, "malformed-json"),
        ({"jws": sign(state, json.dumps(missing).encode())}, "invalid-data"),
        ({"jws": sign(state, json.dumps(envelope(submission(), type="NominationCancelled")).encode())}, "unknown-type"),
        ({"jws": sign(state, json.dumps(envelope(submission(), schema_version=9)).encode())}, "unknown-version"),
        ({"jws": _tamper(sign(state, json.dumps(good).encode()))}, "bad-signature"),
        ({"event": json.dumps(envelope(submission())).encode()}, "missing-signature"),
        ({"jws": b"\xff\xfe"}, "malformed-signature"),
        ({"jws": sign(state, json.dumps(envelope(submission(unit="xa-lam-thao"))).encode())}, "unit-mismatch"),
        (
            {"jws": sign_compact(b"{}", (state / "unit-keys" / f"{UNIT}.pem").read_bytes(), "xa-khong-ton-tai")},
            "unknown-key",
        ),
        ({"jws": b"x" * 70_000}, "oversized"),
        ({"jws": sign(state, json.dumps(good).encode())}, "accepted"),
        ({"jws": sign(state, json.dumps(good).encode())}, "replayed-event"),
    ]
    for fields, _code in cases:
        await add_entry(redis_client, SUBMISSIONS, fields)
    expected = [code for _, code in cases if code != "accepted"]
    dead = await dead_letters(redis_client, len(expected))
    assert [d["reason_code"].decode() for d in dead] == expected
    assert all(d["reason"] and d["delivery_count"] == b"1" for d in dead)
    assert b"achievements" in dead[1]["reason"]
    replayed = cases[-1][0]["jws"]
    assert isinstance(replayed, str)
    assert dead[-1]["original.jws"] == replayed.encode()
    # The one good entry went through, once, and the service still answers.
    status = (await client.get(f"/submissions/{good['event_id']}", headers=auth())).json()
    assert status["state"] == "accepted"
    assert len(await events_of(redis_client, "NominationAccepted", 1)) == 1
    assert (await client.get("/ready")).status_code == 200


async def test_submission_breaking_an_intake_rule_is_rejected_with_reasons(
    service: FastAPI, client: httpx.AsyncClient, redis_client: Redis, state: Path
) -> None:
    env = envelope(submission(quarter="2099-Q1", achievements="Ngắn quá, chưa đủ"))
    await redis_client.xadd(SUBMISSIONS, {"jws": sign(state, json.dumps(env).encode())})
    [rejected] = await events_of(redis_client, "NominationRejected", 1)
    codes = [r["code"] for r in rejected["data"]["reasons"]]
    assert codes == ["quarter-in-future", "achievements-too-short"]
    status = (await client.get(f"/submissions/{env['event_id']}", headers=auth())).json()
    assert status["state"] == "rejected"
    assert [r["code"] for r in status["reasons"]] == codes
    assert await redis_client.xlen(DEAD) == 0


async def test_clerk_submits_over_http_for_own_unit_only(client: httpx.AsyncClient, redis_client: Redis) -> None:
    created = await client.post("/nominations", json=submission(), headers=auth())
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["status"] == "accepted" and body["channel"] == "http" and body["submitted_by"] == "Cán bộ"
    assert "identity_number" not in body["nominee"]
    [accepted] = await events_of(redis_client, "NominationAccepted", 1)
    assert accepted["data"]["nomination_id"] == body["nomination_id"]

    other = await client.post("/nominations", json=submission(unit="xa-lam-thao"), headers=auth())
    assert other.status_code == 403
    assert other.json()["detail"]["code"] == "other-unit" and "xa-lam-thao" in other.json()["detail"]["message"]
    listed = (await client.get("/nominations", headers=auth())).json()
    assert listed["total"] == 1 and listed["items"][0]["unit_id"] == UNIT
    assert (await client.get("/nominations?unit=xa-lam-thao", headers=auth())).status_code == 403
    foreign = await client.get(f"/nominations/{body['nomination_id']}", headers=auth(unit="xa-lam-thao"))
    assert foreign.status_code == 403


async def test_http_refusals_are_precise(client: httpx.AsyncClient) -> None:
    assert (await client.post("/nominations", json=submission())).status_code == 401
    reviewer = await client.post("/nominations", json=submission(), headers=auth(Role.REVIEWER))
    assert reviewer.status_code == 403
    invalid = await client.post("/nominations", json={**submission(), "field": "astrology"}, headers=auth())
    assert invalid.status_code == 422
    assert invalid.json()["errors"][0]["where"] == "body.field"
    operator = auth(Role.OPERATOR)
    unknown = await client.post("/nominations", json=submission(unit="xa-khong-ton-tai"), headers=operator)
    assert unknown.status_code == 422 and unknown.json()["detail"]["code"] == "unknown-unit"
    first = submission()
    assert (await client.post("/nominations", json=first, headers=auth())).status_code == 201
    again = await client.post("/nominations", json=first, headers=auth())
    assert again.status_code == 422
    assert again.json()["detail"]["reasons"][0]["code"] == "duplicate-nomination"
    oversized = await client.post("/nominations", json=submission(achievements="x" * 25_000), headers=auth())
    assert oversized.status_code == 422


async def test_organisation_is_public_without_keys(client: httpx.AsyncClient) -> None:
    body = (await client.get("/organisation")).json()
    assert body["name"] == "Tỉnh Phú Thọ (địa bàn huyện Lâm Thao cũ)"
    assert all("keys" not in unit for unit in body["units"])


async def test_text_is_cleaned_before_the_duplicate_check_and_control_characters_are_refused(
    client: httpx.AsyncClient,
) -> None:
    body = submission()
    assert (await client.post("/nominations", json=body, headers=auth())).status_code == 201
    # The same person again, with a zero-width space and a byte-order mark: a duplicate, not a second one.
    hidden = {**body, "nominee": {**body["nominee"], "name": "\ufeff" + body["nominee"]["name"] + "\u200b"}}
    again = await client.post("/nominations", json=hidden, headers=auth())
    assert again.status_code == 422, again.text
    assert "duplicate-nomination" in again.text
    for char in ("\x00", "\x0b"):
        bad = {**body, "nominee": {**body["nominee"], "name": f"Nguyễn{char}Văn An"}}
        refused = await client.post("/nominations", json=bad, headers=auth())
        assert refused.status_code == 422, refused.text
        assert "ký tự điều khiển" in refused.text


async def test_a_unit_that_has_ended_is_refused_with_the_name_of_its_successor(
    service: FastAPI, client: httpx.AsyncClient, redis_client: Redis, state: Path
) -> None:
    data = submission(unit="xa-cao-xa")
    event = new_event(NominationSubmitted.model_validate(data), producer="xa-cao-xa")
    await redis_client.xadd(SUBMISSIONS, {"jws": sign(state, event.envelope.model_dump_json().encode(), "xa-cao-xa")})
    [rejected] = await events_of(redis_client, "NominationRejected", 1)
    [reason] = rejected["data"]["reasons"]
    assert reason["code"] == "unit-ended"
    assert reason["message"] == (
        "xã Cao Xá không còn là đơn vị giới thiệu từ ngày 01/07/2025; nay giới thiệu qua xã Bản Nguyên"
    )
    assert await redis_client.xlen(DEAD) == 0


async def test_a_clerk_of_a_successor_sees_the_records_of_the_units_merged_into_it(
    service: FastAPI, client: httpx.AsyncClient
) -> None:
    # A nomination Cao Xá made in 2024, when it was a commune of Lâm Thao district.
    row = stored_nomination(
        "xa-cao-xa",
        "2024-Q3",
        "Hộ ông Nguyễn Văn Hòa",
        kind="household",
        submitted_at=datetime(2024, 8, 20, 3, 0, tzinfo=UTC),
        status="approved",
    )
    old_id = row["nomination_id"]
    async with service.state.runtime.db.transaction() as conn:
        await conn.execute(nominations.insert(), [row])
    listed = (await client.get("/nominations", headers=auth(unit="xa-ban-nguyen"))).json()
    assert old_id in {uuid.UUID(n["nomination_id"]) for n in listed["items"]}
    only_cao_xa = (await client.get("/nominations?unit=xa-cao-xa", headers=auth(unit="xa-ban-nguyen"))).json()
    assert [n["nomination_id"] for n in only_cao_xa["items"]] == [str(old_id)]
    assert (await client.get(f"/nominations/{old_id}", headers=auth(unit="xa-ban-nguyen"))).status_code == 200
    # Another commune does not see it, and a predecessor does not see its successor's records.
    assert (await client.get(f"/nominations/{old_id}", headers=auth(unit="xa-lam-thao"))).status_code == 403
    assert (await client.get("/nominations?unit=xa-cao-xa", headers=auth(unit="xa-lam-thao"))).status_code == 403
    assert (await client.get("/nominations?unit=xa-ban-nguyen", headers=auth(unit="xa-cao-xa"))).status_code == 403

    # Bản Nguyên nominates the household again: the registry knows it from Cao Xá's 2024 nomination.
    household = {"kind": "household", "name": "Hộ ông Nguyễn Văn Hòa", "title": "Hộ nông dân"}
    again = await client.post("/nominations", json=submission(nominee=household), headers=auth())
    assert again.status_code == 201, again.text
    history = await client.get(f"/registry/{row['person_id']}", headers=auth(Role.REVIEWER))
    assert history.status_code == 200, history.text
    assert [(n["unit_name"], n["quarter_label"], n["status"]) for n in history.json()["nominations"]] == [
        ("Xã Cao Xá", "quý III năm 2024", "approved"),
        ("Xã Bản Nguyên", quarter_label(open_quarter()), "accepted"),
    ]
    assert history.json()["titles"] == []  # nothing granted yet
    assert "warnings" not in again.json() and "registry_warnings" not in again.json()  # the office's, not the unit's
    assert (await client.get(f"/registry/{row['person_id']}", headers=auth())).status_code == 403
    assert (await client.get(f"/registry/{uuid.uuid4()}", headers=auth(Role.OFFICER))).status_code == 404
