"""Grassroots radio with the real tools: espeak-ng speaks, ffmpeg evens and joins, mutagen tags; the
rundown of a slot fits it, the podcast parses and its enclosures are byte-exact, retraction takes a
bulletin out of the rundowns to come."""

from __future__ import annotations

import io
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import feedparser
import httpx
import podcastparser
import pytest
from fastapi import FastAPI
from mutagen.id3 import ID3
from mutagen.mp3 import MP3

from common.db import Database
from publishing.adapters.repository import PublishingStore
from publishing.domain.model import RadioPriority, story_id_for
from publishing.radio.audio import Tags, encode, seconds_of
from publishing.radio.audio import join as join_audio
from publishing.radio.speech import CommandSpeech, espeak_command, wav_seconds
from publishing.radio.station import On, choose, load_station
from publishing.service.editorial import approve_story, retract_story
from publishing.service.radio import plan_rundowns
from tests.helpers import eventually
from tests.publishing.builders import BASE, approved, delivery
from tests.publishing.support import event_processor, jobs_running, serving, uow_of

NOW = datetime(2026, 12, 2, 3, tzinfo=UTC)


def on(priority: RadioPriority, seconds: float, minutes_ago: int) -> On:
    return On(uuid.uuid4(), 1, priority, seconds, NOW - timedelta(minutes=minutes_ago))


def test_a_rundown_plays_emergency_then_priority_then_ordinary_and_never_runs_over() -> None:
    old, new = on(RadioPriority.ORDINARY, 200, 90), on(RadioPriority.ORDINARY, 200, 10)
    urgent, first = on(RadioPriority.EMERGENCY, 100, 1), on(RadioPriority.PRIORITY, 300, 5)
    too_long = on(RadioPriority.ORDINARY, 500, 120)
    choice = choose([new, too_long, first, old, urgent], slot_seconds=900, frame_seconds=30, gap_seconds=1)
    assert [c.story_id for c in choice.played] == [urgent.story_id, first.story_id, old.story_id, new.story_id]
    assert choice.left_out == (too_long,)  # the oldest, but longer than the time left
    assert choice.seconds == 30 + 100 + 300 + 200 + 200 + 4 <= 900


def test_the_shipped_station() -> None:
    station = load_station()
    assert [(s.id, s.starts, s.minutes) for s in station.slots] == [("sang", time(6), 15), ("chieu", time(17), 15)]
    # 03:00 UTC is 10:00 in Vietnam: the morning slot has passed, the afternoon one is next.
    assert [(d, s.id) for d, s in station.upcoming(NOW)] == [
        (date(2026, 12, 2), "chieu"),
        (date(2026, 12, 3), "sang"),
        (date(2026, 12, 3), "chieu"),
    ]
    assert station.opening_words("xã Bản Nguyên", station.slots[0], date(2026, 12, 3)) == (
        "Đây là Đài truyền thanh xã Bản Nguyên. Mời bà con nghe chương trình Gương điển hình tiên tiến, "
        "buổi sáng ngày 03/12/2026."
    )


async def test_speech_is_evened_encoded_and_tagged_in_vietnamese(tmp_path: Path) -> None:
    speech = await CommandSpeech(espeak_command()).synthesize("Xin chào bà con xã Bản Nguyên.", voice="vi")
    assert speech.media_type == "audio/wav" and 1.0 < speech.seconds < 10.0
    assert wav_seconds(speech.audio) == pytest.approx(speech.seconds, abs=0.01)
    tags = Tags("Lời chào", "Đài truyền thanh xã Bản Nguyên", "Gương điển hình tiên tiến", "UBND", "2026-12-02")
    seconds = await encode(speech.audio, tmp_path / "chao.mp3", tags)
    assert seconds == pytest.approx(speech.seconds, abs=0.15)
    info: Any = MP3(tmp_path / "chao.mp3").info
    assert (info.sample_rate, info.channels) == (22_050, 1)
    id3 = ID3(tmp_path / "chao.mp3")
    assert str(id3["TIT2"]) == "Lời chào" and str(id3["TPE1"]) == "Đài truyền thanh xã Bản Nguyên"
    assert str(id3["TLAN"]) == "vie"


