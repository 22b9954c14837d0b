"""The whole path across four processes: nominate, review, publish, commend."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import pytest

from common.auth import Role
from tests.e2e.stack import Driver, wait_for

pytestmark = pytest.mark.e2e
ATOM = "{http://www.w3.org/2005/Atom}"


def test_nomination_to_story_and_award(driver: Driver) -> None:
    clerk = driver.token(Role.CLERK, "xa-ban-nguyen", "Nguyễn Thị Hoa")
    reviewer = driver.token(Role.REVIEWER, name="Trần Văn Bình")
    officer = driver.token(Role.OFFICER, name="Phạm Thu Trang")

    # A clerk submits over HTTP; the unit's own system posts a signed entry on the stream.
    by_http = driver.post("nomination", "/nominations", driver.submission("xa-ban-nguyen", 1), clerk)
    assert by_http.status_code == 201, by_http.text
    first = by_http.json()["nomination_id"]
    event_id = driver.post_signed("xa-ban-nguyen", 2)
    status = wait_for(lambda: driver.submission_status(event_id, clerk), what="stream submission taken in")
    second = status["nomination"]["nomination_id"]

    # The review office sees both, approves one and rejects the other.
    wait_for(
        lambda: driver.get("review", "/reviews?status=pending", reviewer).json()["total"] == 2, what="cases opened"
    )
    approved = driver.post("review", f"/reviews/{first}/approve", {"note": "Đạt tiêu chuẩn"}, reviewer)
    assert approved.status_code == 200, approved.text
    exemplar_id = approved.json()["exemplar_id"]
    reason = {"code": "chua-du-tieu-chuan", "message": "Chưa đủ minh chứng về hiệu quả lan tỏa"}
    assert driver.post("review", f"/reviews/{second}/reject", {"reasons": [reason]}, reviewer).status_code == 200

    # The unit learns both outcomes.
    def outcome(nid: str) -> str:
        return str(driver.get("nomination", f"/nominations/{nid}", clerk).json()["status"])

    wait_for(lambda: outcome(first) == "approved" and outcome(second) == "rejected", what="outcomes")
    assert driver.get("nomination", f"/nominations/{second}", clerk).json()["reasons"] == [reason]

    # Publishing drafts the story; an editor corrects its title and approves it for every channel.
    editor = driver.token(Role.EDITOR, name="Lê Thu Hà")

    def drafted() -> list[dict[str, Any]] | None:
        found: list[dict[str, Any]] = driver.get("publishing", "/api/editor/stories?status=draft", editor).json()[
            "items"
        ]
        return found or None

    [draft] = wait_for(drafted, what="story drafted")
    assert driver.get("publishing", "/api/stories").json()["total"] == 0, "nothing is out before the editor"
    text = {
        "title": "Hộ ông Nguyễn Văn Đức số 1: làm giàu từ cây bưởi",
        "summary": draft["summary"],
        "body": draft["body"],
    }
    edited = driver.put("publishing", f"/api/editor/stories/{draft['story_id']}/text", text, editor)
    assert edited.status_code == 200, edited.text
    released = driver.post("publishing", f"/api/editor/stories/{draft['story_id']}/approve", {}, editor)
    assert released.status_code == 200, released.text

    # The page and the feed carry it, and StoryPublished goes out.
    stories = wait_for(lambda: driver.get("publishing", "/api/stories").json()["items"], what="story published")
    story = stories[0]
    assert story["title"] == "Hộ ông Nguyễn Văn Đức số 1: làm giàu từ cây bưởi"
    page = driver.http.get(story["url"])
    assert page.status_code == 200
    assert "Hộ ông Nguyễn Văn Đức số 1" in page.text and "Xã Bản Nguyên" in page.text
    feed = ET.fromstring(driver.get("publishing", "/feed.atom").content)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 1 and entries[0].findtext(f"{ATOM}id") == f"urn:uuid:{story['story_id']}"
    published = wait_for(lambda: driver.stream_events("publishing.events"), what="StoryPublished")
    assert published[0]["type"] == "StoryPublished"
    assert published[0]["data"]["exemplar_id"] == exemplar_id

    # The emulation officer grants a Giấy khen; AwardGranted reaches publishing.
    wait_for(lambda: driver.get("awards", f"/exemplars/{exemplar_id}", officer).status_code == 200, what="exemplar")
    # Signed today: a decision is never dated before the approval it commends.
    grant = driver.post("awards", "/awards", {"exemplar_id": exemplar_id}, officer)
    assert grant.status_code == 201, grant.text
    award = grant.json()
    amounts = driver.get("awards", f"/rules/amounts?on={award['signed_on']}").json()
    [giay_khen] = [row for row in amounts if row["form"] == "giay-khen"]
    assert award["amount_vnd"] == giay_khen["amounts"]["household"]  # 1,140,000 since 2026-07-01 (×1.5, rounded up)
    assert award["base_salary_vnd"] >= 2_530_000
    assert award["decision_number"] == "01/QĐ-UBND"  # the first of Bản Nguyên's register this year
    assert award["signer"] == "Chủ tịch Ủy ban nhân dân xã Bản Nguyên"  # the commune signs since 2025-07-01
    wait_for(lambda: award["decision_number"] in driver.http.get(story["url"]).text, what="award on the story")

    # The registry of exemplars keeps the nominee's history: the nomination, its outcome, the award.
    person = approved.json()["person_id"]
    assert person is not None

    def history() -> dict[str, Any] | None:
        found: dict[str, Any] = driver.get("nomination", f"/registry/{person}", reviewer).json()
        return found if found["titles"] else None

    kept = wait_for(history, what="award in the registry")
    assert [(n["unit_name"], n["status"]) for n in kept["nominations"]] == [("Xã Bản Nguyên", "approved")]
    assert [(t["form_name"], t["decision_number"], t["amount_vnd"]) for t in kept["titles"]] == [
        ("Giấy khen", "01/QĐ-UBND", award["amount_vnd"])
    ]

    # Nothing left behind.
    assert driver.settled(), driver.unsettled()
    assert driver.dead_letter_count() == 0
