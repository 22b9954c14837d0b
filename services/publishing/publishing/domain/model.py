"""A story (bài viết) about an exemplar and the commendations (khen thưởng) it shows."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from common.events import nfc
from publishing.domain.labels import ascii_fold, vn_date

__all__ = ["Commendation", "Story", "StoryStatus", "slug_for", "story_id_for"]

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

    @property
    def path(self) -> str:
        """Where the story page lives, below the site's public base."""
        return f"/stories/{self.slug}"

    @property
    def visible(self) -> bool:
        return self.status is StoryStatus.PUBLISHED

    def touch(self, at: datetime) -> None:
        """Something shown with the story changed: feed readers should fetch it again."""
        self.updated_at = max(self.updated_at, at)


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
