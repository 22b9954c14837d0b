"""The Atom 1.0 feed (RFC 4287) of published stories, built with ElementTree so all text is escaped."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from publishing.channels.base import OnTheSite
from publishing.channels.html import render_entry_content
from publishing.channels.site import Site
from publishing.domain.model import Commendation, Placement, Story

__all__ = ["ATOM_NS", "CONTENT_TYPE", "FeedsChannel", "build_feed", "entry_id"]

ATOM_NS = "http://www.w3.org/2005/Atom"
CONTENT_TYPE = "application/atom+xml; charset=utf-8"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# An empty feed still needs <updated>; a fixed instant keeps it stable until a story appears.
_NOTHING_YET = datetime(1970, 1, 1, tzinfo=UTC)


def entry_id(story: Story) -> str:
    """The same for every rendering of the story, so readers never see it twice."""
    return f"urn:uuid:{story.story_id}"


class FeedsChannel(OnTheSite):
    """The site's feeds (Atom, RSS, JSON Feed): a story is an entry of the feeds readers poll."""

    name = "feeds"

    async def place(self, story: Story, commendations: Sequence[Commendation]) -> Placement:
        return Placement(external_id=entry_id(story), url=self.site.feed_url)


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    element.text = text
    return element


def _entry(feed: ET.Element, site: Site, story: Story, commendations: Sequence[Commendation]) -> None:
    entry = _add(feed, "entry")
    _add(entry, "id", entry_id(story))
    _add(entry, "title", story.title)
    _add(entry, "updated", _timestamp(story.updated_at))
    _add(entry, "published", _timestamp(story.published_at or story.updated_at))
    _add(entry, "link", rel="alternate", type="text/html", href=site.url(story.path))
    _add(entry, "summary", story.summary)
    _add(entry, "content", render_entry_content(story, commendations), type="html")


def build_feed(
    site: Site, stories: Sequence[Story], commendations: Mapping[uuid.UUID, Sequence[Commendation]]
) -> bytes:
    """The feed document as UTF-8 bytes; ``commendations`` is keyed by exemplar id."""
    # Unqualified names under a default xmlns: ElementTree's default_namespace refuses plain attributes.
    feed = ET.Element("feed", {"xmlns": ATOM_NS, _XML_LANG: "vi"})
    _add(feed, "id", site.feed_id)
    _add(feed, "title", site.title)
    updated = max((s.updated_at for s in stories), default=_NOTHING_YET)
    _add(feed, "updated", _timestamp(updated))
    _add(feed, "link", rel="self", type="application/atom+xml", href=site.feed_url)
    _add(feed, "link", rel="alternate", type="text/html", href=site.home_url)
    author = _add(feed, "author")
    _add(author, "name", site.author)
    for story in stories:
        _entry(feed, site, story, commendations.get(story.exemplar_id, ()))
    document: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return document
