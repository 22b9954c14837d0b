"""Outbound channels: posting a story to a system outside (Zalo, Facebook, a radio automation host)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Protocol

__all__ = ["FakeOutbound", "OutboundChannel", "OutboundPost", "Placement"]


@dataclass(frozen=True)
class OutboundPost:
    key: str  # the same for every attempt at one post: a retry finds the first attempt by it
    title: str
    text: str
    link: str | None = None


@dataclass(frozen=True)
class Placement:
    """Where a post went: the other system's id for it and, when it has one, its public address."""

    external_id: str
    url: str | None = None


class OutboundChannel(Protocol):
    async def post(self, post: OutboundPost) -> Placement:
        """Publish ``post`` (or find it, when a post with the same key went out before)."""
        ...


@dataclass
class FakeOutbound:
    """Posts in memory; fails the first ``failures`` attempts, as a remote system sometimes does."""

    failures: int = 0
    posts: dict[str, OutboundPost] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)
    attempts: int = 0

    async def post(self, post: OutboundPost) -> Placement:
        self.attempts += 1
        if self.attempts <= self.failures:
            raise ConnectionError("the remote system did not answer")
        if post.key not in self.ids:
            self.posts[post.key] = post
            self.ids[post.key] = uuid.uuid5(uuid.NAMESPACE_URL, post.key).hex
        return Placement(self.ids[post.key], f"https://example.invalid/posts/{self.ids[post.key]}")
