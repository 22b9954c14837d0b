"""The grassroots radio channel: a story becomes a bulletin of its commune, read aloud and rendered
to audio by the placing job (never inside a consumer's transaction); the rundowns of each slot are
then built from the bulletins on air (``service/radio.py``)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common.db import Database
from common.organisation import Organisation
from common.ports.speech import SpeechSynthesizer
from publishing.adapters.radio_records import Bulletin
from publishing.adapters.repository import PublishingStore
from publishing.channels.base import ChannelRefused
from publishing.channels.site import Site
from publishing.domain.model import Commendation, Placement, Story
from publishing.radio.audio import Tags, encode
from publishing.radio.reading import read_aloud
from publishing.radio.station import Station

__all__ = ["Radio", "RadioChannel", "spoken"]


@dataclass(frozen=True)
class Radio:
    """What the radio needs: where audio is kept, the station's rules, a voice, and the site."""

    db: Database
    media: Path
    station: Station
    speech: SpeechSynthesizer
    abbreviations: Mapping[str, str]
    site: Site
    agency: str
    organisation: Organisation  # the communes' names


def spoken(story: Story, abbreviations: Mapping[str, str]) -> str:
    """What the loudspeaker reads: the title, then the story, in words."""
    return read_aloud(". ".join([story.title, *story.paragraphs]), abbreviations)


class RadioChannel:
    name = "radio"
    immediate = False
    updatable = True  # a correction is read from the next rundown on

    def __init__(self, radio: Radio) -> None:
        self.radio = radio

    async def place(self, story: Story, commendations: Sequence[Commendation]) -> Placement:
        return await self._render(story, keep_air=False)

    async def update(self, story: Story, commendations: Sequence[Commendation], placement: Placement) -> Placement:
        return await self._render(story, keep_air=True)

    async def withdraw(self, story: Story, placement: Placement) -> None:
        """Out of every rundown still to come (those already built are built again without it)."""
        async with self.radio.db.transaction() as connection:
            await PublishingStore(connection).withdraw_bulletin(story.story_id, datetime.now(UTC))

    async def _render(self, story: Story, *, keep_air: bool) -> Placement:
        radio, now = self.radio, datetime.now(UTC)
        if story.commune_id is not None:
            communes = [story.commune_id]
        else:  # a story of the whole area (an occasion's reportage) airs in every commune today
            communes = [u.id for u in radio.organisation.communes_on(now.date())]
        if not communes:
            raise ChannelRefused("no-commune", f"bài “{story.title}” không có đài xã, phường nào để phát")
        script = spoken(story, radio.abbreviations)
        speech = await radio.speech.synthesize(script, voice="vi")
        relative = f"radio/bulletins/{story.story_id}-{story.revision}.mp3"
        target = radio.media / relative
        tags = Tags(
            title=story.title,
            artist=radio.station.series,
            album=radio.station.series,
            publisher=radio.agency,
            date=now.date().isoformat(),
            comment=story.summary,
        )
        seconds = await encode(speech.audio, target, tags)
        size = (await asyncio.to_thread(target.stat)).st_size
        async with radio.db.transaction() as connection:
            store = PublishingStore(connection)
            earlier = {b.commune_id: b for b in await store.bulletins_of(story.story_id)}
            for commune_id in communes:
                before = earlier.get(commune_id) if keep_air else None
                starts = before.on_air_from if before else now
                ends = before.on_air_until if before else starts + timedelta(days=radio.station.days_on_air)
                await store.put_bulletin(
                    Bulletin(
                        story_id=story.story_id,
                        commune_id=commune_id,
                        priority=story.radio_priority,
                        title=story.title,
                        script=script,
                        revision=story.revision,
                        audio=relative,
                        seconds=seconds,
                        bytes=size,
                        on_air_from=starts,
                        on_air_until=ends,
                        withdrawn_at=None,
                        updated_at=now,
                    )
                )
        page = f"/radio/{communes[0]}" if story.commune_id is not None else "/radio"
        return Placement(external_id=f"bulletin:{story.story_id}", url=radio.site.url(page))
