"""Occasions: the calendar as data, and each occasion's reportage drafted for the editors before the
day (the outstanding exemplars of the year, commended first), then out on the portal, the feeds,
every commune's radio and a leaflet of its own."""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import feedparser
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from common.auth import Role, mint_token
from common.events import FieldOfWork
from publishing.adapters.orm import messaging
from publishing.adapters.repository import PublishingStore
from publishing.domain.model import Commendation, PublicationState, StoryKind, StoryStatus, story_id_for
from publishing.domain.occasions import CalendarFileError, load_calendar
from publishing.domain.reportage import choose_outstanding, draft_reportage, reportage_id
from publishing.service.editorial import Newsroom, approve_story, edit_story, retract_story
from publishing.service.occasions import draft_occasions
from publishing.service.printing import plan_leaflets
from tests.conftest import TEST_SECRET
from tests.helpers import eventually
from tests.publishing.builders import approved, delivery, drafted, granted
from tests.publishing.support import event_processor, jobs_running, serving, uow_of
from tests.publishing.test_print import text_of

AGENCY = "Ủy ban nhân dân tỉnh Phú Thọ"
# Ten days before the year-end review of 2026 (20 December): its reportage is being drafted.
YEAR_END = datetime(2026, 12, 10, 8, 0, tzinfo=UTC)

# --- the calendar and the text, pure -----------------------------------------------------------------


def test_the_shipped_calendar_names_the_plans_occasions() -> None:
    calendar = load_calendar()
    emulation = calendar.occasion("thi-dua-ai-quoc")
    assert emulation is not None and emulation.reportage and emulation.on(2027) == date(2027, 6, 11)
    assert emulation.occasion_of(2027) == (
        "kỷ niệm 79 năm Ngày Chủ tịch Hồ Chí Minh ra Lời kêu gọi thi đua ái quốc (11/6/1948 – 11/6/2027)"
    )
    # drafted from 14 days before the day up to the day itself, never before or after
    assert emulation.drafting_year(date(2027, 5, 27)) is None
    assert emulation.drafting_year(date(2027, 5, 28)) == 2027
    assert emulation.drafting_year(date(2027, 6, 11)) == 2027
    assert emulation.drafting_year(date(2027, 6, 12)) is None
    assert emulation.covers(2027) == (date(2026, 6, 11), date(2027, 6, 10))
    days = {o.id: o.on(2027) for o in calendar.occasions}
    assert days["thanh-lap-dang"] == date(2027, 2, 3) and days["sinh-nhat-bac"] == date(2027, 5, 19)
    assert days["quoc-khanh"] == date(2027, 9, 2) and days["nha-giao"] == date(2027, 11, 20)
    review = calendar.occasion("tong-ket-nam")
    assert review is not None and review.occasion_of(2026) == "Tổng kết phong trào thi đua yêu nước năm 2026"
    assert review.drafting_year(date(2026, 12, 31)) is None and review.drafting_year(date(2026, 12, 20)) == 2026
    assert [o.id for _, o in calendar.upcoming(date(2026, 12, 2))][:2] == ["tong-ket-nam", "thanh-lap-dang"]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('day = "02-30"', "line 1, [[occasions]] #1: day: 02-30 is not a day of the year"),
        ('day = "11-06"\nfields = ["bakery"]', "line 1, [[occasions]] #1: fields.0: Input should be"),
        (
            'day = "11-06"\n[[occasions]]\nid = "x"\nname = "Y"\nday = "01-01"',
            "line 5, [[occasions]] #2: two occasions",
        ),
    ],
)
def test_a_bad_calendar_is_refused_naming_the_line(tmp_path: Path, entry: str, message: str) -> None:
    path = tmp_path / "occasions.toml"
    path.write_text(f'[[occasions]]\nid = "x"\nname = "Ngày X"\n{entry}\n', encoding="utf-8")
    with pytest.raises(CalendarFileError) as refused:
        load_calendar(path)
    assert str(refused.value).startswith(f"occasions file {path}: ") and message in str(refused.value)


def _commendation(exemplar_id: uuid.UUID) -> Commendation:
    return Commendation(
        uuid.uuid4(), exemplar_id, "giay-khen", "Giấy khen", "163/QĐ-UBND", date(2026, 9, 15), "Chủ tịch UBND xã"
    )


