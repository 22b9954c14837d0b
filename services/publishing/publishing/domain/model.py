"""A story (bài viết) about an exemplar and the commendations (khen thưởng) it shows.

A story published with the nominee's consent records ``StoryReleased``; ``integration.py``
announces it as StoryPublished.
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

__all__ = ["Commendation", "Story", "StoryReleased", "StoryStatus", "slug_for", "story_id_for"]

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


@dataclass(frozen=True)
class StoryReleased:
    """A story went out for readers to see."""

    story: Story


@dataclass
class Story:
    story_id: uuid.UUID
    exemplar_id: uuid.UUID
    nomination_id: uuid.UUID
    slug: str
    status: StoryStatus
    title: str
    summary: str
    body: str  # HTML, rendered from the template with every value escaped
    unit_name: str
    field: str
    quarter: str
    nominee_kind: str
    nominee_name: str
    nominee_title: str
    published_at: datetime
    updated_at: datetime
    events: list[StoryReleased] = dataclass_field(default_factory=list, compare=False, repr=False)

    @property
    def path(self) -> str:
        """Where the story page lives, below the site's public base."""
        return f"/stories/{self.slug}"

    @property
    def visible(self) -> bool:
        return self.status is StoryStatus.PUBLISHED

    def release(self) -> None:
        """A new story goes out to readers, unless it is withheld."""
        if self.visible:
            self.events.append(StoryReleased(self))


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
        return nfc(
            f"Được {self.signer} tặng {self.form_name} theo Quyết định số {self.decision_number} "
            f"ngày {vn_date(self.signed_on)}"
        )
