"""An occasion's reportage (phóng sự): the outstanding exemplars of the year before it, chosen and
put into one long story the editors correct before the day.

Chosen from the stories on the portal in the period the occasion covers: those commended first
(the most commendations first), then the others, the earliest published first; at most the
occasion's number. Each exemplar gets a paragraph: who and where (the story's summary), the first
of its achievements and the commendations it was given. The reportage is a story of the whole
area: on the portal, the feeds, a feature bulletin on every commune's radio and a leaflet of its own.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from common.dates import quarter_of
from common.events import nfc
from common.labels import vn_date
from publishing.domain.model import Commendation, Story, StoryKind, StoryStatus, paragraphs_of
from publishing.domain.occasions import Occasion

__all__ = ["CLOSING", "Compiled", "choose_outstanding", "draft_reportage", "reportage_id"]

CLOSING = (
    "Thực hiện lời dạy của Chủ tịch Hồ Chí Minh “Thi đua là yêu nước, yêu nước thì phải thi đua”, những "
    "tấm gương trên là minh chứng sinh động cho sức lan tỏa của phong trào thi đua yêu nước. Đề nghị cán bộ, "
    "đảng viên và Nhân dân tích cực học tập, làm theo, tiếp tục phát hiện, bồi dưỡng và nhân rộng các điển "
    "hình tiên tiến trong mọi lĩnh vực."
)


def reportage_id(occasion_id: str, year: int) -> uuid.UUID:
    """The same for the same occasion and year, so that it is drafted once."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"reportage:{occasion_id}:{year}")


@dataclass(frozen=True)
class Compiled:
    """A reportage and the stories it compiles, in order."""

    story: Story
    sources: tuple[uuid.UUID, ...]


def choose_outstanding(
    stories: Sequence[Story], commendations: Mapping[uuid.UUID, Sequence[Commendation]], at_most: int
) -> list[Story]:
    """The stories a reportage compiles: the commended first (most commendations first), then the
    others, the earliest published first within each; never a retracted story or one without consent."""
    kept = [s for s in stories if s.kind is StoryKind.EXEMPLAR and s.consent and not s.retracted]
    kept.sort(key=lambda s: (-len(commendations.get(s.exemplar_id, ())), s.published_at or s.drafted_at))
    return kept[:at_most]


HIGHLIGHT_CHARS = 500  # at most so much of an exemplar's achievements, in whole sentences


def _highlight(story: Story) -> str:
    """The first of the achievements as the unit wrote them, in whole sentences up to a length."""
    first = next(iter(paragraphs_of(story.achievements)), "")
    if len(first) > HIGHLIGHT_CHARS:
        sentences = re.split(r"(?<=[.;!?])\s+", first)
        kept = ""
        for sentence in sentences:
            if len(kept) + len(sentence) + 1 > HIGHLIGHT_CHARS:
                break
            kept = f"{kept} {sentence}".strip()
        first = kept
    first = first.strip().rstrip(";,")
    return f"{first}." if first and first[-1] not in ".!?" else first


def _paragraph(story: Story, commendations: Sequence[Commendation]) -> str:
    summary = story.summary.strip().rstrip(".")
    parts = [f"{summary}.", _highlight(story), *(f"{c.citation}." for c in commendations)]
    return nfc(" ".join(p for p in parts if p))


def draft_reportage(
    occasion: Occasion,
    year: int,
    chosen: Sequence[Story],
    commendations: Mapping[uuid.UUID, Sequence[Commendation]],
    *,
    agency: str,
    now: datetime,
) -> Compiled:
    """The reportage of ``occasion`` in ``year`` compiling ``chosen`` (in that order), as a draft."""
    if not chosen:
        raise ValueError("a reportage compiles at least one story")
    story_id = reportage_id(occasion.id, year)
    named = occasion.occasion_of(year)
    first, _last = occasion.covers(year)
    anniversary = occasion.since is not None
    heading = f"nhân {named}" if anniversary else f"– {named}"
    title = f"Những tấm gương điển hình tiên tiến tiêu biểu {heading}"
    count = len(chosen)
    occasion_words = f"Nhân {named}" if anniversary else f"Nhân dịp {named[0].lower()}{named[1:]}"
    summary = (
        f"{occasion_words}, {agency} giới thiệu {count} gương điển hình tiên tiến tiêu biểu "
        f"được tuyên truyền, biểu dương từ ngày {vn_date(first)} đến nay."
    )
    lead = (
        f"{occasion_words}, {agency} giới thiệu những gương điển hình tiên tiến tiêu biểu trong các phong "
        f"trào thi đua, được phát hiện, tuyên truyền, biểu dương từ ngày {vn_date(first)} đến nay, để cán bộ, "
        "đảng viên và Nhân dân học tập, làm theo."
    )
    paragraphs = [lead, *(_paragraph(s, commendations.get(s.exemplar_id, ())) for s in chosen), CLOSING]
    day = occasion.on(year)
    story = Story(
        story_id=story_id,
        exemplar_id=story_id,
        nomination_id=story_id,
        slug=f"phong-su-{occasion.id}-{year}",
        status=StoryStatus.DRAFT,
        title=nfc(title),
        summary=nfc(summary),
        body=nfc("\n\n".join(paragraphs)),
        achievements="",
        unit_id="",
        unit_name=agency,
        commune_id=None,  # the whole area: every commune's radio
        field="",
        quarter=quarter_of(day),
        nominee_kind="",
        nominee_name="",
        nominee_title="",
        consent=True,  # it compiles only stories whose nominees consented
        drafted_at=now,
        published_at=None,
        updated_at=now,
        kind=StoryKind.REPORTAGE,
    )
    return Compiled(story, tuple(s.story_id for s in chosen))
