"""Outages of a service's own infrastructure, told apart from entries that fail.

When the database or Redis does not answer (stopped, restarting, refusing writes because its disk
or memory is full), nothing is wrong with the work in hand: it must wait and be tried again, and
no delivery of an entry may be counted against it. ``is_outage`` says which errors are such;
``Outages`` keeps what is down in one process, so that its log says one line when an outage
begins and one when it ends, however many consumers, relays and workers retry meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass

from redis.exceptions import BusyLoadingError, ReadOnlyError, RedisError, ResponseError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy import exc as sa

__all__ = ["DATABASE", "REDIS", "Backoff", "Outages", "component_of", "is_outage"]

log = logging.getLogger(__name__)

DATABASE = "database"
REDIS = "redis"

# Redis refusing writes for a while: no disk to persist to, no memory, loading, failing over.
_REDIS_BUSY = ("MISCONF", "OOM", "LOADING", "MASTERDOWN", "TRYAGAIN", "NOREPLICAS", "CLUSTERDOWN")
# PostgreSQL SQLSTATE classes of a server that is away or out of resources: connection
# exceptions (08), insufficient resources such as a full disk (53), operator intervention (57P).
_POSTGRES_AWAY = ("08", "53", "57P")


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error, what caused it, and the driver's own error inside SQLAlchemy's, each once."""
    seen: set[int] = set()
    waiting: list[BaseException] = [error]
    while waiting:
        current = waiting.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        linked = [current.__cause__, current.__context__]
        if isinstance(current, sa.DBAPIError) and isinstance(current.orig, BaseException):
            linked.append(current.orig)
        waiting.extend(link for link in linked if link is not None)


def _one_is_outage(error: BaseException) -> bool:
    if isinstance(error, RedisConnectionError | RedisTimeoutError | BusyLoadingError | ReadOnlyError):
        return True
    if isinstance(error, ResponseError):
        return str(error).startswith(_REDIS_BUSY)
    if isinstance(error, sa.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, sa.OperationalError | sa.InterfaceError | sa.TimeoutError | OSError):
        # SQLite says "database or disk is full", "disk I/O error" or "database is locked" this way.
        return True
    sqlstate = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
    return isinstance(sqlstate, str) and sqlstate.startswith(_POSTGRES_AWAY)


def is_outage(error: BaseException, *, raised_by_us: bool = False) -> bool:
    """Whether ``error`` says the database or Redis is away, rather than that the work is wrong.

    With ``raised_by_us``, only an error that came through this service's own database or Redis
    client counts: work that also talks to the outside (a job posting to a social network)
    raises connection errors of its own, which are that work's failures, not an outage.
    """
    chain = list(_chain(error))
    if raised_by_us and not any(isinstance(link, sa.SQLAlchemyError | RedisError) for link in chain):
        return False
    return any(_one_is_outage(link) for link in chain)


def component_of(error: BaseException) -> str:
    return REDIS if any(isinstance(link, RedisError) for link in _chain(error)) else DATABASE


@dataclass(frozen=True)
class Backoff:
    """Waits between retries during an outage: doubling from ``first`` up to ``most`` seconds."""

    first: float = 0.1
    most: float = 5.0

    def delays(self) -> Iterator[float]:
        delay = self.first
        while True:
            yield delay
            delay = min(self.most, delay * 2)


def _summary(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}"[:300]


class Outages:
    """What this process cannot reach now, and since when; logs each change once.

    ``noted`` is told of every error; it says whether the error was an outage (to be retried
    without counting it against the work). ``reached`` is told of every success of a component
    that proves it back (for the database: a committed write, or work that failed in the outage
    going through; not any success, since a full disk still answers reads). A component
    with a probe (Redis: PING) is also checked every ``probe_every`` seconds while it is down, so
    its return is logged even when no work is waiting for it.
    """

    def __init__(
        self,
        service: str,
        *,
        probes: Mapping[str, Callable[[], Awaitable[object]]] | None = None,
        probe_every: float = 1.0,
    ) -> None:
        self.service = service
        self._probes = dict(probes or {})
        self._probe_every = probe_every
        self._since: dict[str, float] = {}
        self._retries: dict[str, int] = {}
        self._probing: dict[str, asyncio.Task[None]] = {}

    def noted(self, error: BaseException, *, raised_by_us: bool = False) -> bool:
        """True when ``error`` is an outage; the first one of an outage is logged, with its cause."""
        if not is_outage(error, raised_by_us=raised_by_us):
            return False
        component = component_of(error)
        if component in self._since:
            self._retries[component] += 1
            return True
        self._since[component] = time.monotonic()
        self._retries[component] = 0
        log.warning(
            "%s: %s unavailable (%s); work waits and is retried, no delivery is counted",
            self.service,
            component,
            _summary(error),
        )
        self._start_probe(component)
        return True

    def reached(self, component: str) -> None:
        since = self._since.pop(component, None)
        if since is None:
            return
        retries = self._retries.pop(component, 0)
        probe = self._probing.pop(component, None)
        if probe is not None and probe is not _current_task():
            probe.cancel()
        log.warning(
            "%s: %s available again after %.1f s (%d retries meanwhile)",
            self.service,
            component,
            time.monotonic() - since,
            retries,
        )

    def _start_probe(self, component: str) -> None:
        probe = self._probes.get(component)
        if probe is None or component in self._probing:
            return
        with contextlib.suppress(RuntimeError):  # no running loop: the work's own retries will tell
            self._probing[component] = asyncio.get_running_loop().create_task(self._probe(component, probe))

    async def _probe(self, component: str, probe: Callable[[], Awaitable[object]]) -> None:
        while component in self._since:
            await asyncio.sleep(self._probe_every)
            try:
                await probe()
            except Exception as error:
                if not is_outage(error):
                    raise
                continue
            self.reached(component)

    async def close(self) -> None:
        tasks = list(self._probing.values())
        self._probing.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    def filter_for(self) -> logging.Filter:
        """A log filter that turns a library's outage errors (with their tracebacks) into a note here."""
        outages = self

        class _Outages(logging.Filter):
            def filter(self, record: logging.LogRecord) -> bool:
                error = record.exc_info[1] if record.exc_info else None
                return not (error is not None and outages.noted(error))

        return _Outages()


def _current_task() -> asyncio.Task[object] | None:
    try:
        return asyncio.current_task()
    except RuntimeError:
        return None