async def test_a_missing_engine_says_so(tmp_path: Path) -> None:
    from publishing.radio.speech import SpeechFailed

    with pytest.raises(SpeechFailed, match="no speech engine"):
        await CommandSpeech(["/nonexistent/espeak"]).synthesize("x")
    with pytest.raises(SpeechFailed, match="failed"):
        await CommandSpeech(["sh", "-c", "echo broken >&2; exit 3"]).synthesize("x")


# --- the radio channel and the rundowns, with the service's own wiring -------------------------------


@pytest.fixture
async def radio_app(db_url: str, redis_url: str, tmp_path: Path) -> AsyncIterator[FastAPI]:
    async with serving(db_url, redis_url, media_dir=tmp_path / "media") as app:
        yield app


async def on_radio(app: FastAPI, name: str, priority: RadioPriority = RadioPriority.ORDINARY) -> uuid.UUID:
    """A story of Bản Nguyên drafted and approved for the radio alone."""
    event = approved(
        name=name,
        unit_id="xa-ban-nguyen",
        unit_name="Xã Bản Nguyên",
        achievements="Ngày 15/3/2026, giúp 12 hộ thoát nghèo, thu 1.140.000 đồng mỗi tháng.",
    )
    await event_processor(app.state.runtime.db, auto=frozenset())([delivery(event)])
    story_id = story_id_for(event.payload.exemplar_id)
    await approve_story(
        app.state.runtime.unit_of_work(),
        app.state.newsroom,
        story_id,
        by="BTV",
        channels=["radio"],
        radio_priority=priority,
    )
    return story_id


async def built(app: FastAPI, count: int) -> list[Any] | None:
    async with app.state.runtime.db.read() as connection:
        found = await PublishingStore(connection).rundowns_of("xa-ban-nguyen", limit=10)
    return found if len(found) >= count else None


async def test_bulletins_become_rundowns_a_podcast_and_a_page(radio_app: FastAPI) -> None:
    app = radio_app
    first = await on_radio(app, "Lò Văn Páo")
    second = await on_radio(app, "Hà Thị Mai", RadioPriority.PRIORITY)
    async with jobs_running(app):
        db: Database = app.state.runtime.db

        async def rendered() -> bool:
            async with db.read() as connection:
                store = PublishingStore(connection)
                return all([await store.bulletin_of(first), await store.bulletin_of(second)])

        await eventually(rendered, within=60)
        slots = len(app.state.radio.station.upcoming(datetime.now(UTC)))  # the slots still to come, today and tomorrow
        assert await plan_rundowns(uow_of(db)(), app.state.radio) == slots
        rundowns = await eventually(lambda: built(app, slots), within=90)
        assert await plan_rundowns(uow_of(db)(), app.state.radio) == 0  # nothing changed since
    media: Path = app.state.radio.media
    for rundown in rundowns:
        audio = media / rundown.audio
        assert audio.stat().st_size == rundown.bytes
        assert seconds_of(audio) == pytest.approx(rundown.seconds, abs=0.01) and rundown.seconds <= 15 * 60
        assert [p["story_id"] for p in rundown.played] == [str(second), str(first)]  # priority first
    async with db.read() as connection:
        bulletin = await PublishingStore(connection).bulletin_of(first)
    assert bulletin is not None
    assert "Ngày mười lăm tháng ba năm hai nghìn không trăm hai mươi sáu, giúp mười hai hộ" in bulletin.script
    assert "một triệu một trăm bốn mươi nghìn đồng" in bulletin.script

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://publishing") as client:
        podcast = await client.get("/radio/xa-ban-nguyen/podcast.xml")
        assert podcast.status_code == 200 and podcast.headers["content-type"] == "application/rss+xml; charset=utf-8"
        parsed = feedparser.parse(podcast.content)
        assert parsed.bozo == 0, parsed.get("bozo_exception")
        episodes = podcastparser.parse(f"{BASE}/radio/xa-ban-nguyen/podcast.xml", io.BytesIO(podcast.content))
        assert len(episodes["episodes"]) == slots
        for episode in episodes["episodes"]:
            [enclosure] = episode["enclosures"]
            served = await client.get(enclosure["url"].removeprefix(BASE))
            assert served.status_code == 200 and len(served.content) == enclosure["file_size"]
            assert enclosure["mime_type"] == "audio/mpeg" and episode["total_time"] > 0
        again = podcastparser.parse("x", io.BytesIO((await client.get("/radio/xa-ban-nguyen/podcast.xml")).content))
        assert [e["guid"] for e in again["episodes"]] == [e["guid"] for e in episodes["episodes"]]
        page = await client.get("/radio/xa-ban-nguyen")
        assert (
            page.status_code == 200 and "<audio controls" in page.text and "Đài truyền thanh xã Bản Nguyên" in page.text
        )
        assert "Gương điển hình tiên tiến: Hà Thị Mai" in page.text
        assert (await client.get("/radio/phong-noi-vu")).status_code == 404  # not a commune
        assert (await client.get("/media/radio/khong-co.mp3")).status_code == 404


