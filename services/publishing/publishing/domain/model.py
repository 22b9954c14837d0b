"""A story (bài viết) about an exemplar, where it was published, and the commendations it shows.

A story is content: the facts it may state (its nominee, unit, field and quarter, and the
achievements as the unit wrote them) and its text (title, summary and a
plain-text body an editor may rewrite). Channels (``publishing.channels``) render that content
each in its own form; each placement on a channel is recorded as a ``Publication`` and, when it
happens, as the domain event ``StoryPlaced``, which ``integration.py`` announces as StoryPublished.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, datetime
from enum import StrEnum

from common.events import nfc
from publishing.domain.labels import ascii_fold, vn_date

__all__ = [
    "Commendation",
    "Placement",
    "Publication",
    "PublicationState",
    "Story",
    "StoryPlaced",
    "StoryStatus",
    "slug_for",
    "story_id_for",
]

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_SLUG_STEM_MAX = 60


class StoryStatus(StrEnum):
    PUBLISHED = "published"  # đã đăng
    WITHHELD = "withheld"  # không đăng: the nominee did not consent to publication


def story_id_for(exemplar_id: uuid.UUID) -> uuid.UUID:
    """One story per exemplar, with the same id however often the approval is delivered."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"story:{exemplar_id}")


def slug_for(name: str, story_id: uuid.UUID) -> str:
    """A readable URL segment: the name without diacritics and a short id against clashes."""
    stem = _NOT_SLUG.sub("-", ascii_fold(name).lower()).strip("-")
    stem = stem[:_SLUG_STEM_MAX].rstrip("-") or "guong-dien-hinh"
    return f"{stem}-{story_id.hex[:8]}"


class PublicationState(StrEnum):
    PENDING = "pending"  # a job will place it on the channel
    PUBLISHED = "published"
    FAILED = "failed"  # the channel refused it, or every attempt failed: an operator may retry the job


@dataclass(frozen=True)
class Placement:
    """Where a channel put a story: its id there (a feed entry id, a post id) and its address."""

    external_id: str
    url: str


@dataclass(frozen=True)
class Publication:
    """A story on one channel: the channel's own record."""

    story_id: uuid.UUID
    channel: str
    state: PublicationState
    external_id: str | None
    url: str | None
    attempts: int
    last_error: str | None
    published_at: datetime | None
    updated_at: datetime

    @classmethod
    def first(cls, story_id: uuid.UUID, channel: str, now: datetime, placed: Placement | None = None) -> Publication:
        """The record a story starts with on a channel: placed already, or waiting for its job."""
        if placed is None:
            return cls(story_id, channel, PublicationState.PENDING, None, None, 0, None, None, now)
        return cls(story_id, channel, PublicationState.PUBLISHED, placed.external_id, placed.url, 1, None, now, now)


@dataclass(frozen=True)
class StoryPlaced:
    """A story is out on a channel for readers or listeners."""

    story: Story
    channel: str
    placement: Placement


def paragraphs_of(text: str) -> list[str]:
    """Paragraphs of a plain text: separated by blank lines (or single line breaks), trimmed."""
    return [line.strip() for line in text.splitlines() if line.strip()]


@dataclass
class Story:
    story_id: uuid.UUID
    exemplar_id: uuid.UUID
    nomination_id: uuid.UUID
    slug: str
    status: StoryStatus
    title: str
    summary: str
    body: str  # plain text, paragraphs on their own lines; every channel renders it its own way
    achievements: str  # as the unit wrote them, plain text
    unit_name: str
    field: str
    quarter: str
    nominee_kind: str
    nominee_name: str
    nominee_title: str
    published_at: datetime
    updated_at: datetime
    events: list[StoryPlaced] = dataclass_field(default_factory=list, compare=False, repr=False)

    @property
    def path(self) -> str:
        """Where the story page lives, below the site's public base."""
        return f"/stories/{self.slug}"

    @property
    def visible(self) -> bool:
        return self.status is StoryStatus.PUBLISHED

    @property
    def paragraphs(self) -> list[str]:
        return paragraphs_of(self.body)

    def placed(self, channel: str, placement: Placement) -> None:
        """The story is out on ``channel``; a withheld story is placed nowhere."""
        if not self.visible:
            raise ValueError(f"story {self.story_id} is withheld: it may not go on {channel}")
        self.events.append(StoryPlaced(self, channel, placement))


# Forms of commendation one is given (Law 06/2022/QH15, art. 9, and the emulation flags); every
# other name is an emulation title one is recognised with (art. 8).
_GIVEN_FORMS = ("Giấy khen", "Bằng khen", "Cờ thi đua", "Huân chương", "Huy chương", "Kỷ niệm chương")


@dataclass(frozen=True)
class Commendation:
    """A signed commendation decision for an exemplar, as the story page cites it."""

    award_id: uuid.UUID
    exemplar_id: uuid.UUID
    form: str
    form_name: str
    decision_number: str
    signed_on: date
    signer: str

    @property
    def citation(self) -> str:
        """Forms are given ("được tặng Giấy khen"), titles are recognised ("được công nhận danh hiệu …")."""
        decision = f"Quyết định số {self.decision_number} ngày {vn_date(self.signed_on)} của {self.signer}"
        if self.form_name.startswith(_GIVEN_FORMS):
            return nfc(f"Được tặng {self.form_name} ({decision})")
        return nfc(f"Được công nhận danh hiệu “{self.form_name}” ({decision})")
