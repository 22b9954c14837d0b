"""What the social networks answered, and the Zalo tokens, in the publishing datastore."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from publishing.adapters.orm import social_posts, social_tokens

__all__ = ["SocialPost", "SocialRecords", "SocialToken"]


@dataclass(frozen=True)
class SocialPost:
    channel: str
    story_id: uuid.UUID
    account: str
    token: str | None
    external_id: str | None
    state: str  # "created" (or being created: a token without an id yet), "deleted"
    updated_at: datetime


@dataclass(frozen=True)
class SocialToken:
    account: str
    access_token: str
    refresh_token: str
    expires_at: datetime
    refreshed_at: datetime


class SocialRecords:
    connection: AsyncConnection

    async def social_post(self, channel: str, story_id: uuid.UUID) -> SocialPost | None:
        c = social_posts.c
        row = (
            await self.connection.execute(select(social_posts).where(c.channel == channel, c.story_id == story_id))
        ).first()
        return SocialPost(**row._mapping) if row else None

    async def keep_social_post(self, post: SocialPost) -> None:
        c = social_posts.c
        row = asdict(post)
        done = await self.connection.execute(
            social_posts.update().where(c.channel == post.channel, c.story_id == post.story_id).values(row)
        )
        if not done.rowcount:
            await self.connection.execute(social_posts.insert().values(row))

    async def social_token(self, account: str) -> SocialToken | None:
        row = (await self.connection.execute(select(social_tokens).where(social_tokens.c.account == account))).first()
        return SocialToken(**row._mapping) if row else None

    async def keep_social_token(self, token: SocialToken) -> None:
        row = asdict(token)
        done = await self.connection.execute(
            social_tokens.update().where(social_tokens.c.account == token.account).values(row)
        )
        if not done.rowcount:
            await self.connection.execute(social_tokens.insert().values(row))
