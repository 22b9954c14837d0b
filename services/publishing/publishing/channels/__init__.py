"""The channels a story goes out on. Each renders the story's content in its own form.

Adding a channel is one module here that implements ``Channel`` (``base.py``) and one line in
``channels_for``. An immediate channel (a page or feed readers fetch) is placed in the same
transaction that releases the story; any other is placed by a job after it, with retries, and
keeps its own publication record either way.
"""

from __future__ import annotations

from publishing.channels.atom import FeedsChannel
from publishing.channels.base import Channel, ChannelRefused
from publishing.channels.site import Site
from publishing.channels.web import WebChannel

__all__ = ["Channel", "ChannelRefused", "channels_for"]


def channels_for(site: Site, *more: Channel) -> list[Channel]:
    """Every channel a story can go out on, in the order they are placed: the site's own, then the
    others the service is configured for (radio, Zalo, Facebook)."""
    return [WebChannel(site), FeedsChannel(site), *more]
