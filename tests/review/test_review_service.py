"""The review service on a real Redis and real databases: cases open once, decisions are announced."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from redis.asyncio import Redis

from common.auth import Role, mint_token
from common.events import (
    FieldOfWork,
    NominationAccepted,
    NominationFlagged,
    NominationWithdrawn,
    NomineeKind,
    Reason,
    new_event,
)
from common.migrations import upgrade
from review.bootstrap import bootstrap
from review.config import MIGRATIONS, Settings
from tests.conftest import TEST_SECRET
from tests.helpers import Fields, eventually, stream_entries, stream_events, stream_fields


def accepted(person_id: uuid.UUID | None = None) -> dict[str, Any]:
    payload = NominationAccepted(
        nomination_id=uuid.uuid4(),
        unit_id="xa-ban-nguyen",
        unit_name="Xã Bản Nguyên",
        quarter="2026-Q3",
        field=FieldOfWork.HEALTH,
        nominee_kind=NomineeKind.COLLECTIVE,
        nominee_name="Trạm Y tế xã Bản Nguyên",
        achievements="Mười năm liền không để dịch bệnh lớn xảy ra trên địa bàn.",
        consent_to_publish=True,
        person_id=person_id,
    )
    envelope: dict[str, Any] = json.loads(new_event(payload, producer="nomination").envelope.model_dump_json())
    return envelope


@pytest.fixture
async def client(db_url: str, redis_url: str) -> AsyncIterator[httpx.AsyncClient]:
    upgrade(MIGRATIONS, db_url)
    app: FastAPI = bootstrap(Settings(database_url=db_url, redis_url=redis_url, auth_secret=SecretStr(TEST_SECRET)))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http,
    ):
        yield http


def auth(role: Role = Role.REVIEWER) -> dict[str, str]:
    unit = "xa-ban-nguyen" if role is Role.CLERK else None
    token = mint_token(TEST_SECRET, subject="r1", role=role, unit=unit, name="Trần Văn Bình")
    return {"Authorization": f"Bearer {token}"}


async def open_case(client: httpx.AsyncClient, redis: Redis, env: dict[str, Any], copies: int = 1) -> None:
    for _ in range(copies):
        await redis.xadd("nomination.events", {"event": json.dumps(env)})
    nid = env["data"]["nomination_id"]

    async def probe() -> bool:
        return (await client.get(f"/reviews/{nid}", headers=auth())).status_code == 200

    await eventually(probe)


async def review_events(redis: Redis, count: int) -> list[dict[str, Any]]:
    async def probe() -> list[dict[str, Any]]:
        found = await stream_events(redis, "review.events")
        return found if len(found) >= count else []

    return await eventually(probe)


async def test_duplicate_accepted_event_opens_one_case_and_approval_is_announced(
    client: httpx.AsyncClient, redis_client: Redis
) -> None:
    person = uuid.uuid4()
    env = accepted(person)
    await open_case(client, redis_client, env, copies=3)
    listed = (await client.get("/reviews?status=pending", headers=auth())).json()
    assert listed["total"] == 1
    nid = env["data"]["nomination_id"]
    decided = await client.post(f"/reviews/{nid}/approve", json={"note": "Đạt tiêu chuẩn"}, headers=auth())
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "approved"
    [event] = await review_events(redis_client, 1)
    assert event["type"] == "ExemplarApproved"
    assert event["correlation_id"] == env["correlation_id"]
    assert event["data"]["exemplar_id"] == decided.json()["exemplar_id"]
    assert event["data"]["decided_by"] == "Trần Văn Bình"
    assert event["data"]["person_id"] == str(person)  # the registry's nominee travels on to awards
    again = await client.post(
        f"/reviews/{nid}/reject", json={"reasons": [{"code": "x", "message": "y"}]}, headers=auth()
    )
    assert again.status_code == 409
    assert len(await stream_entries(redis_client, "review.events")) == 1


async def test_rejection_and_return_carry_reasons(client: httpx.AsyncClient, redis_client: Redis) -> None:
    first, second = accepted(), accepted()
    await open_case(client, redis_client, first)
    await open_case(client, redis_client, second)
    n1, n2 = first["data"]["nomination_id"], second["data"]["nomination_id"]
    assert (await client.post(f"/reviews/{n1}/reject", json={"reasons": []}, headers=auth())).status_code == 422
    reason = {"code": "thieu-minh-chung", "message": "Chưa có báo cáo thành tích có xác nhận"}
    assert (await client.post(f"/reviews/{n1}/reject", json={"reasons": [reason]}, headers=auth())).status_code == 200
    assert (await client.post(f"/reviews/{n2}/return", json={"reasons": [reason]}, headers=auth())).status_code == 200
    events = await review_events(redis_client, 2)
    assert sorted(e["type"] for e in events) == ["ExemplarRejected", "NominationReturned"]
    assert all(e["data"]["reasons"] == [reason] for e in events)


async def test_access_rules(client: httpx.AsyncClient) -> None:
    missing = uuid.uuid4()
    assert (await client.get("/reviews")).status_code == 401
    assert (await client.get("/reviews", headers=auth(Role.CLERK))).status_code == 403
    assert (await client.post(f"/reviews/{missing}/approve", json={}, headers=auth(Role.EDITOR))).status_code == 403
    assert (await client.post(f"/reviews/{missing}/approve", json={}, headers=auth())).status_code == 404


async def test_a_list_of_decisions_is_taken_at_once_and_each_item_reports(
    client: httpx.AsyncClient, redis_client: Redis
) -> None:
    envs = [accepted() for _ in range(3)]
    for env in envs:
        await open_case(client, redis_client, env)
    n1, n2, n3 = (e["data"]["nomination_id"] for e in envs)
    await client.post(f"/reviews/{n3}/approve", json={}, headers=auth())
    missing = str(uuid.uuid4())
    reason = {"code": "thieu-minh-chung", "message": "Thiếu minh chứng"}
    body = {
        "decisions": [
            {"nomination_id": n1, "decision": "approve", "note": "Hội đồng nhất trí"},
            {"nomination_id": n2, "decision": "reject"},
            {"nomination_id": n3, "decision": "reject", "reasons": [reason]},
            {"nomination_id": missing, "decision": "approve"},
        ]
    }
    response = await client.post("/reviews/decisions", json=body, headers=auth())
    assert response.status_code == 200, response.text
    results = response.json()
    assert results["decided"] == 1
    assert [r["outcome"] for r in results["results"]] == ["approved", "invalid", "already-decided", "not-found"]
    assert results["results"][0]["exemplar_id"]
    events = await review_events(redis_client, 2)
    assert [e["data"]["nomination_id"] for e in events] == [n3, n1]
    assert (await client.get(f"/reviews/{n2}", headers=auth())).json()["status"] == "pending"


async def test_a_list_naming_a_case_twice_is_refused(client: httpx.AsyncClient) -> None:
    nid = str(uuid.uuid4())
    body = {"decisions": [{"nomination_id": nid, "decision": "approve"}] * 2}
    response = await client.post("/reviews/decisions", json=body, headers=auth())
    assert response.status_code == 422
    assert (await client.post("/reviews/decisions", json={"decisions": []}, headers=auth())).status_code == 422
    assert (await client.post("/reviews/decisions", json=body, headers=auth(Role.CLERK))).status_code == 403


async def test_listing_by_unit_counts_that_units_cases_and_a_huge_offset_is_a_clear_error(
    client: httpx.AsyncClient, redis_client: Redis
) -> None:
    mine, other = accepted(), accepted()
    other["data"]["unit_id"] = "xa-lam-thao"
    await open_case(client, redis_client, mine)
    await open_case(client, redis_client, other)
    listed = (await client.get("/reviews?unit=xa-lam-thao", headers=auth())).json()
    assert listed["total"] == 1 and [c["unit_id"] for c in listed["items"]] == ["xa-lam-thao"]
    assert (await client.get("/reviews", headers=auth())).json()["total"] == 2
    # Cao Xá's case of 2025 rolls up into Bản Nguyên, the commune it became part of.
    old = accepted()
    old["data"]["unit_id"], old["data"]["unit_name"], old["data"]["quarter"] = "xa-cao-xa", "Xã Cao Xá", "2025-Q1"
    await open_case(client, redis_client, old)
    alone = (await client.get("/reviews?unit=xa-ban-nguyen", headers=auth())).json()
    rolled = (await client.get("/reviews?unit=xa-ban-nguyen&lineage=true", headers=auth())).json()
    assert alone["total"] == 1 and rolled["total"] == 2
    assert {c["unit_id"] for c in rolled["items"]} == {"xa-ban-nguyen", "xa-cao-xa"}
    huge = await client.get(f"/reviews?offset={10**30}", headers=auth())
    assert huge.status_code == 422
    assert huge.json()["errors"][0]["where"] == "query.offset"
    assert (await client.get("/reviews?offset=1000000000", headers=auth())).json()["items"] == []


async def test_the_api_documentation_page_needs_nothing_from_the_internet(client: httpx.AsyncClient) -> None:
    page = await client.get("/docs")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower() and "https://" not in page.text
    assert "/docs/assets/swagger-ui-bundle.js" in page.text and "/openapi.json" in page.text
    script = await client.get("/docs/assets/swagger-ui-bundle.js")
    assert script.status_code == 200 and len(script.content) > 100_000
    assert script.headers["content-type"].startswith("text/javascript")
    assert (await client.get("/docs/assets/swagger-ui.css")).status_code == 200
    assert (await client.get("/docs/assets/index.html")).status_code == 404  # only what the page needs


async def test_a_huge_unauthenticated_body_is_refused_before_it_is_read(client: httpx.AsyncClient) -> None:
    refused = await client.post("/reviews/decisions", content=b"{" + b" " * (2 * 1024 * 1024) + b"}")
    assert refused.status_code == 413
    assert refused.json()["detail"]["code"] == "body-too-large"


async def test_a_token_for_a_hundred_years_is_refused(client: httpx.AsyncClient) -> None:
    token = mint_token(TEST_SECRET, subject="r", role=Role.REVIEWER, ttl_seconds=100 * 365 * 24 * 3600)
    refused = await client.get("/reviews", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401
    assert "dài hơn mức cho phép" in refused.json()["detail"]["message"]


def flagged(nomination_id: str, person_id: uuid.UUID) -> dict[str, Any]:
    payload = NominationFlagged(
        nomination_id=uuid.UUID(nomination_id),
        person_id=person_id,
        warnings=[
            Reason(
                code="registry-known",
                message="đã có trong sổ theo dõi điển hình (trùng họ tên): Trạm Y tế xã Bản Nguyên đã được giới"
                " thiệu 1 lần: quý III năm 2024, xã Cao Xá giới thiệu, được công nhận",
            )
        ],
    )
    envelope: dict[str, Any] = json.loads(new_event(payload, producer="nomination").envelope.model_dump_json())
    return envelope


async def test_the_registrys_warnings_are_shown_with_the_case(client: httpx.AsyncClient, redis_client: Redis) -> None:
    env, other = accepted(), accepted()
    await open_case(client, redis_client, env)
    await open_case(client, redis_client, other)
    nid, person = env["data"]["nomination_id"], uuid.uuid4()
    await redis_client.xadd("nomination.events", {"event": json.dumps(flagged(nid, person))})

    async def probe() -> dict[str, Any] | None:
        case: dict[str, Any] = (await client.get(f"/reviews/{nid}", headers=auth())).json()
        return case if case["warnings"] else None

    case = await eventually(probe)
    assert case["person_id"] == str(person)
    assert [w["code"] for w in case["warnings"]] == ["registry-known"]
    same_person = (await client.get(f"/reviews?person={person}", headers=auth())).json()
    assert [c["nomination_id"] for c in same_person["items"]] == [nid]
    untouched = (await client.get(f"/reviews/{other['data']['nomination_id']}", headers=auth())).json()
    assert (untouched["warnings"], untouched["person_id"]) == ([], None)


async def test_warnings_for_a_case_never_opened_are_a_dead_letter(
    client: httpx.AsyncClient, redis_client: Redis
) -> None:
    await redis_client.xadd("nomination.events", {"event": json.dumps(flagged(str(uuid.uuid4()), uuid.uuid4()))})

    async def probe() -> list[Fields]:
        return await stream_fields(redis_client, "nomination.events.dead")

    [dead] = await eventually(probe)
    assert b"unknown-nomination" in b" ".join(dead.values())


def withdrawn(nomination_id: str) -> dict[str, Any]:
    payload = NominationWithdrawn(
        nomination_id=uuid.UUID(nomination_id),
        unit_id="xa-ban-nguyen",
        withdrawn_by="Nguyễn Thị Hoa",
        reason="Gửi nhầm",
    )
    envelope: dict[str, Any] = json.loads(new_event(payload, producer="nomination").envelope.model_dump_json())
    return envelope


async def test_a_withdrawn_nomination_closes_its_waiting_case_and_a_decided_one_stays(
    client: httpx.AsyncClient, redis_client: Redis
) -> None:
    waiting, decided = accepted(), accepted()
    for env in (waiting, decided):
        await open_case(client, redis_client, env)
    decided_id, waiting_id = decided["data"]["nomination_id"], waiting["data"]["nomination_id"]
    assert (await client.post(f"/reviews/{decided_id}/approve", json={}, headers=auth())).status_code == 200
    for env in (waiting, decided):
        await redis_client.xadd("nomination.events", {"event": json.dumps(withdrawn(env["data"]["nomination_id"]))})

    async def closed() -> dict[str, Any] | None:
        case: dict[str, Any] = (await client.get(f"/reviews/{waiting_id}", headers=auth())).json()
        return case if case["status"] == "withdrawn" else None

    case = await eventually(closed)
    assert (case["decided_by"], case["note"]) == ("Nguyễn Thị Hoa", "Gửi nhầm")
    assert (await client.get(f"/reviews/{decided_id}", headers=auth())).json()["status"] == "approved"
    # Nothing is announced for a withdrawal: the approval alone is on review's stream.
    assert [e["type"] for e in await review_events(redis_client, 1)] == ["ExemplarApproved"]
    refused = await client.post(f"/reviews/{waiting_id}/approve", json={}, headers=auth())
    assert refused.status_code == 409


async def test_every_refusal_carries_a_stable_code_and_a_vietnamese_message(client: httpx.AsyncClient) -> None:
    answers = {
        "token-required": await client.get("/reviews"),
        "role-not-allowed": await client.get("/reviews", headers=auth(Role.EDITOR)),
        "no-such-case": await client.get(f"/reviews/{uuid.uuid4()}", headers=auth()),
        "not-found": await client.get("/khong-co-dia-chi-nay", headers=auth()),
        "invalid-request": await client.get("/reviews?limit=0", headers=auth()),
        "case-repeated": await client.post(
            "/reviews/decisions",
            json={"decisions": [{"nomination_id": str(i), "decision": "approve"} for i in [uuid.UUID(int=1)] * 2]},
            headers=auth(),
        ),
    }
    for code, answer in answers.items():
        detail = answer.json()["detail"]
        assert detail["code"] == code, answer.text
        # Vietnamese, for the person reading it: letters only Vietnamese has, or its words.
        assert any(ch in detail["message"] for ch in "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"), detail