def test_a_reportage_compiles_the_commended_first_and_never_a_retracted_story() -> None:
    now = datetime(2026, 12, 10, tzinfo=UTC)
    stories = [drafted(approved(name=n).payload, now - timedelta(days=30 - i)) for i, n in enumerate("ABCD")]
    for story in stories:
        story.status, story.published_at = StoryStatus.PUBLISHED, story.drafted_at
    stories[3].retract(reason="Rút lại sự đồng ý", by="BTV", at=now)
    commended = {stories[2].exemplar_id: [_commendation(stories[2].exemplar_id)]}
    chosen = choose_outstanding(stories, commended, at_most=2)
    assert [s.nominee_name for s in chosen] == ["C", "A"]  # commended, then the earliest

    review = load_calendar().occasion("tong-ket-nam")
    assert review is not None
    compiled = draft_reportage(review, 2026, chosen, commended, agency=AGENCY, now=now)
    story = compiled.story
    assert compiled.sources == (stories[2].story_id, stories[0].story_id)
    assert story.story_id == reportage_id("tong-ket-nam", 2026) and story.kind is StoryKind.REPORTAGE
    assert story.status is StoryStatus.DRAFT and story.commune_id is None and story.slug == "phong-su-tong-ket-nam-2026"
    assert story.title == (
        "Những tấm gương điển hình tiên tiến tiêu biểu – Tổng kết phong trào thi đua yêu nước năm 2026"
    )
    assert story.summary == (
        "Nhân dịp tổng kết phong trào thi đua yêu nước năm 2026, Ủy ban nhân dân tỉnh Phú Thọ giới thiệu 2 gương "
        "điển hình tiên tiến tiêu biểu được tuyên truyền, biểu dương từ ngày 20/12/2025 đến nay."
    )
    paragraphs = story.paragraphs
    assert len(paragraphs) == 4  # the lead, one for each exemplar, the closing
    assert paragraphs[1].startswith(f"{stories[2].summary.rstrip('.')}. Mười năm liền đưa y tế đến từng thôn. ")
    assert "Tổ chức 40 buổi khám" not in paragraphs[1]  # the first of the achievements only
    assert paragraphs[1].endswith(
        "Được tặng Giấy khen (Quyết định số 163/QĐ-UBND ngày 15/09/2026 của Chủ tịch UBND xã)."
    )
    assert "“Thi đua là yêu nước, yêu nước thì phải thi đua”" in paragraphs[-1]
    assert all(unicodedata.is_normalized("NFC", text) for text in (story.title, story.summary, story.body))
    long = " ".join(f"Năm {2000 + n}, giúp {n} hộ thoát nghèo." for n in range(40))  # 1,200 characters
    stories[0].achievements = long + "\nĐoạn thứ hai."
    [_, first, *_] = draft_reportage(review, 2026, stories[:1], {}, agency=AGENCY, now=now).story.paragraphs
    highlight = first.removeprefix(f"{stories[0].summary.rstrip('.')}. ")
    assert long.startswith(highlight) and highlight.endswith("thoát nghèo.") and 400 < len(highlight) <= 500
    with pytest.raises(ValueError, match="at least one"):
        draft_reportage(review, 2026, [], {}, agency=AGENCY, now=now)


# --- with the service's own wiring, a real database, the speech engine and WeasyPrint -----------------


@pytest.fixture
async def occasions_app(db_url: str, redis_url: str, tmp_path: Path) -> AsyncIterator[FastAPI]:
    async with serving(db_url, redis_url, media_dir=tmp_path / "media") as app:
        yield app


async def on_the_portal(
    app: FastAPI, name: str, *, commended: bool = False, field: FieldOfWork = FieldOfWork.HEALTH
) -> uuid.UUID:
    event = approved(
        name=name,
        unit_id="xa-ban-nguyen",
        unit_name="Xã Bản Nguyên",
        field=field,
        achievements="Giúp 12 hộ thoát nghèo.",
    )
    process = event_processor(app.state.runtime.db, auto=frozenset())
    deliveries = [delivery(event)]
    if commended:
        deliveries.append(delivery(granted(event.payload, signer="Chủ tịch Ủy ban nhân dân xã Bản Nguyên")))
    await process(deliveries)
    story_id = story_id_for(event.payload.exemplar_id)
    await approve_story(app.state.runtime.unit_of_work(), app.state.newsroom, story_id, by="BTV", channels=["web"])
    return story_id


def editor() -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(TEST_SECRET, subject='e', role=Role.EDITOR, name='BTV Hà')}"}


