"""The web channel: the story's page on the public site, rendered when a reader asks for it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from publishing.channels.site import Site
from publishing.domain.model import Commendation, Placement, Story

__all__ = ["WebChannel"]


@dataclass(frozen=True)
class WebChannel:
    site: Site
    name: str = "web"
    immediate: bool = True

    async def place(self, story: Story, commendations: Sequence[Commendation]) -> Placement:
        return Placement(external_id=story.path, url=self.site.url(story.path))
