"""The first text of a story, drafted from its facts: title, summary and a plain-text body.

Plain text, so that every channel can carry it: a web page sets its paragraphs in HTML, a feed
reader shows them, a loudspeaker reads them out. An editor may rewrite any of it afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass

from common.events import NomineeKind, nfc
from common.labels import field_label, lower_first, named_with_kind, quarter_label, upper_first
from common.organisation import lower_kind_word, proposer_of
from publishing.domain.model import Story, paragraphs_of

__all__ = ["CLOSING", "StoryText", "draft_text"]

CLOSING = (
    "Mỗi tấm gương người tốt, việc tốt là minh chứng sinh động cho phong trào thi đua yêu nước. "
    "Đề nghị cán bộ, đảng viên và Nhân dân tích cực học tập, làm theo, cùng lan tỏa những việc làm tốt, "
    "cách làm hay trong cộng đồng."
)


@dataclass(frozen=True)
class StoryText:
    title: str
    summary: str
    body: str


def draft_text(story: Story) -> StoryText:
    """What the story says at first, from its facts alone, in the office's style.

    The unit's kind word is lower case inside a sentence ("xã Bản Nguyên"); a commune's exemplars
    are proposed by its People's Committee, spelled out at first mention; a household stays a
    household ("Hộ ông Lò Văn Páo") in the title and the closing sentence.
    """
    name, title, unit = nfc(story.nominee_name), nfc(story.nominee_title), nfc(story.unit_name)
    household = story.nominee_kind == NomineeKind.HOUSEHOLD
    who = named_with_kind(name, story.nominee_kind)
    # A name that says its kind ("Hộ ông …", "Tập thể …") takes a small letter inside a sentence.
    who = lower_first(who) if who == name else who
    described = f"{who}, {title}" if title else who
    heading = upper_first(who) if household else name  # "Hộ ông Lò Văn Páo", "Nguyễn Thị Hoa"
    mentioned = who if household else name  # inside a sentence: "hộ ông Lò Văn Páo"
    where = lower_kind_word(unit)
    proposer = proposer_of(unit)
    field = lower_first(field_label(story.field))
    quarter = quarter_label(story.quarter)
    lead = (
        f"{upper_first(quarter)}, {described}, {where}, đã được công nhận là gương điển hình tiên tiến "
        f"trong lĩnh vực {field}."
    )
    recognition = (
        f"Với những thành tích trên, {mentioned} đã được {proposer} giới thiệu và được xét chọn là một "
        f"trong những gương điển hình tiên tiến tiêu biểu {quarter}."
    )
    body = "\n\n".join([lead, *paragraphs_of(nfc(story.achievements)), recognition, CLOSING])
    summary = f"{upper_first(described)}, {where}, là gương điển hình tiên tiến trong lĩnh vực {field}, {quarter}."
    return StoryText(
        title=nfc(f"Gương điển hình tiên tiến: {heading}"),
        summary=nfc(summary),
        body=nfc(body),
    )
