"""The Vietnamese HTML of the web channel and the feed: story bodies, the index, story pages, not found."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined

from common.events import nfc
from common.labels import field_label, kind_label, lower_first, quarter_label, upper_first, vn_date
from publishing.channels.site import Site
from publishing.domain.model import Commendation, Story, StoryKind
from publishing.domain.portal import Listing

__all__ = [
    "environment",
    "render_body",
    "render_entry_content",
    "render_error",
    "render_index",
    "render_page",
    "render_story_page",
]


@lru_cache(maxsize=1)
def environment() -> Environment:
    """Built on first use, not at import; every value is HTML-escaped unless marked safe."""
    env = Environment(
        loader=PackageLoader("publishing", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["upper_first"] = upper_first
    env.filters["lower_first"] = lower_first
    env.filters["vn_date"] = vn_date
    return env


def _render(template: str, **context: object) -> str:
    return nfc(environment().get_template(template).render(**context))


def _facts(story: Story) -> dict[str, str] | None:
    """The facts as the page states them, in Vietnamese (a reportage, of many exemplars, has none)."""
    if story.kind is StoryKind.REPORTAGE:
        return None
    return {
        "kind": upper_first(kind_label(story.nominee_kind)),
        "unit_name": story.unit_name,
        "field": field_label(story.field),
        "quarter": quarter_label(story.quarter),
    }


def render_page(template: str, **context: object) -> str:
    """Any page of the site from its template (``site`` among the context)."""
    return _render(template, **context)


def render_body(story: Story) -> str:
    """The story's text as HTML: its first paragraph as the lead, the facts, then the rest under a heading."""
    return _render("story_body.html", facts=_facts(story), paragraphs=story.paragraphs)


def render_entry_content(story: Story, commendations: Sequence[Commendation]) -> str:
    """What a feed entry carries: the body and the commendations, as the page shows them."""
    return _render("entry.html", body=render_body(story), commendations=commendations)


def render_index(site: Site, stories: Sequence[Story], listing: Listing) -> str:
    return _render("index.html", site=site, stories=stories, listing=listing)


def render_story_page(site: Site, story: Story, commendations: Sequence[Commendation]) -> str:
    return _render("story.html", site=site, story=story, body=render_body(story), commendations=commendations)


# What a reader is told for each status a page can answer with.
_ERRORS = {
    400: ("Địa chỉ không hợp lệ", "Địa chỉ bạn mở có tham số không hợp lệ. Xin kiểm tra lại hoặc về trang chủ."),
    404: ("Không tìm thấy trang", "Trang hoặc bài viết bạn tìm không tồn tại, hoặc chưa được công khai."),
    410: ("Bài viết đã được gỡ", "Bài viết này đã được gỡ khỏi trang và không còn được công khai."),
    500: ("Có lỗi xảy ra", "Hệ thống gặp lỗi khi hiển thị trang này. Xin thử lại sau ít phút."),
    503: ("Tạm thời gián đoạn", "Hệ thống tạm thời không truy cập được dữ liệu. Xin thử lại sau ít phút."),
}


def render_error(site: Site, status: int) -> str:
    heading, message = _ERRORS.get(status) or _ERRORS[404 if status < 500 else 500]
    return _render("error.html", site=site, heading=heading, message=message)
