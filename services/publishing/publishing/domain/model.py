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
from common.labels import ascii_fold, search_key, vn_date

__all__ = [
    "Commendation",
    "Correction",
    "CorrectionNeedsNote",
    "NoConsent",
    "NotEditable",
    "Placement",
    "Publication",
    "PublicationState",
    "RadioPriority",
    "Story",
    "StoryEvent",
    "StoryKind",
    "StoryPlaced",
    "StoryStatus",
    "StoryTakenDown",
    "paragraphs_of",
    "slug_for",
    "story_id_for",
]

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_SLUG_STEM_MAX = 60


class StoryStatus(StrEnum):
    DRAFT = "draft"  # bản nháp: written from the template, waiting for an editor
    PUBLISHED = "published"  # đã đăng: out on at least one channel
    RETRACTED = "retracted"  # đã gỡ: taken down from every channel it went to


class RadioPriority(StrEnum):
    """How a story is aired on grassroots radio (Circular 39/2020/TT-BTTTT): ordinary bulletins are
    scheduled, priority ones go first, emergency ones at once (first in the very next rundown)."""

    ORDINARY = "ordinary"  # thông thường
    PRIORITY = "priority"  # ưu tiên
    EMERGENCY = "emergency"  # khẩn cấp

    @property
    def rank(self) -> int:
        return {RadioPriority.EMERGENCY: 0, RadioPriority.PRIORITY: 1, RadioPriority.ORDINARY: 2}[self]


class NotEditable(ValueError):
    """A retracted story is not edited, approved nor retracted again."""


class NoConsent(ValueError):
    """The nominee did not consent to publication: no channel may carry the story."""


class CorrectionNeedsNote(ValueError):
    """A published story is corrected with a note the readers see."""


def story_id_for(exemplar_id: uuid.UUID) -> uuid.UUID:
    """One story per exemplar, with the same id however often the approval is delivered."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"story:{exemplar_id}")


def slug_for(name: str, story_id: uuid.UUID) -> str:
    """A readable URL segment: the name without diacritics and a short id against clashes."""
    stem = _NOT_SLUG.sub("-", ascii_fold(name).lower()).strip("-")
    stem = stem[:_SLUG_STEM_MAX].rstrip("-") or "guong-dien-hinh"
    return f"{stem}-{story_id.hex[:8]}"


class PublicationState(StrEnum):
    SCHEDULED = "scheduled"  # approved for a later time: a job places it then
    PENDING = "pending"  # a job will place it on the channel (or update it there)
    PUBLISHED = "published"
    FAILED = "failed"  # the channel refused it, or every attempt failed: an operator may retry the job
    WITHDRAWN = "withdrawn"  # taken down (or never placed) because the story was retracted


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
    scheduled_for: datetime | None = None  # when the editor wants it out
    approved_by: str | None = None

    @property
    def placement(self) -> Placement | None:
        return Placement(self.external_id, self.url or "") if self.external_id is not None else None


@dataclass(frozen=True)
class StoryPlaced:
    """A story is out on a channel for readers or listeners."""

    story: Story
    channel: str
    placement: Placement


@dataclass(frozen=True)
class StoryTakenDown:
    """A story was retracted: it is coming off every channel it went to."""

    story: Story
    reason: str


StoryEvent = StoryPlaced | StoryTakenDown


@dataclass(frozen=True)
class Correction:
    """A change made to a published story, with the note readers see (đính chính)."""

    at: datetime
    by: str
    note: str


def paragraphs_of(text: str) -> list[str]:
    """Paragraphs of a plain text: separated by blank lines (or single line breaks), trimmed."""
    return [line.strip() for line in text.splitlines() if line.strip()]


class StoryKind(StrEnum):
    EXEMPLAR = "exemplar"  # one exemplar's story
    REPORTAGE = "reportage"  # phóng sự: an occasion's compilation of a year's exemplars


@dataclass
class Story:
    story_id: uuid.UUID
    exemplar_id: uuid.UUID  # a reportage's own id stands here (it compiles several exemplars)
    nomination_id: uuid.UUID
    slug: str
    status: StoryStatus
    title: str
    summary: str
    body: str  # plain text, paragraphs on their own lines; every channel renders it its own way
    achievements: str  # as the unit wrote them, plain text
    unit_id: str
    unit_name: str
    commune_id: str | None  # the commune or ward it belongs to today: its radio, its leaflets
    field: str
    quarter: str
    nominee_kind: str
    nominee_name: str
    nominee_title: str
    consent: bool  # the nominee consented to publication (Decree 13/2023/NĐ-CP)
    drafted_at: datetime
    published_at: datetime | None  # first out on a channel
    updated_at: datetime
    revision: int = 1  # each edit adds one
    edited_by: str | None = None
    corrections: list[Correction] = dataclass_field(default_factory=list)
    retracted_at: datetime | None = None
    retraction_reason: str | None = None
    radio_priority: RadioPriority = RadioPriority.ORDINARY
    kind: StoryKind = StoryKind.EXEMPLAR
    events: list[StoryEvent] = dataclass_field(default_factory=list, compare=False, repr=False)

    @property
    def path(self) -> str:
        """Where the story page lives, below the site's public base."""
        return f"/stories/{self.slug}"

    @property
    def retracted(self) -> bool:
        return self.status is StoryStatus.RETRACTED

    @property
    def search_key(self) -> str:
        """What a reader's search is matched against: the title, the nominee, the unit and the summary."""
        return search_key(self.title, self.nominee_name, self.unit_name, self.summary)

    @property
    def paragraphs(self) -> list[str]:
        return paragraphs_of(self.body)

    def check_publishable(self) -> None:
        """Refuse (NotEditable, NoConsent) unless a channel may carry the story now."""
        if self.retracted:
            raise NotEditable(f"bài viết “{self.title}” đã bị gỡ")
        if not self.consent:
            raise NoConsent(f"người được giới thiệu chưa đồng ý công bố thông tin: bài “{self.title}” không được đăng")

    def placed(self, channel: str, placement: Placement, at: datetime) -> None:
        """The story is out on ``channel``."""
        self.check_publishable()
        if self.status is StoryStatus.DRAFT:
            self.status, self.published_at = StoryStatus.PUBLISHED, at
        self.events.append(StoryPlaced(self, channel, placement))

    def edit(self, *, title: str, summary: str, body: str, by: str, at: datetime, note: str = "") -> None:
        """New text; once published, a correction readers are told of."""
        if self.retracted:
            raise NotEditable(f"bài viết “{self.title}” đã bị gỡ, không sửa được")
        if self.status is StoryStatus.PUBLISHED:
            if not note.strip():
                raise CorrectionNeedsNote("bài đã đăng: cần ghi nội dung đính chính để bạn đọc được biết")
            self.corrections.append(Correction(at, by, nfc(note)))
        self.title, self.summary, self.body = nfc(title), nfc(summary), nfc(body)
        self.revision += 1
        self.edited_by, self.updated_at = by, at

    def retract(self, *, reason: str, by: str, at: datetime) -> None:
        """Take the story down from every channel (a nominee withdrew consent, say)."""
        if self.retracted:
            raise NotEditable(f"bài viết “{self.title}” đã bị gỡ")
        if not reason.strip():
            raise ValueError("cần ghi lý do gỡ bài")
        self.status, self.retracted_at, self.retraction_reason = StoryStatus.RETRACTED, at, nfc(reason)
        self.edited_by, self.updated_at = by, at
        self.events.append(StoryTakenDown(self, self.retraction_reason))


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
