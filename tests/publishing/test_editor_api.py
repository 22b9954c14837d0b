"""The editors' desk over HTTP, on real databases: drafts wait, approval per channel, corrections shown,
retraction answered with 410, and pages that answer every error in HTML."""

from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from common.auth import Role, mint_token
from common.dates import vn_date
from common.migrations import upgrade
from publishing.adapters.repository import PublishingStore
from publishing.bootstrap import bootstrap
from publishing.config import MIGRATIONS, Settings
from publishing.domain.model import story_id_for
from tests.conftest import TEST_SECRET
from tests.publishing.builders import BASE, approved, delivery
from tests.publishing.support import event_processor
from tests.publishing.test_publishing_db import A

AGENCY = "Ủy ban nhân dân tỉnh Phú Thọ"


@pytest.fixture
async def app(db_url: str, redis_url: str) -> AsyncIterator[FastAPI]:
    await asyncio.to_thread(upgrade, MIGRATIONS, db_url)
    settings = Settings(database_url=db_url, redis_url=redis_url, auth_secret=SecretStr(TEST_SECRET), public_url=BASE)
    application = bootstrap(settings)
    yield application
    await application.state.runtime.redis.aclose()
    await application.state.runtime.db.dispose()


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://publishing") as http:
        yield http


def as_(role: Role) -> dict[str, str]:
    unit = "xa-lam-thao" if role is Role.CLERK else None
    return {
        "Authorization": f"Bearer {mint_token(TEST_SECRET, subject='e1', role=role, unit=unit, name='Lê Biên Tập')}"
    }


EDITOR = as_(Role.EDITOR)


async def drafted_story(app: FastAPI, **fields: Any) -> str:
    approval = approved(**fields)
    await event_processor(app.state.runtime.db, auto=frozenset())([delivery(approval)])
    return str(story_id_for(approval.payload.exemplar_id))


def entries(feed: bytes) -> list[str]:
    return [e.findtext(f"{A}id") or "" for e in ET.fromstring(feed).findall(f"{A}entry")]


