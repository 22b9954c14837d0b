"""Integration on real databases (SQLite, then PostgreSQL) and a real Redis: events in, pages out."""

from __future__ import annotations

import asyncio
import uuid
import xml.etree.ElementTree as ET
from typing import Any

import httpx
from fastapi import FastAPI
from redis.asyncio import Redis
from sqlalchemy import func, select

from common.db import Database
from common.events import (
    Event,
    ExemplarRejected,
    FieldOfWork,
    NomineeKind,
    Reason,
    StoryPublished,
    new_event,
    parse_event,
)
from common.runtime import Runtime
from common.wire import EVENT_FIELD, encode_entry
from publishing.adapters.orm import commendations, messaging, publications, stories
from publishing.adapters.repository import PublishingStore
from publishing.domain.model import StoryEvent, story_id_for
from tests.helpers import Fields, add_entry, eventually, stream_fields
from tests.publishing.builders import BASE, approved, delivery, granted
from tests.publishing.support import event_processor

A = "{http://www.w3.org/2005/Atom}"


async def _entries(redis: Redis, stream: str, count: int) -> list[Fields] | None:
    entries = await stream_fields(redis, stream)
    return entries if len(entries) >= count else None


async def _count(db: Database, query: Any) -> int:
    async with db.read() as session:
        return int((await session.execute(query)).scalar_one())


async def _outbox(db: Database) -> list[Any]:
    async with db.read() as session:
        return list((await session.execute(select(messaging.outbox).order_by(messaging.outbox.c.id))).all())


async def test_the_same_approval_twice_makes_one_story_placed_once_on_each_channel(db: Database) -> None:
    processor = event_processor(db)
    event = approved()
    await processor([delivery(event)])
    await processor([delivery(event)])  # redelivered under another entry id
    # A second approval event for the same exemplar (say, replayed from review's outbox log).
    await processor([delivery(new_event(event.payload, producer="review"))])

    assert await _count(db, select(func.count()).select_from(stories)) == 1
    rows = await _outbox(db)
    assert [(row.type, row.stream) for row in rows] == [("StoryPublished", "publishing.events")] * 2
    web, atom = (parse_event(row.envelope) for row in rows)
    assert isinstance(web.payload, StoryPublished) and isinstance(atom.payload, StoryPublished)
    async with db.read() as session:
        story = (await session.execute(select(stories))).one()
        placed = (await session.execute(select(publications).order_by(publications.c.channel))).all()
    assert web.payload.story_id == story.story_id == story_id_for(event.payload.exemplar_id)
    assert (web.payload.channel, web.payload.url) == ("web", f"{BASE}/stories/{story.slug}")
    assert (atom.payload.channel, atom.payload.url) == ("feeds", f"{BASE}/feed.atom")
    for published in (web, atom):
        assert published.envelope.causation_id == event.event_id
        assert published.envelope.correlation_id == event.envelope.correlation_id
        assert published.envelope.producer == "publishing"
    assert story.status == "published"
    assert [(p.channel, p.state, p.external_id, p.attempts) for p in placed] == [
        ("feeds", "published", f"urn:uuid:{story.story_id}", 1),
        ("web", "published", f"/stories/{story.slug}", 1),
    ]


async def test_a_batch_with_runs_of_both_types_has_the_outcomes_of_one_by_one(db: Database) -> None:
    processor = event_processor(db)
    earlier = approved(name="Đã có bài")
    await processor([delivery(earlier)])
    first, second, hidden = approved(name="Nguyễn Văn An"), approved(name="Trần Thị Bích"), approved(consent=False)
    award_early = granted(approved(name="Chưa có bài").payload)  # its story comes later
    award_first, award_earlier = granted(first.payload), granted(earlier.payload)
    batch: list[Event[Any]] = [
        first,
        second,
        new_event(first.payload, producer="review"),  # the same exemplar again, in the same run
        new_event(earlier.payload, producer="review"),  # and one stored in the batch before
        hidden,
        award_early,
        award_first,  # the story made earlier in this batch
        award_earlier,
        second,  # a copy of an event in this batch: skipped by event id
    ]
    async with db.read() as session:
        before = (await session.execute(select(stories.c.updated_at))).scalar_one()

    assert await processor([delivery(e) for e in batch]) == []

    rows = await _outbox(db)
    published = [parse_event(row.envelope) for row in rows[2:]]  # after the earlier story's web and atom
    assert [e.envelope.causation_id for e in published] == [first.event_id] * 2 + [second.event_id] * 2
    assert await _count(db, select(func.count()).select_from(stories)) == 4
    assert await _count(db, select(func.count()).select_from(commendations)) == 3
    async with db.read() as session:
        updated = dict((await session.execute(select(stories.c.nominee_name, stories.c.updated_at))).all())
        inbox = await session.execute(select(func.count()).select_from(messaging.inbox))
    assert updated["Đã có bài"] > before  # moved forward by its award
    assert inbox.scalar_one() == 1 + len(batch) - 1


