"""What the Facebook and Zalo channels share: their accounts, one HTTP call, and the record of what
each network answered for a story (kept in a transaction of its own, before anything else)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Generic

import httpx

from common.db import Database
from publishing.adapters.repository import PublishingStore
from publishing.adapters.social_records import SocialPost
from publishing.channels.base import ChannelRefused
from publishing.channels.site import Site
from publishing.domain.model import Story
from publishing.social.accounts import A, account_for

__all__ = ["SocialChannel"]


class SocialChannel(Generic[A]):
    name: str
    account_kind: str  # as a refusal names it: "trang Facebook", "tài khoản Zalo"
    immediate = False
    updatable = True

    def __init__(
        self, accounts: Sequence[A], db: Database, site: Site, *, client: httpx.AsyncClient | None = None
    ) -> None:
        self.accounts: Sequence[A] = accounts
        self.db = db
        self.site = site
        self._client = client

    async def _request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """One call, on the given client or on one of its own closed afterwards."""
        client = self._client or httpx.AsyncClient(timeout=httpx.Timeout(20.0, connect=5.0))
        try:
            return await client.request(method, url, **kwargs)
        finally:
            if self._client is None:
                await client.aclose()

    def _account(self, story: Story) -> A:
        account = account_for(self.accounts, story.commune_id)
        if account is None:
            raise ChannelRefused("no-account", f"chưa cấu hình {self.account_kind} cho {story.commune_id or 'bài này'}")
        return account

    async def _kept(self, story: Story) -> SocialPost | None:
        async with self.db.read() as connection:
            return await PublishingStore(connection).social_post(self.name, story.story_id)

    async def _keep(
        self, story: Story, account: A, *, external_id: str | None, state: str = "created", token: str | None = None
    ) -> None:
        async with self.db.transaction() as connection:
            await PublishingStore(connection).keep_social_post(
                SocialPost(self.name, story.story_id, account.key, token, external_id, state, datetime.now(UTC))
            )
