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
from typing import Any

from publishing.channels.base import ChannelRefused
from publishing.channels.social import SocialChannel
from publishing.domain.model import Commendation, Placement, Story
from publishing.social.accounts import FacebookAccount

__all__ = ["FacebookChannel", "FacebookError", "post_text"]

# Graph API error codes that a later attempt may get past: rate limits, a temporary failure.
_TRANSIENT = {1, 2, 4, 17, 32, 341, 368, 613}


class FacebookError(RuntimeError):
    """Facebook answered with an error a later attempt may get past."""


def post_text(story: Story) -> str:
    """The post: the title, the summary, and where to read the story."""
    return f"{story.title}\n\n{story.summary}"


class FacebookChannel(SocialChannel[FacebookAccount]):
    name = "facebook"
    account_kind = "trang Facebook"

    async def _call(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        response = await self._request(method, url, **kwargs)
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
            await self._keep(story, account, external_id=found)
            return self._placement(found)
        body = await self._call(
            "POST",
            f"{account.graph_url}/{account.page_id}/feed",
            data={"message": post_text(story), "link": link, "published": "true", "access_token": account.token()},
        )
        post_id = str(body["id"])
        await self._keep(story, account, external_id=post_id)  # before anything else
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
        await self._keep(story, account, external_id=placement.external_id, state="deleted")
