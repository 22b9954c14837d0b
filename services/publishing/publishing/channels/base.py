"""What a channel is: a name, whether it is placed at once, and how it places a story."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Protocol

from common.errors import Unprocessable
from publishing.channels.site import Site
from publishing.domain.model import Commendation, Placement, Story

__all__ = ["Channel", "ChannelRefused", "OnTheSite"]


class ChannelRefused(Unprocessable):
    """The channel will never take this story as it is (too long, a forbidden word): no retry helps."""


class Channel(Protocol):
    @property
    def name(self) -> str:
        """Stable: it is stored in publication records and sent in StoryPublished."""
        ...

    @property
    def immediate(self) -> bool:
        """True for a page or feed that is rendered when fetched: placing it is only recording it."""
        ...

    @property
    def updatable(self) -> bool:
        """Whether a correction reaches what is already out (a post can be edited; a broadcast cannot)."""
        ...

    async def place(self, story: Story, commendations: Sequence[Commendation]) -> Placement:
        """Put the story on the channel (or say where it is); raise to have the job try again.

        A second run after a failure that may have gone through (a timeout) must find what the
        first one placed instead of placing it again."""
        ...

    async def update(self, story: Story, commendations: Sequence[Commendation], placement: Placement) -> Placement:
        """Bring what is out to the story's present text; raise to have the job try again."""
        ...

    async def withdraw(self, story: Story, placement: Placement) -> None:
        """Take the story down; what is already gone counts as done."""
        ...


@dataclass(frozen=True)
class OnTheSite:
    """A channel that is part of the public site, rendered when fetched: placing is saying where,
    a correction shows at the next fetch, and a retracted story is rendered as gone."""

    site: Site
    immediate: ClassVar[bool] = True
    updatable: ClassVar[bool] = True

    async def update(self, story: Story, commendations: Sequence[Commendation], placement: Placement) -> Placement:
        return placement

    async def withdraw(self, story: Story, placement: Placement) -> None:
        return None
