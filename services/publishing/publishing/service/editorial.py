"""The editors' desk: approve a story for some or all channels (now or at a set time), correct it,
retract it (gỡ bài).

A page or feed (an immediate channel) due now is placed in the approving transaction; anything
else gets a job for its time. A correction reaches every channel that takes one; a retraction
takes the story off every channel it went to and cancels what was still to come.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from common.events import Envelope
from publishing.channels import Channel
from publishing.domain.model import Publication, PublicationState, RadioPriority, Story
from publishing.service.placing import Action, PublishingUnitOfWork, channel_job

__all__ = ["Newsroom", "StoryNotFound", "UnknownChannel", "approve_story", "edit_story", "retract_story"]


class StoryNotFound(LookupError):
    pass


class UnknownChannel(ValueError):
    pass


@dataclass(frozen=True)
class Newsroom:
    """The channels stories go out on, and those the office lets a story reach without an editor."""

    channels: Sequence[Channel]
    auto_approve: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        unknown = self.auto_approve - set(self.names)
        if unknown:
            raise UnknownChannel(f"no channel {', '.join(sorted(unknown))}; the channels are {', '.join(self.names)}")

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.channels]

    def channel(self, name: str) -> Channel:
        for channel in self.channels:
            if channel.name == name:
                return channel
        raise UnknownChannel(f"không có kênh “{name}”; các kênh: {', '.join(self.names)}")


async def _story(uow: PublishingUnitOfWork, story_id: uuid.UUID) -> Story:
    story = await uow.store.get_story(story_id, for_update=True)
    if story is None:
        raise StoryNotFound(f"không có bài viết {story_id}")
    return story


async def approve_story(
    uow: PublishingUnitOfWork,
    newsroom: Newsroom,
    story_id: uuid.UUID,
    *,
    by: str,
    channels: Sequence[str] | None = None,
    at: datetime | None = None,
    cause: Envelope | None = None,
    radio_priority: RadioPriority | None = None,
) -> Story:
    """Approve the story for ``channels`` (all when None), out now or at ``at``; returns it as it stands.

    ``radio_priority`` sets how the radio airs it (ordinary, priority, emergency).

    A channel it is already out on stays as it is; one it was scheduled for is moved to the new
    time. Refused (NotEditable, NoConsent, UnknownChannel) for a retracted story, a nominee who did
    not consent, or a channel that does not exist.
    """
    now = datetime.now(UTC)
    wanted = {newsroom.channel(name).name for name in channels or newsroom.names}
    chosen = [c for c in newsroom.channels if c.name in wanted]  # in the newsroom's order
    async with uow:
        story = await _story(uow, story_id)
        story.check_publishable()
        if radio_priority is not None:
            story.radio_priority = radio_priority
        records = {r.channel: r for r in (await uow.store.publications_for([story_id]))[story_id]}
        due = at is None or at <= now
        written: list[Publication] = []
        placed: list[tuple[Channel, Publication]] = []
        for channel in chosen:
            record = records.get(channel.name)
            if record is not None and record.state is PublicationState.PUBLISHED:
                continue
            state = PublicationState.PENDING if due else PublicationState.SCHEDULED
            fresh = Publication(story_id, channel.name, state, None, None, 0, None, None, now, None if due else at, by)
            if record is not None:
                fresh = replace(fresh, attempts=record.attempts)
            if channel.immediate and due:
                placement = await channel.place(story, ())
                story.placed(channel.name, placement, now)
                fresh = replace(
                    fresh,
                    state=PublicationState.PUBLISHED,
                    external_id=placement.external_id,
                    url=placement.url,
                    attempts=fresh.attempts + 1,
                    published_at=now,
                )
                placed.append((channel, fresh))
            else:
                uow.enqueue(
                    channel_job(story_id, channel.name, Action.PLACE, now=now, at=fresh.scheduled_for, cause=cause)
                )
            written.append(fresh)
        await uow.store.put_publications(written)
        await uow.store.save_story(story)
        uow.track(story, cause=cause)
    return story


async def edit_story(
    uow: PublishingUnitOfWork,
    newsroom: Newsroom,
    story_id: uuid.UUID,
    *,
    title: str,
    summary: str,
    body: str,
    by: str,
    note: str = "",
) -> Story:
    """New text for a draft, or a correction of a published story (with the note readers see), which
    then reaches every channel it is out on that takes corrections."""
    now = datetime.now(UTC)
    async with uow:
        story = await _story(uow, story_id)
        story.edit(title=title, summary=summary, body=body, by=by, at=now, note=note)
        await uow.store.save_story(story)
        for record in (await uow.store.publications_for([story_id]))[story_id]:
            channel = next((c for c in newsroom.channels if c.name == record.channel), None)
            if record.state is PublicationState.PUBLISHED and channel and channel.updatable and not channel.immediate:
                uow.enqueue(channel_job(story_id, record.channel, Action.UPDATE, now=now, revision=story.revision))
    return story


async def retract_story(
    uow: PublishingUnitOfWork, newsroom: Newsroom, story_id: uuid.UUID, *, reason: str, by: str
) -> Story:
    """Take the story off every channel it went to (pages answer 410, feeds drop it, posts are deleted,
    bulletins leave the rundowns); what was still to come is cancelled."""
    now = datetime.now(UTC)
    async with uow:
        story = await _story(uow, story_id)
        story.retract(reason=reason, by=by, at=now)
        await uow.store.save_story(story)
        changed: list[Publication] = []
        for record in (await uow.store.publications_for([story_id]))[story_id]:
            channel = next((c for c in newsroom.channels if c.name == record.channel), None)
            out = record.state is PublicationState.PUBLISHED
            if out and channel is not None and not channel.immediate:
                uow.enqueue(channel_job(story_id, record.channel, Action.WITHDRAW, now=now, revision=story.revision))
            elif record.state is not PublicationState.WITHDRAWN:
                changed.append(replace(record, state=PublicationState.WITHDRAWN, updated_at=now))
        await uow.store.put_publications(changed)
        uow.track(story)
    return story
