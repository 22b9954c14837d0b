"""The print channel: a story approved for print goes into its commune's leaflet (tờ tin) of its
quarter (an occasion's reportage into a leaflet of its own), built again whenever a story in it
changes (``service/printing.py``)."""

from __future__ import annotations

from collections.abc import Sequence

from publishing.channels.base import ChannelRefused, OnTheSite
from publishing.domain.model import Commendation, Placement, Story, StoryKind

__all__ = ["PrintChannel"]


class PrintChannel(OnTheSite):
    name = "print"

    async def place(self, story: Story, commendations: Sequence[Commendation]) -> Placement:
        if story.kind is StoryKind.REPORTAGE:  # a leaflet of its own, for every commune
            return Placement(external_id=f"leaflet:reportage:{story.story_id}", url=self.site.url("/leaflets"))
        if story.commune_id is None:
            raise ChannelRefused(
                "no-commune", f"bài “{story.title}” không thuộc xã, phường nào hiện nay: không có tờ tin"
            )
        return Placement(
            external_id=f"leaflet:{story.commune_id}:{story.quarter}",
            url=self.site.url(f"/leaflets/{story.commune_id}"),
        )
