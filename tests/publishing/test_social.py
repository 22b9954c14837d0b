"""Zalo and Facebook against local servers that implement their documented endpoints: create, retry
after a timeout without a double post, refresh a Zalo token, correct, delete on retraction; and a
story on every channel withdrawn from each."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from common.db import Database
from publishing.adapters.repository import PublishingStore
from publishing.channels.facebook import FacebookChannel
from publishing.channels.zalo import ZaloChannel
from publishing.domain.model import PublicationState, Story, story_id_for
from publishing.service.editorial import approve_story, edit_story, retract_story
from publishing.social.accounts import FacebookAccount, ZaloAccount
from tests.helpers import eventually
from tests.publishing.builders import BASE, SITE, approved, delivery
from tests.publishing.support import event_processor, jobs_running, serving, uow_of
from tests.standins.social import SocialStandIn, running_social


@pytest.fixture
def standin() -> Iterator[SocialStandIn]:
    with running_social() as found:
        yield found


def accounts(standin: SocialStandIn, folder: Path) -> tuple[FacebookAccount, ZaloAccount]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "fb").write_text(standin.facebook.page_token)
    (folder / "zalo-secret").write_text(standin.zalo.secret_key)
    (folder / "zalo-refresh").write_text(standin.zalo.refresh_token)
    facebook = FacebookAccount(
        page_id=standin.facebook.page_id, token_file=folder / "fb", graph_url=standin.facebook_url
    )
    zalo = ZaloAccount(
        oa_id=standin.zalo.oa_id,
        app_id=standin.zalo.app_id,
        secret_key_file=folder / "zalo-secret",
        refresh_token_file=folder / "zalo-refresh",
        api_url=standin.zalo_url,
        oauth_url=standin.zalo_url,
    )
    return facebook, zalo


@contextlib.asynccontextmanager
async def quick_client() -> AsyncIterator[httpx.AsyncClient]:
    """A client that gives up after half a second: a held answer is a timeout."""
    async with httpx.AsyncClient(timeout=httpx.Timeout(0.5)) as client:
        yield client


async def stored_story(db: Database) -> Story:
    """A story as publishing keeps it (the posts it gets are recorded against it)."""
    event = approved(name="Lò Văn Páo", unit_id="xa-ban-nguyen", unit_name="Xã Bản Nguyên")
    await event_processor(db, auto=frozenset())([delivery(event)])
    async with db.read() as connection:
        story = await PublishingStore(connection).get_story(story_id_for(event.payload.exemplar_id))
    assert story is not None
    return story


async def test_a_facebook_post_is_made_once_even_after_a_timeout_edited_and_deleted(
    db: Database, standin: SocialStandIn, tmp_path: Path
) -> None:
    facebook, _ = accounts(standin, tmp_path)
    story = await stored_story(db)
    async with quick_client() as client:
        channel = FacebookChannel([facebook], db, SITE, client=client)
        standin.facebook.hold_after_create = 2.0  # the post is made; the answer comes too late
        with pytest.raises(httpx.TimeoutException):
            await channel.place(story, [])
        placed = await channel.place(story, [])  # the job's next attempt
        again = await channel.place(story, [])  # and one after a crash once it was kept
    assert standin.facebook.created == 1, "one post, however often the job ran"
    assert placed == again and placed.external_id in standin.facebook.posts
    post = standin.facebook.posts[placed.external_id]
    assert post["link"] == f"{BASE}/stories/{story.slug}" and post["message"].startswith(story.title)

    story.edit(title="Người giữ rừng", summary="Tóm tắt mới.", body="Đoạn.", by="BTV", at=story.updated_at)
    await FacebookChannel([facebook], db, SITE).update(story, [], placed)
    assert standin.facebook.posts[placed.external_id]["message"] == "Người giữ rừng\n\nTóm tắt mới."
    channel = FacebookChannel([facebook], db, SITE)
    await channel.withdraw(story, placed)
    await channel.withdraw(story, placed)  # gone already: done
    assert standin.facebook.posts == {}


async def test_facebook_rate_limits_are_retried_and_a_bad_token_is_refused(
    db: Database, standin: SocialStandIn, tmp_path: Path
) -> None:
    from publishing.channels.base import ChannelRefused
    from publishing.channels.facebook import FacebookError

    facebook, _ = accounts(standin, tmp_path)
    story = await stored_story(db)
    channel = FacebookChannel([facebook], db, SITE)
    standin.facebook.rate_limited = 1
    with pytest.raises(FacebookError, match="request limit"):
        await channel.place(story, [])
    (tmp_path / "fb").write_text("EAABwrong")
    with pytest.raises(ChannelRefused, match="mã 190"):
        await channel.place(story, [])
    assert standin.facebook.created == 0


async def test_a_zalo_article_refreshes_its_token_survives_a_timeout_and_is_removed(
    db: Database, standin: SocialStandIn, tmp_path: Path
) -> None:
    _, zalo = accounts(standin, tmp_path)
    first_refresh = standin.zalo.refresh_token
    story = await stored_story(db)
    async with quick_client() as client:
        channel = ZaloChannel([zalo], db, SITE, client=client)
        standin.zalo.hold_after_create = 2.0
        with pytest.raises(httpx.TimeoutException):
            await channel.place(story, [])
        assert standin.zalo.refreshes == 1  # no token yet: the one from the file, exchanged
        placed = await channel.place(story, [])
    assert standin.zalo.created == 1, "found among the latest articles, not created again"
    assert placed.external_id in standin.zalo.articles
    async with db.read() as connection:
        kept = await PublishingStore(connection).social_token(zalo.key)
    assert kept is not None and kept.refresh_token == standin.zalo.refresh_token != first_refresh

    standin.zalo.expire()  # a day later
    story.edit(title="Người giữ rừng", summary="Tóm tắt mới.", body="Đoạn sửa.", by="BTV", at=story.updated_at)
    channel = ZaloChannel([zalo], db, SITE)
    await channel.update(story, [], placed)
    assert standin.zalo.refreshes == 2, "an expired token is refreshed once, with the rotated refresh token"
    assert standin.zalo.articles[placed.external_id]["title"] == "Người giữ rừng"
    await channel.withdraw(story, placed)
    assert standin.zalo.articles == {}


async def test_a_zalo_create_whose_verify_failed_is_verified_on_retry_not_created_again(
    db: Database, standin: SocialStandIn, tmp_path: Path
) -> None:
    _, zalo = accounts(standin, tmp_path)
    story = await stored_story(db)
    channel = ZaloChannel([zalo], db, SITE)
    real_send = channel._send
    calls: list[str] = []

    async def failing_verify(method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        calls.append(url)
        if url.endswith("/article/verify") and calls.count(url) == 1:
            raise httpx.ConnectError("the network dropped")
        return await real_send(method, url, **kwargs)

    channel._send = failing_verify  # type: ignore[method-assign]
    with pytest.raises(httpx.ConnectError):
        await channel.place(story, [])
    placed = await channel.place(story, [])
    assert standin.zalo.created == 1 and placed.external_id in standin.zalo.articles


# --- a story on every channel, retracted: off each one --------------------------------------------


@pytest.fixture
async def everywhere(db_url: str, redis_url: str, tmp_path: Path, standin: SocialStandIn) -> AsyncIterator[FastAPI]:
    facebook, zalo = accounts(standin, tmp_path / "secrets")
    social = tmp_path / "social.toml"
    lines = [
        "[[facebook]]",
        f'page_id = "{facebook.page_id}"',
        f'token_file = "{facebook.token_file}"',
        f'graph_url = "{facebook.graph_url}"',
        "[[zalo]]",
        f'oa_id = "{zalo.oa_id}"',
        f'app_id = "{zalo.app_id}"',
        f'secret_key_file = "{zalo.secret_key_file}"',
        f'refresh_token_file = "{zalo.refresh_token_file}"',
        f'api_url = "{zalo.api_url}"',
        f'oauth_url = "{zalo.oauth_url}"',
    ]
    social.write_text("\n".join(lines) + "\n", encoding="utf-8")
    async with serving(db_url, redis_url, media_dir=tmp_path / "media", social_file=social) as app:
        yield app


async def states(db: Database, story_id: uuid.UUID) -> dict[str, PublicationState]:
    async with db.read() as connection:
        records = (await PublishingStore(connection).publications_for([story_id]))[story_id]
    return {r.channel: r.state for r in records}


async def test_a_story_on_every_channel_is_withdrawn_from_each(everywhere: FastAPI, standin: SocialStandIn) -> None:
    app, db = everywhere, everywhere.state.runtime.db
    assert app.state.newsroom.names == ["web", "feeds", "print", "radio", "zalo", "facebook"]
    story = await stored_story(db)
    await approve_story(app.state.runtime.unit_of_work(), app.state.newsroom, story.story_id, by="BTV")
    async with jobs_running(app):

        async def all_out() -> bool:
            return set((await states(db, story.story_id)).values()) == {PublicationState.PUBLISHED}

        await eventually(all_out, within=60)
        assert len(standin.facebook.posts) == 1 and len(standin.zalo.articles) == 1
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://publishing") as client:
            assert (await client.get(f"/stories/{story.slug}")).status_code == 200
            text = {"title": "Người giữ rừng ở Bản Nguyên", "summary": "Tóm tắt.", "body": "Đoạn sửa."}
            await edit_story(uow_of(db)(), app.state.newsroom, story.story_id, **text, by="BTV", note="Sửa tiêu đề.")
            await eventually(
                lambda: _true(next(iter(standin.zalo.articles.values()))["title"] == "Người giữ rừng ở Bản Nguyên")
            )
            await retract_story(uow_of(db)(), app.state.newsroom, story.story_id, reason="Rút lại sự đồng ý", by="BTV")

            async def all_down() -> bool:
                return set((await states(db, story.story_id)).values()) == {PublicationState.WITHDRAWN}

            await eventually(all_down, within=60)
            assert (await client.get(f"/stories/{story.slug}")).status_code == 410
            assert story.story_id.hex not in (await client.get("/feed.rss")).text
    assert standin.facebook.posts == {} and standin.zalo.articles == {}
    async with db.read() as connection:
        bulletin = await PublishingStore(connection).bulletin_of(story.story_id)
    assert bulletin is not None and bulletin.withdrawn_at is not None


async def _true(value: bool) -> bool:
    return value