async def test_the_year_end_reportage_is_drafted_kept_up_to_date_then_left_to_the_editor(
    occasions_app: FastAPI,
) -> None:
    app, db = occasions_app, occasions_app.state.runtime.db
    plain = await on_the_portal(app, "Lò Văn Páo")
    commended = await on_the_portal(app, "Hà Thị Mai", commended=True)
    withdrawn = await on_the_portal(app, "Đinh Văn Tám")
    occasions, newsroom = app.state.occasions, app.state.newsroom
    assert await draft_occasions(uow_of(db)(), occasions, newsroom, now=datetime(2026, 12, 5, tzinfo=UTC)) == []

    [drafted_now] = await draft_occasions(uow_of(db)(), occasions, newsroom, now=YEAR_END)
    assert drafted_now.fresh and drafted_now.sources == 3
    async with db.read() as connection:
        store = PublishingStore(connection)
        story = await store.get_story(drafted_now.story_id)
        kept = await store.reportage(drafted_now.story_id)
    assert story is not None and kept is not None and story.status is StoryStatus.DRAFT
    assert kept.sources == (commended, plain, withdrawn)  # the commended first
    assert "Được tặng Giấy khen (Quyết định số 163/QĐ-UBND" in story.body

    [again] = await draft_occasions(uow_of(db)(), occasions, newsroom, now=YEAR_END)
    assert not again.fresh and again.sources == 3
    await retract_story(uow_of(db)(), newsroom, withdrawn, reason="Rút lại sự đồng ý", by="BTV")
    [followed] = await draft_occasions(uow_of(db)(), occasions, newsroom, now=YEAR_END)
    assert followed.sources == 2  # an untouched draft follows the portal
    async with db.read() as connection:
        story = await PublishingStore(connection).get_story(drafted_now.story_id)
    assert story is not None and "Đinh Văn Tám" not in story.body and story.revision == 1

    await edit_story(
        uow_of(db)(),
        newsroom,
        story.story_id,
        title=story.title,
        summary=story.summary,
        body=story.body + "\n\nThêm.",
        by="BTV",
    )
    await on_the_portal(app, "Nguyễn Văn Bốn")
    assert await draft_occasions(uow_of(db)(), occasions, newsroom, now=YEAR_END) == []  # the editor's now

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://publishing") as client:
        listed = await client.get("/api/editor/occasions", headers=editor())
        assert listed.status_code == 200, listed.text
        [review] = [o for o in listed.json() if o["occasion_id"] == "tong-ket-nam"]
        assert review["next_day"] == "2026-12-20" and review["drafting_from"] == "2026-12-06"
        [reportage] = review["reportages"]
        assert reportage["status"] == "draft" and reportage["revision"] == 2 and reportage["withdrawn_sources"] == []
        refused = await client.post("/api/editor/occasions/tong-ket-nam/reportage?year=2026", headers=editor())
        assert refused.status_code == 409 and refused.json()["detail"]["code"] == "already-edited"
        early = await client.post("/api/editor/occasions/thi-dua-ai-quoc/reportage", headers=editor())
        assert early.status_code == 201, early.text
        assert early.json()["year"] == 2027 and len(early.json()["sources"]) == 3
        teachers = await client.post("/api/editor/occasions/nha-giao/reportage", headers=editor())
        assert teachers.status_code == 422 and teachers.json()["detail"]["code"] == "nothing-to-compile"
        assert "chưa có gương điển hình nào" in teachers.json()["detail"]["message"]
        none = await client.post("/api/editor/occasions/quoc-khanh/reportage", headers=editor())
        assert none.status_code == 422 and none.json()["detail"]["code"] == "no-reportage"
        unknown = await client.post("/api/editor/occasions/tet/reportage", headers=editor())
        assert unknown.status_code == 404 and unknown.json()["detail"]["code"] == "no-such-occasion"
        token = mint_token(TEST_SECRET, subject="c", role=Role.CLERK, unit="xa-ban-nguyen", name="C")
        clerk = {"Authorization": f"Bearer {token}"}
        assert (await client.get("/api/editor/occasions", headers=clerk)).status_code == 403


