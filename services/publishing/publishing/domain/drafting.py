"""The first text of a story, drafted from its facts: title, summary and a plain-text body.

Plain text, so that every channel can carry it: a web page sets its paragraphs in HTML, a feed
reader shows them, a loudspeaker reads them out. An editor may rewrite any of it afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass

from common.events import nfc
from publishing.domain.labels import field_label, lower_first, named_with_kind, quarter_label, upper_first
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
    """What the story says at first, from its facts alone."""
    name, title, unit = nfc(story.nominee_name), nfc(story.nominee_title), nfc(story.unit_name)
    who = named_with_kind(name, story.nominee_kind)
    described = f"{who}, {title}" if title else who
    field = lower_first(field_label(story.field))
    quarter = quarter_label(story.quarter)
    lead = (
        f"{upper_first(quarter)}, {described} ({unit}) đã được xét chọn, công nhận là gương điển hình "
        f"tiên tiến trong lĩnh vực {field}."
    )
    recognition = (
        f"Với những thành tích trên, {name} đã được {unit} giới thiệu và được xét chọn là một trong những "
        f"gương điển hình tiên tiến tiêu biểu {quarter}."
    )
    body = "\n\n".join([lead, *paragraphs_of(nfc(story.achievements)), recognition, CLOSING])
    summary = f"{upper_first(described)} ({unit}) là gương điển hình tiên tiến lĩnh vực {field}, {quarter}."
    return StoryText(
        title=nfc(f"Gương điển hình tiên tiến: {name}"),
        summary=nfc(summary),
        body=nfc(body),
    )
