"""How a service reaches Redis: one server at ``REDIS_URL``, or the master Redis Sentinel names.

With ``REDIS_SENTINELS`` (``host:port,host:port``) the service asks the sentinels for the current
master of ``REDIS_SENTINEL_MASTER`` and asks again whenever a connection breaks, so that it follows
a failover by itself; ``REDIS_URL`` then only gives the database number. The service's own Redis
user and password are used for the master; the sentinels are asked without credentials unless
``REDIS_SENTINEL_PASSWORD_FILE`` names a password for them.
"""

from __future__ import annotations

import logging
from typing import Any, cast
from urllib.parse import urlparse

from faststream.redis import RedisBroker
from faststream.redis.broker.sentinel_broker import RedisSentinelBroker
from faststream.security import SASLPlaintext
from redis.asyncio import Redis
from redis.asyncio.sentinel import Sentinel

from common.settings import ServiceSettings

__all__ = ["connect_broker", "connect_redis"]


def _db(settings: ServiceSettings) -> int:
    return int((urlparse(settings.redis_url).path or "/0").lstrip("/") or 0)


def _sentinel_kwargs(settings: ServiceSettings) -> dict[str, Any] | None:
    password = settings.sentinel_password()
    return {"password": password} if password else None


def connect_redis(settings: ServiceSettings) -> Redis:
    """The client the relay, the consumers' acknowledgements and the housekeeping use."""
    username, password = settings.redis_credentials()
    sentinels = settings.sentinels()
    if not sentinels:
        return Redis.from_url(settings.redis_url, username=username, password=password)
    sentinel = Sentinel(  # type: ignore[no-untyped-call]
        sentinels, sentinel_kwargs=_sentinel_kwargs(settings), username=username, password=password, db=_db(settings)
    )
    return cast(Redis, sentinel.master_for(settings.redis_sentinel_master))


def connect_broker(settings: ServiceSettings, logger: logging.Logger) -> RedisBroker:
    """FastStream's broker for the stream subscribers, on the same Redis as ``connect_redis``."""
    username, password = settings.redis_credentials()
    security = SASLPlaintext(username=username, password=password or "") if username else None
    sentinels = settings.sentinels()
    if not sentinels:
        return RedisBroker(settings.redis_url, logger=logger, security=security)
    return RedisSentinelBroker(
        settings.redis_url,
        sentinels=sentinels,
        sentinel_master_name=settings.redis_sentinel_master,
        sentinel_kwargs=_sentinel_kwargs(settings),
        logger=logger,
        security=security,
    )
