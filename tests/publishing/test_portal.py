"""The public portal as readers use it, on real databases: lists by field, kind, quarter and commune,
search without diacritics, pages that keep the filters, the feeds (RSS, JSON Feed, Atom), the
sitemap and robots.txt, and the tags Zalo and Facebook read when a link is shared."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from typing import Any

import feedparser
import httpx
import pytest
from fastapi import FastAPI

from common.events import FieldOfWork, NomineeKind
from publishing.adapters.orm import stories
from publishing.domain.model import story_id_for
from tests.publishing.builders import BASE, approved, delivery
from tests.publishing.support import event_processor

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


class _Meta(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.properties: dict[str, str] = {}
        self.links: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "meta" and "property" in found:
            self.properties[found["property"]] = found.get("content", "")
        if tag == "link":
            self.links.append(found)


def meta_of(html: str) -> _Meta:
    parser = _Meta()
    parser.feed(html)
    return parser


@pytest.fixture
async def published(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
    """Five stories out on the site and the feeds, of two communes, fields, kinds and quarters."""
    processor = event_processor(app.state.runtime.db)
    events = {
        "lan": approved(name="Nguyễn Thị Lan", field=FieldOfWork.HEALTH, quarter="2026-Q3"),
        "pao": approved(name="Hộ ông Lò Văn Páo", kind=NomineeKind.HOUSEHOLD, field=FieldOfWork.AGRICULTURE),
        "htx": approved(
            name="Hợp tác xã Đồng Tiến",
            kind=NomineeKind.COLLECTIVE,
            field=FieldOfWork.AGRICULTURE,
            unit_id="xa-ban-nguyen-hoi-nong-dan",
            unit_name="Hội Nông dân xã Bản Nguyên",
        ),
        "duc": approved(
            name="Trần Văn Đức", field=FieldOfWork.EDUCATION, unit_id="xa-ban-nguyen", unit_name="Xã Bản Nguyên"
        ),
        "mai": approved(name="Lê Thị Mai", field=FieldOfWork.HEALTH),
    }
    for event in events.values():
        await processor([delivery(event)])
    yield events


async def listed(client: httpx.AsyncClient, **params: str) -> list[str]:
    page = await client.get("/", params=params)
    assert page.status_code == 200, page.text
    return re.findall(r'<h2><a href="[^"]+">Gương điển hình tiên tiến: ([^<]+)</a></h2>', page.text)


async def test_lists_by_field_kind_quarter_and_commune(client: httpx.AsyncClient, published: dict[str, Any]) -> None:
    assert await listed(client, field="health") == ["Lê Thị Mai", "Nguyễn Thị Lan"]
    assert await listed(client, kind="household") == ["Hộ ông Lò Văn Páo"]
    assert await listed(client, quarter="2026-Q3") == ["Nguyễn Thị Lan"]
    # A commune's list has its own exemplars and those of its offices and organisations.
    assert await listed(client, unit="xa-ban-nguyen") == ["Trần Văn Đức", "Hợp tác xã Đồng Tiến"]
    assert await listed(client, unit="xa-ban-nguyen-hoi-nong-dan") == ["Hợp tác xã Đồng Tiến"]
    assert await listed(client, field="agriculture", kind="collective") == ["Hợp tác xã Đồng Tiến"]
    page = (await client.get("/", params={"field": "health", "quarter": "2026-Q4"})).text
    assert "Lĩnh vực y tế · quý IV năm 2026: 1 bài viết" in page
    assert '<option value="health" selected>Y tế</option>' in page
    assert '<option value="2026-Q3">Quý III năm 2026</option>' in page
    assert '<option value="xa-ban-nguyen">Xã Bản Nguyên</option>' in page


@pytest.mark.parametrize("typed", ["nguyen thi lan", "NGUYỄN THỊ LAN", "  Nguyen   Thi  Lan ", "thi lan"])
async def test_search_ignores_diacritics_case_and_spacing(
    client: httpx.AsyncClient, published: dict[str, Any], typed: str
) -> None:
    assert await listed(client, q=typed) == ["Nguyễn Thị Lan"]


async def test_search_finds_by_unit_and_says_when_nothing_matches(
    client: httpx.AsyncClient, published: dict[str, Any]
) -> None:
    assert await listed(client, q="hoi nong dan ban nguyen") == ["Hợp tác xã Đồng Tiến"]
    nothing = await client.get("/", params={"q": "không có ai 100%_"})
    assert nothing.status_code == 200 and "Không có bài viết nào phù hợp." in nothing.text


async def test_pages_keep_the_filters(client: httpx.AsyncClient, published: dict[str, Any]) -> None:
    # Two stories a page in the app fixture: the five of "xã" make three pages.
    first = await client.get("/", params={"q": "xa"})
    assert "Trang 1/3" in first.text
    assert 'rel="next" href="https://cong.example.vn/guong/?q=xa&amp;page=2"' in first.text
    second = await client.get("/", params={"q": "xa", "page": "2"})
    assert 'rel="prev" href="https://cong.example.vn/guong/?q=xa"' in second.text
    assert 'rel="next" href="https://cong.example.vn/guong/?q=xa&amp;page=3"' in second.text
    assert (await client.get("/", params={"q": "xa", "page": "4"})).status_code == 404


async def test_a_wrong_filter_is_an_html_page_not_json(client: httpx.AsyncClient, published: dict[str, Any]) -> None:
    for params in ({"field": "astrology"}, {"quarter": "2026-Q9"}, {"unit": "Xã Bản Nguyên"}, {"q": "x" * 101}):
        wrong = await client.get("/", params=params)
        assert wrong.status_code == 400, params
        assert "Địa chỉ không hợp lệ" in wrong.text and wrong.headers["content-type"].startswith("text/html")
    api = await client.get("/api/stories", params={"limit": "0"})
    assert api.status_code == 422 and api.headers["content-type"] == "application/json"


async def test_rss_json_feed_and_atom_carry_the_same_stories_with_the_same_ids(
    client: httpx.AsyncClient, published: dict[str, Any]
) -> None:
    ids = {f"urn:uuid:{story_id_for(e.payload.exemplar_id)}" for e in published.values()}
    parsed = {}
    for path in ("/feed.rss", "/feed.atom"):
        response = await client.get(path)
        assert response.status_code == 200
        feed = feedparser.parse(response.content, response_headers={"content-type": response.headers["content-type"]})
        assert feed.bozo == 0, (path, feed.get("bozo_exception"))
        assert {entry.id for entry in feed.entries} == ids, path
        parsed[path] = feed
    rss = parsed["/feed.rss"]
    assert rss.version == "rss20" and rss.feed.language == "vi"
    lan = next(e for e in rss.entries if e.title == "Gương điển hình tiên tiến: Nguyễn Thị Lan")
    assert lan.link.startswith(f"{BASE}/stories/nguyen-thi-lan-")
    assert "Mười năm liền đưa y tế đến từng thôn." in lan.description
    # JSON Feed 1.1: the version, a title, and items each with an id and content (feedparser 6.0 reads no JSON).
    document = json.loads((await client.get("/feed.json")).content)
    assert document["version"] == "https://jsonfeed.org/version/1.1" and document["title"]
    assert document["feed_url"] == f"{BASE}/feed.json" and document["language"] == "vi"
    assert {item["id"] for item in document["items"]} == ids
    assert all(item["content_html"] and item["url"].startswith(f"{BASE}/stories/") for item in document["items"])
    assert (await client.get("/feed.rss")).headers["content-type"] == "application/rss+xml; charset=utf-8"
    assert (await client.get("/feed.json")).headers["content-type"] == "application/feed+json; charset=utf-8"


async def test_sitemap_robots_and_the_tags_of_a_shared_link(
    app: FastAPI, client: httpx.AsyncClient, published: dict[str, Any]
) -> None:
    sitemap = ET.fromstring((await client.get("/sitemap.xml")).content)
    locations = [url.findtext(f"{SITEMAP}loc") for url in sitemap.findall(f"{SITEMAP}url")]
    assert locations[0] == f"{BASE}/" and len(locations) == 1 + len(published)
    assert all(url.findtext(f"{SITEMAP}lastmod") for url in sitemap.findall(f"{SITEMAP}url"))
    robots = (await client.get("/robots.txt")).text
    assert "Disallow: /api/" in robots and f"Sitemap: {BASE}/sitemap.xml" in robots

    async with app.state.runtime.db.read() as connection:
        slug = (
            await connection.execute(
                stories.select().where(stories.c.nominee_name == "Nguyễn Thị Lan").with_only_columns(stories.c.slug)
            )
        ).scalar_one()
    page = await client.get(f"/stories/{slug}")
    tags = meta_of(page.text)
    assert tags.properties["og:type"] == "article"
    assert tags.properties["og:title"] == "Gương điển hình tiên tiến: Nguyễn Thị Lan"
    assert tags.properties["og:url"] == f"{BASE}/stories/{slug}"
    assert tags.properties["og:description"].startswith("Cá nhân Nguyễn Thị Lan")
    assert tags.properties["og:locale"] == "vi_VN" and tags.properties["og:site_name"] == "Gương điển hình tiên tiến"
    assert "article:published_time" in tags.properties
    feeds = {link["type"] for link in tags.links if link.get("rel") == "alternate"}
    assert feeds == {"application/atom+xml", "application/rss+xml", "application/feed+json"}
    home = meta_of((await client.get("/")).text)
    assert home.properties["og:type"] == "website" and home.properties["og:url"] == f"{BASE}/"