async def test_a_draft_waits_for_the_editor_who_approves_it_channel_by_channel(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    story_id = await drafted_story(app, name="Lò Văn Páo")
    listed = (await client.get("/api/editor/stories", headers=EDITOR)).json()
    [draft] = listed["items"]
    assert (draft["status"], draft["channels"], draft["consent"], draft["commune_id"]) == (
        "draft",
        [],
        True,
        "xa-lam-thao",
    )
    page = await client.get(f"/stories/{draft['slug']}")
    assert page.status_code == 404 and AGENCY in page.text
    assert (await client.get("/api/stories")).json()["total"] == 0

    text = {
        "title": "Người giữ rừng ở bản Mường",
        "summary": "Tóm tắt của biên tập viên.",
        "body": "Đoạn mở đầu.\nĐoạn hai.",
    }
    edited = await client.put(f"/api/editor/stories/{story_id}/text", json=text, headers=EDITOR)
    assert edited.status_code == 200, edited.text
    assert (edited.json()["title"], edited.json()["revision"], edited.json()["edited_by"]) == (
        "Người giữ rừng ở bản Mường",
        2,
        "Lê Biên Tập",
    )

    web_only = await client.post(f"/api/editor/stories/{story_id}/approve", json={"channels": ["web"]}, headers=EDITOR)
    assert web_only.status_code == 200, web_only.text
    assert [(c["channel"], c["state"], c["approved_by"]) for c in web_only.json()["channels"]] == [
        ("web", "published", "Lê Biên Tập")
    ]
    page = await client.get(f"/stories/{draft['slug']}")
    assert page.status_code == 200 and "<h1>Người giữ rừng ở bản Mường</h1>" in page.text and AGENCY in page.text
    assert entries((await client.get("/feed.atom")).content) == []  # not approved for the feeds yet
    everywhere = await client.post(f"/api/editor/stories/{story_id}/approve", json={}, headers=EDITOR)
    assert {c["channel"]: c["state"] for c in everywhere.json()["channels"]} == {
        "web": "published",
        "feeds": "published",
        "print": "published",  # in its commune's leaflet, built in the background
        "radio": "pending",  # read aloud by a job
    }
    assert entries((await client.get("/feed.atom")).content) == [f"urn:uuid:{story_id}"]


async def test_a_published_story_is_corrected_with_a_note_readers_see(app: FastAPI, client: httpx.AsyncClient) -> None:
    story_id = await drafted_story(app)
    await client.post(f"/api/editor/stories/{story_id}/approve", json={}, headers=EDITOR)
    text = {"title": "Gương điển hình tiên tiến: Nguyễn Thị Hoa", "summary": "Tóm tắt.", "body": "Mười hai năm liền."}
    silent = await client.put(f"/api/editor/stories/{story_id}/text", json=text, headers=EDITOR)
    assert silent.status_code == 422 and silent.json()["detail"]["code"] == "correction-note-required"
    corrected = await client.put(
        f"/api/editor/stories/{story_id}/text",
        json={**text, "note": "Sửa số năm công tác: mười hai năm."},
        headers=EDITOR,
    )
    assert corrected.status_code == 200, corrected.text
    assert [c["note"] for c in corrected.json()["corrections"]] == ["Sửa số năm công tác: mười hai năm."]
    page = await client.get(f"/stories/{corrected.json()['slug']}")
    on = vn_date(datetime.fromisoformat(corrected.json()["corrections"][0]["at"]))
    assert "Mười hai năm liền." in page.text
    assert f"Đính chính ngày {on}: Sửa số năm công tác: mười hai năm." in page.text


async def test_a_retracted_story_answers_410_and_leaves_the_feeds_and_the_api(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    story_id = await drafted_story(app)
    approved_story = (await client.post(f"/api/editor/stories/{story_id}/approve", json={}, headers=EDITOR)).json()
    retracted = await client.post(
        f"/api/editor/stories/{story_id}/retract",
        json={"reason": "Người được giới thiệu rút lại sự đồng ý công bố"},
        headers=EDITOR,
    )
    assert retracted.status_code == 200, retracted.text
    assert retracted.json()["status"] == "retracted"
    assert {c["state"] for c in retracted.json()["channels"]} == {"withdrawn"}
    gone = await client.get(f"/stories/{approved_story['slug']}")
    assert gone.status_code == 410
    assert "Bài viết đã được gỡ" in gone.text and '<html lang="vi">' in gone.text and AGENCY in gone.text
    assert entries((await client.get("/feed.atom")).content) == []
    assert (await client.get(f"/api/stories/{story_id}")).status_code == 404
    again = await client.post(f"/api/editor/stories/{story_id}/approve", json={}, headers=EDITOR)
    assert again.status_code == 409 and again.json()["detail"]["code"] == "story-retracted"


async def test_the_desk_refuses_what_it_must(app: FastAPI, client: httpx.AsyncClient) -> None:
    story_id = await drafted_story(app)
    no_consent = await drafted_story(app, consent=False)
    assert (await client.get("/api/editor/stories")).status_code == 401
    assert (await client.get("/api/editor/stories", headers=as_(Role.CLERK))).status_code == 403
    assert (await client.get("/api/editor/stories", headers=as_(Role.OPERATOR))).status_code == 200
    approve = f"/api/editor/stories/{story_id}/approve"
    assert (await client.post(approve, json={}, headers=as_(Role.OPERATOR))).status_code == 403
    unknown = await client.post(approve, json={"channels": ["telegram"]}, headers=EDITOR)
    assert unknown.status_code == 422 and unknown.json()["detail"]["code"] == "unknown-channel"
    too_far = await client.post(
        approve, json={"at": (datetime.now(UTC) + timedelta(days=800)).isoformat()}, headers=EDITOR
    )
    assert too_far.status_code == 422
    refused = await client.post(f"/api/editor/stories/{no_consent}/approve", json={}, headers=EDITOR)
    assert refused.status_code == 422 and refused.json()["detail"]["code"] == "no-consent"
    assert "chưa đồng ý công bố" in refused.json()["detail"]["message"]
    no_reason = await client.post(f"/api/editor/stories/{story_id}/retract", json={"reason": ""}, headers=EDITOR)
    assert no_reason.status_code == 422
    missing = await client.post(
        "/api/editor/stories/00000000-0000-0000-0000-000000000000/retract", json={"reason": "x"}, headers=EDITOR
    )
    assert missing.status_code == 404


async def test_pages_answer_errors_in_html_and_the_api_in_json(
    app: FastAPI, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    nowhere = await client.get("/khong-co-trang-nay")
    assert nowhere.status_code == 404 and nowhere.headers["content-type"].startswith("text/html")
    assert "Không tìm thấy trang" in nowhere.text and AGENCY in nowhere.text
    assert (await client.get("/api/khong-co")).headers["content-type"] == "application/json"

    async def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("hỏng")

    monkeypatch.setattr(PublishingStore, "list_on", broken)
    # As uvicorn does: the answer goes out, the error goes to the log (not back to the caller).
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://publishing") as served:
        failed = await served.get("/")
        assert failed.status_code == 500 and "Có lỗi xảy ra" in failed.text and AGENCY in failed.text
        api = await served.get("/api/stories")
        assert api.status_code == 500 and api.json()["detail"]["code"] == "internal-error"
