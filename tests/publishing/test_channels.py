"""Channels on real databases: a channel placed by jobs keeps its own record; old HTML bodies migrate."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Uuid, column, create_engine, insert, select, table

from common.db import Database, UtcDateTime, sync_url
from common.events import Event, ExemplarApproved, StoryPublished, parse_event
from common.jobs import JobWorker
from common.migrations import alembic_config
from common.outages import Outages
from common.ports.clock import FakeClock
from publishing.adapters.orm import messaging, publications, stories
from publishing.adapters.repository import PublishingStore
from publishing.channels import Channel, channels_for
from publishing.channels.fake import RecordingChannel
from publishing.config import MIGRATIONS
from publishing.domain.model import NoConsent, PublicationState, story_id_for
from publishing.integration import to_integration
from publishing.service.editorial import Newsroom, approve_story, edit_story, retract_story
from publishing.service.handlers import handlers
from publishing.service.placing import PublishingUnitOfWork, placing
from tests.helpers import eventually, migrated_database, units_of_work
from tests.publishing.builders import SITE, approved, organisation


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    async with migrated_database(MIGRATIONS, db_url) as database:
        yield database


def unit_of_work(db: Database) -> Callable[[], PublishingUnitOfWork]:
    return units_of_work(db, "publishing", messaging, PublishingStore, to_integration)


async def publication(db: Database, channel: str) -> Any:
    async with db.read() as connection:
        return (await connection.execute(select(publications).where(publications.c.channel == channel))).one()


async def announced(db: Database) -> list[tuple[str, str]]:
    async with db.read() as connection:
        rows = (await connection.execute(select(messaging.outbox.c.envelope).order_by(messaging.outbox.c.id))).all()
    events = [parse_event(row.envelope).payload for row in rows]
    return [(e.channel, e.url) for e in events if isinstance(e, StoryPublished)]


async def approve_with(
    db: Database, newsroom: Newsroom, *, at: datetime | None = None, consent: bool = True
) -> Event[ExemplarApproved]:
    """Review approves an exemplar, publishing drafts the story, an editor approves it for every channel."""
    approval = approved(consent=consent)
    await handlers(newsroom, organisation()).apply(unit_of_work(db)(), [approval])
    story_id = story_id_for(approval.payload.exemplar_id)
    await approve_story(unit_of_work(db)(), newsroom, story_id, by="Biên tập viên", at=at, cause=approval.envelope)
    return approval


async def correlations(db: Database) -> set[uuid.UUID]:
    async with db.read() as connection:
        rows = (await connection.execute(select(messaging.outbox.c.envelope))).all()
    return {parse_event(row.envelope).envelope.correlation_id for row in rows}


def worker(db: Database, channels: Sequence[Channel], clock: FakeClock) -> JobWorker:
    kind = placing(unit_of_work(db), channels)
    return JobWorker(db, messaging, [kind], Outages("publishing"), clock=clock, poll_interval=0.02)


@contextlib.asynccontextmanager
async def working(db: Database, channels: Sequence[Channel], clock: FakeClock) -> AsyncIterator[None]:
    running = asyncio.create_task(worker(db, channels, clock).run())
    try:
        yield
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)


def newsroom_with(*extra: Channel) -> Newsroom:
    return Newsroom([*channels_for(SITE), *extra])


async def test_a_channel_placed_by_a_job_is_retried_then_recorded_and_announced(db: Database) -> None:
    radio = RecordingChannel(name="radio", failures=1)
    newsroom = newsroom_with(radio)
    approval = await approve_with(db, newsroom)
    pending = await publication(db, "radio")
    assert (pending.state, pending.attempts, pending.external_id) == (PublicationState.PENDING, 0, None)
    assert [channel for channel, _ in await announced(db)] == ["web", "feeds"], "radio is not out yet"

    clock = FakeClock(datetime.now(UTC) + timedelta(seconds=1))
    async with working(db, newsroom.channels, clock):
        failed_once = await eventually(lambda: _attempted(db, "radio", 1))
        assert failed_once.state == PublicationState.PENDING
        assert "radio did not answer (run 1)" in failed_once.last_error
        clock.advance(timedelta(seconds=10))
        placed = await eventually(lambda: _in_state(db, "radio", PublicationState.PUBLISHED))
    [story] = radio.placed
    assert (placed.external_id, placed.url, placed.attempts, placed.last_error) == (
        "radio-1",
        f"https://radio.example/{story.slug}",
        2,
        None,
    )
    assert (await announced(db))[-1] == ("radio", f"https://radio.example/{story.slug}")
    assert await correlations(db) == {approval.envelope.correlation_id}, "radio's follows the approval too"


async def test_a_channel_that_refuses_the_story_fails_it_at_once_and_says_why(db: Database) -> None:
    social = RecordingChannel(name="social", refuse=True)
    newsroom = newsroom_with(social)
    await approve_with(db, newsroom)
    clock = FakeClock(datetime.now(UTC) + timedelta(seconds=1))
    async with working(db, newsroom.channels, clock):
        failed = await eventually(lambda: _in_state(db, "social", PublicationState.FAILED))
    assert failed.attempts == 1 and "channel-refused" in failed.last_error
    assert [channel for channel, _ in await announced(db)] == ["web", "feeds"]


async def test_a_story_approved_for_later_goes_out_then_and_not_before(db: Database) -> None:
    social = RecordingChannel(name="social")
    newsroom = newsroom_with(social)
    at = datetime.now(UTC) + timedelta(hours=2)
    await approve_with(db, newsroom, at=at)
    assert (await publication(db, "web")).state == PublicationState.SCHEDULED
    assert await announced(db) == []
    clock = FakeClock(datetime.now(UTC) + timedelta(seconds=1))
    async with working(db, newsroom.channels, clock):
        await asyncio.sleep(0.3)
        assert social.placed == [] and (await publication(db, "web")).state == PublicationState.SCHEDULED
        clock.advance(timedelta(hours=2))
        await eventually(lambda: _in_state(db, "social", PublicationState.PUBLISHED))
        await eventually(lambda: _in_state(db, "web", PublicationState.PUBLISHED))
    assert sorted(channel for channel, _ in await announced(db)) == ["feeds", "social", "web"]


async def test_corrections_reach_the_channels_that_take_them_and_retraction_takes_the_story_down(
    db: Database,
) -> None:
    social = RecordingChannel(name="social")
    newsroom = newsroom_with(social)
    approval = await approve_with(db, newsroom)
    story_id = story_id_for(approval.payload.exemplar_id)
    clock = FakeClock(datetime.now(UTC) + timedelta(seconds=1))
    async with working(db, newsroom.channels, clock):
        await eventually(lambda: _in_state(db, "social", PublicationState.PUBLISHED))
        await edit_story(
            unit_of_work(db)(),
            newsroom,
            story_id,
            title="Người thầy thuốc của thôn bản",
            summary="Tóm tắt",
            body="Đoạn đã sửa.",
            by="Biên tập viên",
            note="Sửa số buổi khám cho đúng.",
        )
        await eventually(lambda: _true(len(social.updated) == 1))
        assert social.updated[0].title == "Người thầy thuốc của thôn bản"
        await retract_story(unit_of_work(db)(), newsroom, story_id, reason="Rút lại sự đồng ý", by="Biên tập viên")
        assert (await publication(db, "web")).state == PublicationState.WITHDRAWN  # at once: pages answer 410
        withdrawn = await eventually(lambda: _in_state(db, "social", PublicationState.WITHDRAWN))
    assert social.withdrawn == [withdrawn.external_id] == ["social-1"]
    async with db.read() as connection:
        rows = (await connection.execute(select(messaging.outbox.c.envelope).order_by(messaging.outbox.c.id))).all()
    assert parse_event(rows[-1].envelope).envelope.type == "StoryRetracted"


async def test_a_story_retracted_before_its_time_never_goes_out(db: Database) -> None:
    social = RecordingChannel(name="social")
    newsroom = newsroom_with(social)
    approval = await approve_with(db, newsroom, at=datetime.now(UTC) + timedelta(hours=1))
    await retract_story(
        unit_of_work(db)(), newsroom, story_id_for(approval.payload.exemplar_id), reason="Sai thông tin", by="BTV"
    )
    clock = FakeClock(datetime.now(UTC) + timedelta(hours=2))
    async with working(db, newsroom.channels, clock):
        await asyncio.sleep(0.5)
    assert social.placed == [] and social.withdrawn == []
    assert {(await publication(db, c)).state for c in newsroom.names} == {PublicationState.WITHDRAWN}


async def test_without_the_nominees_consent_no_channel_takes_the_story(db: Database) -> None:
    newsroom = newsroom_with()
    with pytest.raises(NoConsent):
        await approve_with(db, newsroom, consent=False)
    async with db.read() as connection:
        assert (await connection.execute(select(publications))).all() == []


async def _true(value: bool) -> bool:
    return value


async def _attempted(db: Database, channel: str, attempts: int) -> Any:
    row = await publication(db, channel)
    return row if row.attempts >= attempts else None


async def _in_state(db: Database, channel: str, state: PublicationState) -> Any:
    row = await publication(db, channel)
    return row if row.state == state else None


OLD_BODY = (
    '<p class="lead">Quý IV năm 2026, cá nhân Nguyễn Thị Hoa, Trưởng trạm Y tế xã (UBND xã Lâm Thao) đã được '
    "xét chọn, công nhận là gương điển hình tiên tiến trong lĩnh vực y tế.</p>\n"
    '<ul class="facts">\n<li>Đối tượng: Cá nhân</li>\n<li>Đơn vị: UBND xã Lâm Thao</li>\n'
    "<li>Lĩnh vực: Y tế</li>\n<li>Thời gian xét chọn: quý IV năm 2026</li>\n</ul>\n"
    "<h2>Thành tích nổi bật</h2>\n<p>Mười năm liền đưa y tế đến từng thôn.</p>\n"
    "<p>Khám miễn phí cho người cao tuổi &amp; trẻ em &#34;vùng khó&#34;.</p>\n"
    "<p>Với những thành tích trên, Nguyễn Thị Hoa đã được UBND xã Lâm Thao giới thiệu và được xét chọn là "
    "một trong những gương điển hình tiên tiến tiêu biểu quý IV năm 2026.</p>\n"
    '<p class="closing">Mỗi tấm gương người tốt, việc tốt là minh chứng sinh động.</p>\n'
)


def test_stories_stored_as_html_become_plain_text_with_their_achievements_and_publications(db_url: str) -> None:
    config = alembic_config(MIGRATIONS, db_url)
    command.upgrade(config, "0002")
    engine = create_engine(sync_url(db_url))
    now = datetime(2026, 10, 1, 8, tzinfo=UTC)
    story_id, hidden_id = uuid.uuid4(), uuid.uuid4()
    row = {
        "exemplar_id": uuid.uuid4(),
        "nomination_id": uuid.uuid4(),
        "title": "Gương điển hình tiên tiến: Nguyễn Thị Hoa",
        "summary": "Cá nhân Nguyễn Thị Hoa …",
        "body": OLD_BODY,
        "unit_name": "UBND xã Lâm Thao",
        "field": "health",
        "quarter": "2026-Q4",
        "nominee_kind": "individual",
        "nominee_name": "Nguyễn Thị Hoa",
        "nominee_title": "Trưởng trạm Y tế xã",
        "published_at": now,
        "updated_at": now,
    }

    typed: dict[str, Any] = {"story_id": Uuid(), "exemplar_id": Uuid(), "nomination_id": Uuid()}
    typed |= {"published_at": UtcDateTime(), "updated_at": UtcDateTime()}
    old_stories = table("stories", *(column(name, typed.get(name)) for name in [*row, "story_id", "slug", "status"]))
    with engine.begin() as connection:
        connection.execute(
            insert(old_stories),
            [
                {**row, "story_id": story_id, "slug": "nguyen-thi-hoa-1", "status": "published"},
                {**row, "story_id": hidden_id, "exemplar_id": uuid.uuid4(), "slug": "an-2", "status": "withheld"},
            ],
        )
    command.upgrade(config, "head")
    with engine.connect() as connection:
        story = connection.execute(select(stories).where(stories.c.story_id == story_id)).one()
        placed = connection.execute(select(publications).order_by(publications.c.channel)).all()
    engine.dispose()
    assert story.body.split("\n\n") == [
        "Quý IV năm 2026, cá nhân Nguyễn Thị Hoa, Trưởng trạm Y tế xã (UBND xã Lâm Thao) đã được xét chọn, "
        "công nhận là gương điển hình tiên tiến trong lĩnh vực y tế.",
        "Mười năm liền đưa y tế đến từng thôn.",
        'Khám miễn phí cho người cao tuổi & trẻ em "vùng khó".',
        "Với những thành tích trên, Nguyễn Thị Hoa đã được UBND xã Lâm Thao giới thiệu và được xét chọn là "
        "một trong những gương điển hình tiên tiến tiêu biểu quý IV năm 2026.",
        "Mỗi tấm gương người tốt, việc tốt là minh chứng sinh động.",
    ]
    assert (
        story.achievements
        == 'Mười năm liền đưa y tế đến từng thôn.\nKhám miễn phí cho người cao tuổi & trẻ em "vùng khó".'
    )
    assert [(p.story_id, p.channel, p.state, p.external_id) for p in placed] == [
        (story_id, "feeds", "published", f"urn:uuid:{story_id}"),  # Atom's record is the feeds' since 0005
        (story_id, "web", "published", "/stories/nguyen-thi-hoa-1"),
    ]
    assert (story.status, story.consent, story.drafted_at, story.unit_id) == ("published", True, now, "")
    with create_engine(sync_url(db_url)).connect() as connection:
        hidden = connection.execute(select(stories).where(stories.c.story_id == hidden_id)).one()
    assert (hidden.status, hidden.consent, hidden.published_at) == ("draft", False, None)
