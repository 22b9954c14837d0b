"""The Zalo Official Account channel (Open API v2/v4): an article per story, updated on a correction,
removed on a retraction.

Creating an article answers a *token*; verifying the token gives the article's id. Both are kept
the moment Zalo answers, in a transaction of their own: a job run again verifies the kept token
instead of creating the article a second time. When an attempt ended without an answer, the next
one looks for the story's title among the account's latest articles first. Access tokens last
about a day; each refresh also gives a new refresh token (the old one stops working), which is
kept before the access token is used.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from publishing.adapters.repository import PublishingStore
from publishing.adapters.social_records import SocialToken
from publishing.channels.base import ChannelRefused
from publishing.channels.site import Site
from publishing.channels.social import SocialChannel
from publishing.domain.model import Commendation, Placement, Story
from publishing.social.accounts import ZaloAccount

__all__ = ["ZaloChannel", "ZaloError", "article"]

_EXPIRED = {-216, -124, -118}  # the access token is invalid or has expired: refresh, then try again
_TRANSIENT = {-32, -50, -201}  # rate limited or a temporary failure: the job tries again later


class ZaloError(RuntimeError):
    """Zalo answered with an error a later attempt may get past."""


class _TokenExpired(Exception):
    pass


def article(story: Story, site: Site, author: str) -> dict[str, Any]:
    """An article of the Official Account: the title, the summary, the story's paragraphs, its link."""
    paragraphs = [{"type": "text", "content": p} for p in story.paragraphs]
    paragraphs.append({"type": "text", "content": f"Xem bài viết đầy đủ: {site.url(story.path)}"})
    return {
        "type": "normal",
        "title": story.title[:150],
        "author": author[:50],
        "description": story.summary[:300],
        "body": paragraphs,
        "status": "show",
        "comment": "show",
    }


class ZaloChannel(SocialChannel[ZaloAccount]):
    name = "zalo"
    account_kind = "tài khoản Zalo"

    async def _send(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        response = await self._request(method, url, **kwargs)
        if response.status_code >= 500 or response.status_code == 429:
            raise ZaloError(f"Zalo answered {response.status_code}")
        try:
            body: dict[str, Any] = response.json()
        except ValueError as error:
            raise ZaloError(f"Zalo answered {response.status_code} without JSON") from error
        code = int(body.get("error", 0) or 0)
        if code in _EXPIRED:
            raise _TokenExpired(body.get("message", ""))
        if code in _TRANSIENT:
            raise ZaloError(f"Zalo: {body.get('message', '')} (mã {code})")
        if code != 0 or response.status_code >= 400:
            raise ChannelRefused(
                "zalo-refused", f"Zalo từ chối: {body.get('message', response.status_code)} (mã {code})"
            )
        return body

    async def _token(self, account: ZaloAccount, *, renew: bool = False) -> str:
        """A live access token: the kept one, or a new one (its rotated refresh token kept first)."""
        async with self.db.read() as connection:
            kept = await PublishingStore(connection).social_token(account.key)
        now = datetime.now(UTC)
        if kept is not None and not renew and kept.expires_at > now + timedelta(minutes=1):
            return kept.access_token
        refresh = kept.refresh_token if kept is not None else account.first_refresh_token()
        response = await self._request(
            "POST",
            f"{account.oauth_url}/v4/oa/access_token",
            headers={"secret_key": account.secret_key()},
            data={"app_id": account.app_id, "grant_type": "refresh_token", "refresh_token": refresh},
        )
        if response.status_code >= 500:
            raise ZaloError(f"Zalo's sign-in answered {response.status_code}")
        body = response.json()
        if "access_token" not in body:
            raise ChannelRefused(
                "zalo-token", f"Zalo không cấp lại mã truy cập: {body.get('error_description') or body.get('error')}"
            )
        token = SocialToken(
            account=account.key,
            access_token=str(body["access_token"]),
            refresh_token=str(body["refresh_token"]),
            expires_at=now + timedelta(seconds=int(body.get("expires_in", 3600))),
            refreshed_at=now,
        )
        async with self.db.transaction() as connection:
            await PublishingStore(connection).keep_social_token(token)
        return token.access_token

    async def _call(self, account: ZaloAccount, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """A call with the access token; an expired one is refreshed once and the call made again."""
        for renew in (False, True):
            token = await self._token(account, renew=renew)
            try:
                return await self._send(method, f"{account.api_url}{path}", headers={"access_token": token}, **kwargs)
            except _TokenExpired:
                if renew:
                    raise ZaloError("Zalo refused a freshly refreshed access token") from None
        raise AssertionError("unreachable")

    def _placement(self, story: Story, article_id: str) -> Placement:
        """Zalo gives no public address for an article: the story's page stands for it."""
        return Placement(external_id=article_id, url=self.site.url(story.path))

    async def place(self, story: Story, commendations: Sequence[Commendation]) -> Placement:
        account = self._account(story)
        kept = await self._kept(story)
        if kept is not None and kept.external_id and kept.state == "created":
            return self._placement(story, kept.external_id)
        token = kept.token if kept is not None else None
        if token is None:
            found = await self._find(account, story)
            if found is not None:
                await self._keep(story, account, external_id=found)
                return self._placement(story, found)
            created = await self._call(
                account, "POST", "/v2.0/article/create", json=article(story, self.site, self.site.author)
            )
            token = str(created["data"]["token"])
            await self._keep(story, account, external_id=None, token=token)  # before anything else
        verified = await self._call(account, "POST", "/v2.0/article/verify", json={"token": token})
        article_id = str(verified["data"]["id"])
        await self._keep(story, account, external_id=article_id, token=token)
        return self._placement(story, article_id)

    async def _find(self, account: ZaloAccount, story: Story) -> str | None:
        body = await self._call(
            account, "GET", "/v2.0/article/getslice", params={"offset": 0, "limit": 10, "type": "normal"}
        )
        medias = (body.get("data") or {}).get("medias", [])
        return next((str(m["id"]) for m in medias if m.get("title") == story.title[:150]), None)

    async def update(self, story: Story, commendations: Sequence[Commendation], placement: Placement) -> Placement:
        account = self._account(story)
        body = article(story, self.site, self.site.author) | {"id": placement.external_id}
        await self._call(account, "POST", "/v2.0/article/update", json=body)
        return placement

    async def withdraw(self, story: Story, placement: Placement) -> None:
        account = self._account(story)
        await self._call(account, "POST", "/v2.0/article/remove", json={"id": placement.external_id})
        await self._keep(story, account, external_id=placement.external_id, state="deleted")
