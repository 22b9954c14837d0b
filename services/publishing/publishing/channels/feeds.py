"""The site's other feeds: RSS 2.0 and JSON Feed 1.1 beside Atom, and the sitemap search engines read.

Every feed carries the same stories with the same ids as Atom (``urn:uuid:<story id>``), so a
reader that follows two of them sees each story once; a retracted story leaves them all.
"""

from __future__ import annotations

import json
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from email.utils import format_datetime

from publishing.channels.atom import entry_id
from publishing.channels.html import render_entry_content
from publishing.channels.site import Site
from publishing.domain.model import Commendation, Story

__all__ = ["JSON_FEED_TYPE", "RSS_TYPE", "SITEMAP_TYPE", "build_json_feed", "build_rss", "build_sitemap", "robots"]

RSS_TYPE = "application/rss+xml; charset=utf-8"
JSON_FEED_TYPE = "application/feed+json; charset=utf-8"
SITEMAP_TYPE = "application/xml; charset=utf-8"
_ATOM = "http://www.w3.org/2005/Atom"
_SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    element.text = text
    return element


def _published(story: Story) -> datetime:
    return story.published_at or story.updated_at


def build_rss(site: Site, stories: Sequence[Story], commendations: Mapping[uuid.UUID, Sequence[Commendation]]) -> bytes:
    """RSS 2.0, dates in RFC 822, each item with its permanent guid."""
    rss = ET.Element("rss", {"version": "2.0", "xmlns:atom": _ATOM})
    channel = _add(rss, "channel")
    _add(channel, "title", site.title)
    _add(channel, "link", site.home_url)
    _add(channel, "description", f"Gương điển hình tiên tiến – {site.agency}")
    _add(channel, "language", "vi")
    _add(channel, "atom:link", href=site.url("/feed.rss"), rel="self", type="application/rss+xml")
    if stories:
        _add(channel, "lastBuildDate", format_datetime(max(s.updated_at for s in stories).astimezone(UTC)))
    for story in stories:
        item = _add(channel, "item")
        _add(item, "title", story.title)
        _add(item, "link", site.url(story.path))
        _add(item, "guid", entry_id(story), isPermaLink="false")
        _add(item, "pubDate", format_datetime(_published(story).astimezone(UTC)))
        _add(item, "description", render_entry_content(story, commendations.get(story.exemplar_id, ())))
    document: bytes = ET.tostring(rss, encoding="utf-8", xml_declaration=True)
    return document


def build_json_feed(
    site: Site, stories: Sequence[Story], commendations: Mapping[uuid.UUID, Sequence[Commendation]]
) -> bytes:
    """JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/)."""
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": site.title,
        "home_page_url": site.home_url,
        "feed_url": site.url("/feed.json"),
        "language": "vi",
        "authors": [{"name": site.author}],
        "items": [
            {
                "id": entry_id(story),
                "url": site.url(story.path),
                "title": story.title,
                "summary": story.summary,
                "content_html": render_entry_content(story, commendations.get(story.exemplar_id, ())),
                "date_published": _published(story).astimezone(UTC).isoformat(timespec="seconds"),
                "date_modified": story.updated_at.astimezone(UTC).isoformat(timespec="seconds"),
            }
            for story in stories
        ],
    }
    return json.dumps(feed, ensure_ascii=False).encode()


def build_sitemap(site: Site, pages: Sequence[tuple[str, datetime]]) -> bytes:
    """The home page and every published story page (slug, last change), with when each last changed."""
    urlset = ET.Element("urlset", {"xmlns": _SITEMAP})
    home = _add(urlset, "url")
    _add(home, "loc", site.home_url)
    if pages:
        _add(home, "lastmod", max(changed for _, changed in pages).astimezone(UTC).date().isoformat())
    for slug, changed in pages:
        url = _add(urlset, "url")
        _add(url, "loc", site.url(f"/stories/{slug}"))
        _add(url, "lastmod", changed.astimezone(UTC).date().isoformat())
    document: bytes = ET.tostring(urlset, encoding="utf-8", xml_declaration=True)
    return document


def robots(site: Site) -> str:
    """Pages and feeds may be read by anyone; the APIs are not for crawlers."""
    return f"User-agent: *\nDisallow: /api/\nAllow: /\n\nSitemap: {site.url('/sitemap.xml')}\n"
