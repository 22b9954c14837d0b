"""Staff sessions: who signed in on the pages, kept in Redis, named by an HttpOnly cookie.

The sign-in service (``staff``) creates a session when a person signs in (a local account or the
operator's OpenID Connect provider) and deletes it on sign-out; every service reads it to know who
is asking for a page. The cookie holds a random value; Redis holds the session under the SHA-256
of that value (``session:<hex>``), so that whoever can read Redis cannot sign in with what it
finds there.

A session ends after ``idle`` seconds without a request (every read pushes that back) and in any
case ``absolute`` seconds after sign-in. Each carries its own CSRF token: forms send it back, and
a request that changes something without it is refused (``common.web.people``).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from dataclasses import dataclass

from redis.asyncio import Redis

from common.auth import Principal, Role

__all__ = ["INDEX_PREFIX", "KEY_PREFIX", "Session", "SessionStore"]

KEY_PREFIX = "session:"
INDEX_PREFIX = "sessions-of:"  # a person's sessions, so that all of them can be ended at once


@dataclass(frozen=True)
class Session:
    """A signed-in person, for as long as the session lasts."""

    principal: Principal
    csrf: str  # sent back by every form of this session
    created: float
    expires: float  # absolute end, whatever the activity
    via: str  # "local" or the provider's issuer

    def to_json(self) -> str:
        who = self.principal
        return json.dumps(
            {
                "sub": who.subject,
                "name": who.name,
                "roles": sorted(r.value for r in who.roles),
                "role": who.role.value,
                "unit": who.unit,
                "csrf": self.csrf,
                "created": self.created,
                "expires": self.expires,
                "via": self.via,
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, raw: str | bytes) -> Session:
        data = json.loads(raw)
        principal = Principal(
            subject=data["sub"],
            role=Role(data["role"]),
            unit=data.get("unit"),
            name=data["name"],
            roles=frozenset(Role(r) for r in data["roles"]),
        )
        return cls(principal, data["csrf"], float(data["created"]), float(data["expires"]), data["via"])


def _key(cookie_value: str) -> str:
    return KEY_PREFIX + hashlib.sha256(cookie_value.encode()).hexdigest()


def _index(subject: str) -> str:
    return INDEX_PREFIX + hashlib.sha256(subject.encode()).hexdigest()


class SessionStore:
    """Sessions in Redis: created and deleted by the sign-in service, read by every service."""

    def __init__(self, redis: Redis, *, idle_seconds: int, absolute_seconds: int) -> None:
        self._redis = redis
        self.idle_seconds = idle_seconds
        self.absolute_seconds = absolute_seconds

    async def create(self, principal: Principal, *, via: str, now: float | None = None) -> tuple[str, Session]:
        """A new session; the value for the cookie (never stored) and the session."""
        now = time.time() if now is None else now
        value = secrets.token_urlsafe(32)
        session = Session(principal, secrets.token_urlsafe(32), now, now + self.absolute_seconds, via)
        ttl = min(self.idle_seconds, self.absolute_seconds)
        index = _index(principal.subject)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(_key(value), session.to_json(), ex=ttl)
            pipe.sadd(index, _key(value))
            pipe.expire(index, self.absolute_seconds)
            await pipe.execute()
        return value, session

    async def get(self, cookie_value: str | None, *, now: float | None = None) -> Session | None:
        """The session the cookie names, its idle time restarted; None if there is none any more."""
        if not cookie_value or len(cookie_value) > 200:
            return None
        raw = await self._redis.getex(_key(cookie_value), ex=self.idle_seconds)
        if raw is None:
            return None
        try:
            session = Session.from_json(raw)
        except (ValueError, KeyError, TypeError):
            return None  # written by another version, or damaged: as good as none
        now = time.time() if now is None else now
        return session if now < session.expires else None

    async def delete(self, cookie_value: str | None) -> None:
        if cookie_value:
            await self._redis.delete(_key(cookie_value))

    async def end_all(self, subject: str) -> int:
        """End every session of ``subject`` (an account disabled, its password changed); how many
        were still open."""
        index = _index(subject)
        keys = [k.decode() if isinstance(k, bytes) else str(k) for k in await self._redis.smembers(index)]
        ended = int(await self._redis.delete(*keys)) if keys else 0
        await self._redis.delete(index)
        return ended
