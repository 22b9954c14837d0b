"""The public site a story is shown on: its name, author and absolute addresses."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

__all__ = ["Site"]


@dataclass(frozen=True)
class Site:
    title: str
    author: str
    agency: str  # the agency the site speaks for, named on every page
    base_url: str  # the service's public base, without a trailing slash

    @property
    def home_url(self) -> str:
        return f"{self.base_url}/"

    @property
    def feed_url(self) -> str:
        return f"{self.base_url}/feed.atom"

    @property
    def feed_id(self) -> str:
        """Stable as long as the public address is: readers key their subscription on it."""
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, self.feed_url)}"

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def page_url(self, query: str) -> str:
        """The index with a query string (``Listing.page_query``)."""
        return f"{self.home_url}{query}"