async def test_a_reportage_goes_to_the_portal_the_feeds_every_communes_radio_and_a_leaflet(
    occasions_app: FastAPI,
) -> None:
    app, db = occasions_app, occasions_app.state.runtime.db
    source = await on_the_portal(app, "Hà Thị Mai", commended=True)
    await on_the_portal(app, "Lò Văn Páo")
    [drafted_now] = await draft_occasions(uow_of(db)(), app.state.occasions, app.state.newsroom, now=YEAR_END)
    story_id = drafted_now.story_id
    await approve_story(
        uow_of(db)(), app.state.newsroom, story_id, by="BTV", channels=["web", "feeds", "print", "radio"]
    )
    async with jobs_running(app):

        async def out() -> bool:
            async with db.read() as connection:
                store = PublishingStore(connection)
                records = (await store.publications_for([story_id]))[story_id]
                bulletins = await store.bulletins_of(story_id)
            return all(r.state is PublicationState.PUBLISHED for r in records) and len(bulletins) == 4

        await eventually(out, within=90)
        await plan_leaflets(uow_of(db)(), app.state.printing)

        async def leaflets() -> list[Any] | None:
            async with db.read() as connection:
                found = await PublishingStore(connection).leaflets_of(kind="reportage")
            return found if len(found) == 2 and all(f.state == "ready" for f in found) else None

        built = await eventually(leaflets, within=60)
    async with db.read() as connection:
        store = PublishingStore(connection)
        bulletins = await store.bulletins_of(story_id)
        outbox = (await connection.execute(select(messaging.outbox.c.type))).scalars().all()
    assert sorted(b.commune_id for b in bulletins) == [
        "xa-ban-nguyen",
        "xa-lam-thao",
        "xa-phung-nguyen",
        "xa-xuan-lung",
    ]
    assert len({b.audio for b in bulletins}) == 1 and bulletins[0].seconds > 10  # rendered once for every commune
    assert "Tổng kết phong trào thi đua yêu nước năm hai nghìn không trăm hai mươi sáu" in bulletins[0].script
    assert outbox.count("StoryPublished") == 2  # the two exemplars' stories on the web; the reportage stays inside
    pdf = app.state.printing.media / str(next(f for f in built if f.size == "A4").file)
    text = " ".join(text_of(pdf).split())
    assert "Tổng kết phong trào thi đua yêu nước năm 2026" in text and "Thi đua là yêu nước" in text

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://publishing") as client:
        page = await client.get("/stories/phong-su-tong-ket-nam-2026")
        assert page.status_code == 200 and "Đối tượng:" not in page.text and "Thành tích nổi bật" not in page.text
        assert "Hà Thị Mai" in page.text and "Được tặng Giấy khen" in page.text
        feed = feedparser.parse((await client.get("/feed.atom")).content)
        assert feed.bozo == 0 and any("Tổng kết phong trào" in e.title for e in feed.entries)
        stations = await client.get("/radio")
        assert stations.status_code == 200 and "Đài truyền thanh xã Xuân Lũng" in stations.text
        index = await client.get("/leaflets")
        assert index.status_code == 200 and "Chuyên đề" in index.text and "khổ A5" in index.text
        assert "/leaflets/xa-ban-nguyen" in index.text
        listed = await client.get("/api/stories")
        assert listed.status_code == 200
        [shown] = [s for s in listed.json()["items"] if s["story_id"] == str(story_id)]
        assert shown["kind"] == "reportage" and shown["field_label"] == ""

    await retract_story(uow_of(db)(), app.state.newsroom, source, reason="Rút lại sự đồng ý", by="BTV")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://publishing") as client:
        [review] = [o for o in (await client.get("/api/editor/occasions", headers=editor())).json() if o["reportages"]]
        assert review["reportages"][0]["withdrawn_sources"] == [str(source)]  # the editor is told to correct it

    async with jobs_running(app):
        await retract_story(uow_of(db)(), app.state.newsroom, story_id, reason="Soạn lại", by="BTV")

        async def withdrawn() -> bool:
            async with db.read() as connection:
                found = await PublishingStore(connection).bulletins_of(story_id)
            return all(b.withdrawn_at is not None for b in found)

        await eventually(withdrawn, within=60)
        await plan_leaflets(uow_of(db)(), app.state.printing)

        async def emptied() -> list[Any] | None:
            async with db.read() as connection:
                found = await PublishingStore(connection).leaflets_of(kind="reportage")
            return found if all(f.state == "empty" for f in found) else None

        await eventually(emptied, within=60)


async def test_an_office_without_editors_gets_its_reportage_scheduled_for_the_morning_of_the_day(
    occasions_app: FastAPI,
) -> None:
    app, db = occasions_app, occasions_app.state.runtime.db
    await on_the_portal(app, "Hà Thị Mai")
    newsroom = Newsroom(app.state.newsroom.channels, auto_approve=frozenset({"web", "feeds"}))
    [drafted_now] = await draft_occasions(uow_of(db)(), app.state.occasions, newsroom, now=YEAR_END)
    async with db.read() as connection:
        records = (await PublishingStore(connection).publications_for([drafted_now.story_id]))[drafted_now.story_id]
    assert {r.channel for r in records} == {"web", "feeds"}
    morning = datetime(2026, 12, 20, 0, 0, tzinfo=UTC)  # 07:00 in Vietnam
    assert all(r.state is PublicationState.SCHEDULED and r.scheduled_for == morning for r in records)
