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

    async def place(self, story: Story, commendations: Sequence[Commendation]) -> Placement:
        """Put the story on the channel (or say where it is); raise to have the job try again."""
        ...


@dataclass(frozen=True)
class OnTheSite:
    """A channel that is part of the public site, rendered when fetched: placing is saying where."""

    site: Site
    immediate: ClassVar[bool] = True
