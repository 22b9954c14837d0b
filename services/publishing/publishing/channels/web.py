"""The web channel: the story's page on the public site, rendered when a reader asks for it."""

from __future__ import annotations

from collections.abc import Sequence

from publishing.channels.base import OnTheSite
from publishing.domain.model import Commendation, Placement, Story

__all__ = ["WebChannel"]


class WebChannel(OnTheSite):
    name = "web"

    async def place(self, story: Story, commendations: Sequence[Commendation]) -> Placement:
        return Placement(external_id=story.path, url=self.site.url(story.path))
