"""An in-memory channel for tests: records what it was given, fails when told to."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from publishing.channels.base import ChannelRefused
from publishing.domain.model import Commendation, Placement, Story

__all__ = ["RecordingChannel"]


@dataclass
class RecordingChannel:
    """A channel placed by jobs, like a social network: ``failures`` runs fail before one succeeds."""

    name: str = "recording"
    immediate: bool = False
    updatable: bool = True
    failures: int = 0
    refuse: bool = False
    placed: list[Story] = field(default_factory=list)
    updated: list[Story] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)
    runs: int = 0

    async def place(self, story: Story, commendations: Sequence[Commendation]) -> Placement:
        self.runs += 1
        if self.refuse:
            raise ChannelRefused("channel-refused", f"{self.name} does not take story {story.slug}")
        if self.runs <= self.failures:
            raise ConnectionError(f"{self.name} did not answer (run {self.runs})")
        self.placed.append(story)
        return Placement(external_id=f"{self.name}-{len(self.placed)}", url=f"https://{self.name}.example/{story.slug}")

    async def update(self, story: Story, commendations: Sequence[Commendation], placement: Placement) -> Placement:
        self.updated.append(story)
        return placement

    async def withdraw(self, story: Story, placement: Placement) -> None:
        self.withdrawn.append(placement.external_id)