async def test_no_consent_keeps_the_story_a_draft_and_announces_nothing(db: Database) -> None:
    processor = event_processor(db)
    await processor([delivery(approved(consent=False))])
    async with db.read() as session:
        assert [(row.status, row.consent) for row in (await session.execute(select(stories))).all()] == [
            ("draft", False)
        ]
    assert await _outbox(db) == []


async def test_by_default_a_story_waits_for_an_editor(db: Database) -> None:
    processor = event_processor(db, auto=frozenset())
    await processor([delivery(approved())])
    async with db.read() as session:
        assert [row.status for row in (await session.execute(select(stories))).all()] == ["draft"]
        assert (await session.execute(select(publications))).all() == []
    assert await _outbox(db) == []


async def test_award_before_the_story_is_kept_and_shown_once_the_story_exists(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    runtime: Runtime[PublishingStore, StoryEvent] = app.state.runtime
    processor = event_processor(runtime.db)
    approval = approved(
        name="Hợp tác xã Nông nghiệp Đồng Tiến", kind=NomineeKind.COLLECTIVE, field=FieldOfWork.AGRICULTURE
    )
    await processor([delivery(granted(approval.payload, form_name="Bằng khen", decision_number="12/QĐ-UBND"))])
    assert await _count(runtime.db, select(func.count()).select_from(commendations)) == 1
    assert await _count(runtime.db, select(func.count()).select_from(stories)) == 0

    await processor([delivery(approval)])
    listing = (await client.get("/api/stories")).json()
    assert listing["total"] == 1
    slug = listing["items"][0]["slug"]
    page = await client.get(f"/stories/{slug}")
    assert page.status_code == 200
    citation = "Được tặng Bằng khen (Quyết định số 12/QĐ-UBND ngày 05/01/2027 của Chủ tịch Ủy ban nhân dân xã Lâm Thao)"
    assert citation in page.text
    assert "Lĩnh vực: Nông nghiệp" in page.text and "tập thể Hợp tác xã Nông nghiệp Đồng Tiến" in page.text
    detail = (await client.get(f"/api/stories/{listing['items'][0]['story_id']}")).json()
    assert [c["citation"] for c in detail["commendations"]] == [citation]


async def test_an_award_after_the_story_moves_its_feed_entry_forward(app: FastAPI, client: httpx.AsyncClient) -> None:
    runtime: Runtime[PublishingStore, StoryEvent] = app.state.runtime
    processor = event_processor(runtime.db)
    approval = approved()
    await processor([delivery(approval)])
    before = ET.fromstring((await client.get("/feed.atom")).content)
    award = granted(approval.payload)
    await processor([delivery(award)])
    await processor([delivery(award)])  # a redelivery records nothing twice
    after = ET.fromstring((await client.get("/feed.atom")).content)

    assert await _count(runtime.db, select(func.count()).select_from(commendations)) == 1
    assert before.findtext(f"{A}entry/{A}id") == after.findtext(f"{A}entry/{A}id")
    assert (after.findtext(f"{A}entry/{A}updated") or "") >= (before.findtext(f"{A}entry/{A}updated") or "")
    async with runtime.db.read() as session:
        row = (await session.execute(select(stories.c.published_at, stories.c.updated_at))).one()
    assert row.updated_at > row.published_at
    assert "(Quyết định số 163/QĐ-UBND ngày 05/01/2027" in (after.findtext(f"{A}entry/{A}content") or "")
    assert len(await _outbox(runtime.db)) == 2  # the approval's StoryPublished (web, atom), nothing more


async def test_index_story_page_feed_and_api(app: FastAPI, client: httpx.AsyncClient) -> None:
    runtime: Runtime[PublishingStore, StoryEvent] = app.state.runtime
    processor = event_processor(runtime.db)
    names = ["Nguyễn Văn An", "Trần Thị Bích", "Lò Văn Páo"]
    for name in names:
        await processor([delivery(approved(name=name))])
    hidden = approved(name="Đinh Văn Kín", consent=False)
    await processor([delivery(hidden)])

    first = await client.get("/")
    assert first.status_code == 200 and first.headers["content-type"] == "text/html; charset=utf-8"
    html = first.text
    assert '<html lang="vi">' in html and '<meta charset="utf-8">' in html
    assert (
        f'<link rel="alternate" type="application/atom+xml" title="Gương điển hình tiên tiến" href="{BASE}/feed.atom">'
        in html
    )
    assert html.index("Lò Văn Páo") < html.index("Trần Thị Bích")  # newest first
    assert "Nguyễn Văn An" not in html and "Trang 1/2" in html
    second = await client.get("/", params={"page": 2})
    assert "Nguyễn Văn An" in second.text and "Lò Văn Páo" not in second.text
    assert (await client.get("/", params={"page": 3})).status_code == 404
    assert "Đinh Văn Kín" not in html + second.text

    hidden_slug_story = story_id_for(hidden.payload.exemplar_id)
    async with runtime.db.read() as session:
        hidden_slug = (
            await session.execute(select(stories.c.slug).where(stories.c.story_id == hidden_slug_story))
        ).scalar_one()
    for missing in (f"/stories/{hidden_slug}", "/stories/khong-co-bai-nay"):
        response = await client.get(missing)
        assert response.status_code == 404
        assert "Không tìm thấy trang" in response.text and '<html lang="vi">' in response.text
    assert (await client.get(f"/api/stories/{hidden_slug_story}")).status_code == 404
    assert (await client.get(f"/api/stories/{uuid.uuid4()}")).status_code == 404

    listing = (await client.get("/api/stories")).json()
    assert listing["total"] == 3
    assert [item["nominee_name"] for item in listing["items"]] == list(reversed(names))
    story = listing["items"][0]
    assert story["url"] == f"{BASE}/stories/{story['slug']}" and story["field_label"] == "Y tế"
    page = await client.get(f"/stories/{story['slug']}")
    assert page.status_code == 200
    assert "<h1>Gương điển hình tiên tiến: Lò Văn Páo</h1>" in page.text
    assert "học tập, làm theo" in page.text

    feed_response = await client.get("/feed.atom")
    assert feed_response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    feed = ET.fromstring(feed_response.content)
    entries = feed.findall(f"{A}entry")
    assert len(entries) == 3
    ids = {e.findtext(f"{A}id") for e in entries}
    assert ids == {f"urn:uuid:{item['story_id']}" for item in listing["items"]}
    assert feed.findtext(f"{A}updated") == max(e.findtext(f"{A}updated") or "" for e in entries)
    again = ET.fromstring((await client.get("/feed.atom")).content)
    assert again.findtext(f"{A}id") == feed.findtext(f"{A}id")
    assert {e.findtext(f"{A}id") for e in again.findall(f"{A}entry")} == ids


async def test_the_running_service_reads_the_streams_and_relays_story_published(
    app: FastAPI, client: httpx.AsyncClient, redis_client: Redis
) -> None:
    runtime: Runtime[PublishingStore, StoryEvent] = app.state.runtime
    approval = approved(name="Phạm Thị Lan")
    rejected = new_event(
        ExemplarRejected(
            nomination_id=uuid.uuid4(),
            unit_id="xa-lam-thao",
            decided_by="Trần Văn Bình",
            reasons=[Reason(code="thieu-minh-chung", message="Thiếu minh chứng")],
        ),
        producer="review",
    )
    await add_entry(redis_client, "review.events", encode_entry(rejected.envelope.model_dump_json()))
    await add_entry(redis_client, "review.events", encode_entry(approval.envelope.model_dump_json()))
    await add_entry(redis_client, "awards.events", encode_entry(granted(approval.payload).envelope.model_dump_json()))
    await runtime.start()
    try:
        entries = await eventually(lambda: _entries(redis_client, "publishing.events", 2), within=10, interval=0.1)
        web, atom = [parse_event(entry[EVENT_FIELD]) for entry in entries]
        assert isinstance(web.payload, StoryPublished) and isinstance(atom.payload, StoryPublished)
        assert (web.payload.channel, atom.payload.channel) == ("web", "feeds")
        assert web.envelope.causation_id == atom.envelope.causation_id == approval.event_id
        published = web.payload
        slug = published.url.removeprefix(f"{BASE}/stories/")
        for _ in range(100):
            if await _count(runtime.db, select(func.count()).select_from(commendations)) == 1:
                break
            await asyncio.sleep(0.1)
        page = await client.get(f"/stories/{slug}")
        assert page.status_code == 200 and "Phạm Thị Lan" in page.text
        assert "Được tặng Giấy khen (Quyết định số 163/QĐ-UBND" in page.text
        for stream in ("review.events", "awards.events"):
            pending = await redis_client.xpending(stream, "publishing")
            assert pending["pending"] == 0
        assert await redis_client.xlen("review.events.dead") == 0
        assert await _count(runtime.db, select(func.count()).select_from(stories)) == 1
    finally:
        await runtime.stop()