async def test_a_retracted_story_leaves_the_rundowns_to_come(radio_app: FastAPI) -> None:
    app = radio_app
    db: Database = app.state.runtime.db
    kept = await on_radio(app, "Lò Văn Páo")
    gone = await on_radio(app, "Hà Thị Mai")
    async with jobs_running(app):

        async def rendered() -> bool:
            async with db.read() as connection:
                store = PublishingStore(connection)
                return all([await store.bulletin_of(kept), await store.bulletin_of(gone)])

        await eventually(rendered, within=60)
        slots = len(app.state.radio.station.upcoming(datetime.now(UTC)))
        await plan_rundowns(uow_of(db)(), app.state.radio)
        before = await eventually(lambda: built(app, slots), within=90)
        await retract_story(uow_of(db)(), app.state.newsroom, gone, reason="Rút lại sự đồng ý", by="BTV")

        async def withdrawn() -> bool:
            async with db.read() as connection:
                bulletin = await PublishingStore(connection).bulletin_of(gone)
            return bulletin is not None and bulletin.withdrawn_at is not None

        await eventually(withdrawn, within=30)
        assert await plan_rundowns(uow_of(db)(), app.state.radio) == slots

        async def rebuilt() -> list[Any] | None:
            found = await built(app, slots)
            return found if found and all(len(r.played) == 1 for r in found) else None

        after = await eventually(rebuilt, within=90)
    assert {r.guid for r in after}.isdisjoint({r.guid for r in before}), "a changed rundown is a new episode"
    assert all([p["story_id"] for p in r.played] == [str(kept)] for r in after)


async def test_a_rundown_whose_joined_audio_runs_over_leaves_out_what_no_longer_fits(
    radio_app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """MP3 parts each bring a few milliseconds of padding: when the joined rundown lasts longer than
    the slot, it is chosen again for as much less, and what is dropped is listed as left out."""
    app = radio_app
    db: Database = app.state.runtime.db
    first = await on_radio(app, "Lò Văn Páo", RadioPriority.PRIORITY)
    second = await on_radio(app, "Hà Thị Mai")
    overrun: list[float] = []

    async def join(parts: list[Path], target: Path, tags: Tags) -> float:
        seconds = await join_audio(parts, target, tags)
        if not overrun:  # the first join "lasts" 25 s more than the slot allows
            overrun.append(seconds)
            return 15 * 60 + (15 * 60 - seconds) + 25
        return seconds

    monkeypatch.setattr("publishing.service.radio.join", join)
    async with jobs_running(app):

        async def rendered() -> bool:
            async with db.read() as connection:
                store = PublishingStore(connection)
                return all([await store.bulletin_of(first), await store.bulletin_of(second)])

        await eventually(rendered, within=60)
        await plan_rundowns(uow_of(db)(), app.state.radio)
        found = await eventually(
            lambda: built(app, len(app.state.radio.station.upcoming(datetime.now(UTC)))), within=90
        )
    shortened = [r for r in found if len(r.played) == 1]
    assert len(shortened) == 1 and overrun  # one rundown was chosen again, the others fitted at once
    [rundown] = shortened
    assert [p["story_id"] for p in rundown.played] == [str(first)]  # the priority bulletin kept
    assert rundown.left_out == [str(second)] and rundown.seconds <= 15 * 60
    assert seconds_of(app.state.radio.media / rundown.audio) == pytest.approx(rundown.seconds, abs=0.01)
