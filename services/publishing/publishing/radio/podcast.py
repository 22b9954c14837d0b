"""A commune's radio as a podcast (RSS 2.0 with the ``itunes:`` and ``podcast:`` namespaces): each
rundown an episode, its MP3 the enclosure with its exact length in bytes, its guid stable however
often the feed is built. Radio automation (LibreTime, AzuraCast) ingests such a feed and schedules
new episodes by themselves."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from email.utils import format_datetime

from common.dates import vn_date
from publishing.adapters.radio_records import Rundown
from publishing.channels.site import Site
from publishing.radio.station import Station

__all__ = ["PODCAST_TYPE", "build_podcast"]

PODCAST_TYPE = "application/rss+xml; charset=utf-8"
_ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
_PODCAST = "https://podcastindex.org/namespace/1.0"
_ATOM = "http://www.w3.org/2005/Atom"


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    element.text = text
    return element


def _duration(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def build_podcast(
    site: Site, station: Station, commune_id: str, commune_name: str, agency: str, rundowns: Sequence[Rundown]
) -> bytes:
    """The feed of one commune's rundowns, the latest first."""
    rss = ET.Element("rss", {"version": "2.0", "xmlns:itunes": _ITUNES, "xmlns:podcast": _PODCAST, "xmlns:atom": _ATOM})
    channel = _add(rss, "channel")
    name = station.station_of(commune_name)
    feed_url = site.url(f"/radio/{commune_id}/podcast.xml")
    _add(channel, "title", f"{station.series} – {name}")
    _add(channel, "link", site.url(f"/radio/{commune_id}"))
    _add(channel, "description", f"Các chương trình phát thanh {station.series} của {name}.")
    _add(channel, "language", "vi")
    _add(channel, "atom:link", href=feed_url, rel="self", type="application/rss+xml")
    _add(channel, "itunes:author", agency)
    _add(channel, "itunes:explicit", "false")
    _add(channel, "itunes:type", "episodic")
    _add(channel, "itunes:category", text="Government")
    _add(channel, "podcast:guid", str(uuid.uuid5(uuid.NAMESPACE_URL, feed_url)))
    _add(channel, "podcast:locked", "yes")
    _add(channel, "podcast:medium", "podcast")
    if rundowns:
        _add(channel, "lastBuildDate", format_datetime(max(r.built_at for r in rundowns)))
    for rundown in rundowns:
        slot = station.slot(rundown.slot)
        slot_name = slot.name if slot else rundown.slot
        item = _add(channel, "item")
        _add(item, "title", f"{station.series} – {slot_name} ngày {vn_date(rundown.day)}")
        titles = "; ".join(str(p["title"]) for p in rundown.played)
        _add(item, "description", f"{name}, {slot_name} ngày {vn_date(rundown.day)}: {titles}.")
        _add(item, "guid", str(rundown.guid), isPermaLink="false")
        _add(item, "pubDate", format_datetime(rundown.starts_at))
        _add(item, "enclosure", url=site.url(f"/media/{rundown.audio}"), length=str(rundown.bytes), type="audio/mpeg")
        _add(item, "itunes:duration", _duration(rundown.seconds))
        _add(item, "itunes:episodeType", "full")
        _add(item, "itunes:explicit", "false")
    document: bytes = ET.tostring(rss, encoding="utf-8", xml_declaration=True)
    return document
