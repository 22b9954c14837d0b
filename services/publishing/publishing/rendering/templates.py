"""The Vietnamese HTML templates: story bodies, the index, story pages and the not-found page."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined

from publishing.domain.labels import field_label, kind_label, named_with_kind, quarter_label, vn_date
from publishing.domain.model import Commendation, Story
from publishing.rendering.site import Site

__all__ = [
    "StoryFacts",
    "environment",
    "render_entry_content",
    "render_index",
    "render_not_found",
    "render_story_body",
    "render_story_page",
    "summary_of",
]


@dataclass(frozen=True)
class StoryFacts:
    """All a story may say about an exemplar: nothing else reaches the templates."""

    name: str
    title: str
    unit_name: str
    field: str
    kind: str
    quarter: str
    achievements: str


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


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
    env.filters["upper_first"] = _upper_first
    env.filters["lower_first"] = _lower_first
    env.filters["vn_date"] = vn_date
    return env


def _render(template: str, **context: object) -> str:
    return _nfc(environment().get_template(template).render(**context))


def _labels(facts: StoryFacts) -> dict[str, object]:
    return {
        "name": _nfc(facts.name),
        "title": _nfc(facts.title),
        "unit_name": _nfc(facts.unit_name),
        "field": field_label(facts.field),
        "kind": kind_label(facts.kind),
        "who": named_with_kind(_nfc(facts.name), facts.kind),
        "quarter": quarter_label(facts.quarter),
        "paragraphs": [p.strip() for p in _nfc(facts.achievements).splitlines() if p.strip()],
    }


def render_story_body(facts: StoryFacts) -> str:
    """The article's HTML body (lead, facts, achievements, closing)."""
    return _render("story_body.html", **_labels(facts))


def summary_of(facts: StoryFacts) -> str:
    """One plain-text sentence for listings and feed readers."""
    labels = _labels(facts)
    who = _upper_first(str(labels["who"]))
    if labels["title"]:
        who = f"{who}, {labels['title']}"
    return _nfc(
        f"{who} ({labels['unit_name']}) là gương điển hình tiên tiến "
        f"lĩnh vực {_lower_first(str(labels['field']))}, {labels['quarter']}."
    )


def render_entry_content(story: Story, commendations: Sequence[Commendation]) -> str:
    """What a feed entry carries: the body and the commendations, as the page shows them."""
    return _render("entry.html", story=story, commendations=commendations)


def render_index(site: Site, stories: Sequence[Story], *, page: int, pages: int) -> str:
    return _render("index.html", site=site, stories=stories, page=page, pages=pages)


def render_story_page(site: Site, story: Story, commendations: Sequence[Commendation]) -> str:
    return _render("story.html", site=site, story=story, commendations=commendations)


def render_not_found(site: Site) -> str:
    return _render("not_found.html", site=site)
