"""The Facebook Page channel, through the Graph API: a post per story on its commune's Page (or the
province's), edited on a correction, deleted on a retraction.

The Graph API has no idempotency key. The post's id is kept the moment Facebook answers, in a
transaction of its own, before anything else; a job run again finds it and posts nothing. When an
attempt ended without an answer (a timeout: the post may exist), the next one looks for the story's
link among the Page's latest posts before posting. Rate limits and server errors are retried by the
job with growing waits; a refused token or page is refused at once, with Facebook's message.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import httpx

from common.db import Database
from publishing.adapters.repository import PublishingStore
from publishing.adapters.social_records import SocialPost
from publishing.channels.base import ChannelRefused
from publishing.channels.site import Site
from publishing.domain.model import Commendation, Placement, Story
from publishing.social.accounts import FacebookAccount, account_for

__all__ = ["FacebookChannel", "FacebookError", "post_text"]

# Graph API error codes that a later attempt may get past: rate limits, a temporary failure.
_TRANSIENT = {1, 2, 4, 17, 32, 341, 368, 613}


class FacebookError(RuntimeError):
    """Facebook answered with an error a later attempt may get past."""


def post_text(story: Story) -> str:
    """The post: the title, the summary, and where to read the story."""
    return f"{story.title}\n\n{story.summary}"


class FacebookChannel:
    name = "facebook"
    immediate = False
    updatable = True

    def __init__(
        self, accounts: Sequence[FacebookAccount], db: Database, site: Site, *, client: httpx.AsyncClient | None = None
    ) -> None:
        self.accounts = accounts
        self.db = db
        self.site = site
        self._client = client

    def _http(self) -> httpx.AsyncClient:
        return self._client or httpx.AsyncClient(timeout=httpx.Timeout(20.0, connect=5.0))

    async def _call(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        client = self._http()
        try:
            response = await client.request(method, url, **kwargs)
        finally:
            if self._client is None:
                await client.aclose()
        try:
            body: dict[str, Any] = response.json()
        except ValueError:
            body = {}
        error = body.get("error")
        if response.status_code >= 500:
            raise FacebookError(f"Facebook answered {response.status_code}")
        if error or response.status_code >= 400:
            code = int((error or {}).get("code", 0))
            message = (error or {}).get("message", f"HTTP {response.status_code}")
            if code in _TRANSIENT or response.status_code == 429:
                raise FacebookError(f"Facebook: {message} (mã {code})")
            raise ChannelRefused("facebook-refused", f"Facebook từ chối: {message} (mã {code})")
        return body

    def _account(self, story: Story) -> FacebookAccount:
        account = account_for(self.accounts, story.commune_id)
        if account is None:
            raise ChannelRefused("no-account", f"chưa cấu hình trang Facebook cho {story.commune_id or 'bài này'}")
        return account

    async def _kept(self, story: Story) -> SocialPost | None:
        async with self.db.read() as connection:
            return await PublishingStore(connection).social_post(self.name, story.story_id)

    async def _keep(self, story: Story, account: FacebookAccount, post_id: str, state: str = "created") -> None:
        async with self.db.transaction() as connection:
            await PublishingStore(connection).keep_social_post(
                SocialPost(self.name, story.story_id, account.key, None, post_id, state, datetime.now(UTC))
            )

    def _placement(self, post_id: str) -> Placement:
        return Placement(external_id=post_id, url=f"https://www.facebook.com/{post_id}")

    async def place(self, story: Story, commendations: Sequence[Commendation]) -> Placement:
        account = self._account(story)
        kept = await self._kept(story)
        if kept is not None and kept.external_id and kept.state == "created":
            return self._placement(kept.external_id)  # posted by an earlier run
        link = self.site.url(story.path)
        found = await self._find(account, link)
        if found is not None:  # an earlier run's post whose answer never came back
            await self._keep(story, account, found)
            return self._placement(found)
        body = await self._call(
            "POST",
            f"{account.graph_url}/{account.page_id}/feed",
            data={"message": post_text(story), "link": link, "published": "true", "access_token": account.token()},
        )
        post_id = str(body["id"])
        await self._keep(story, account, post_id)  # before anything else
        return self._placement(post_id)

    async def _find(self, account: FacebookAccount, link: str) -> str | None:
        body = await self._call(
            "GET",
            f"{account.graph_url}/{account.page_id}/feed",
            params={"fields": "id,link", "limit": "25", "access_token": account.token()},
        )
        return next((str(p["id"]) for p in body.get("data", []) if p.get("link") == link), None)

    async def update(self, story: Story, commendations: Sequence[Commendation], placement: Placement) -> Placement:
        account = self._account(story)
        await self._call(
            "POST",
            f"{account.graph_url}/{placement.external_id}",
            data={"message": post_text(story), "access_token": account.token()},
        )
        return placement

    async def withdraw(self, story: Story, placement: Placement) -> None:
        account = self._account(story)
        try:
            await self._call(
                "DELETE", f"{account.graph_url}/{placement.external_id}", params={"access_token": account.token()}
            )
        except ChannelRefused as refused:
            if "(mã 100)" not in refused.message:  # 100: the post does not exist (deleted already)
                raise
        await self._keep(story, account, placement.external_id, state="deleted")
