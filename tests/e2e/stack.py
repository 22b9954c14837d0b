"""Driving the four services as separate processes, over their real HTTP APIs and Redis."""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import redis
from redis.typing import EncodableT, FieldT

from common.auth import Role, mint_token
from common.events import NominationSubmitted, new_event
from common.registry import SERVICES, streams_read
from common.signing import sign_compact
from common.web.operator import unread
from exemplars_tools.devrun import LocalStack
from tests.helpers import entry, open_quarter, read_entries
from tests.servers import free_port

T = TypeVar("T")

PAGES_ONLY = {"staff"}  # services that hold no event of the programme: sign-in and the console

UNITS = ["xa-ban-nguyen", "xa-lam-thao", "xa-xuan-lung", "xa-phung-nguyen", "xa-ban-nguyen-hoi-nong-dan"]


def wait_for(
    probe: Callable[[], T | None],
    *,
    within: float = 60.0,
    interval: float = 0.2,
    what: str = "",
    explain: Callable[[], object] | None = None,
) -> T:
    """``probe()`` once it is true; an AssertionError after ``within`` seconds, with ``explain()`` if given."""
    deadline = time.monotonic() + within
    value = probe()
    while not value:
        if time.monotonic() > deadline:
            detail = f"; {explain()!r}" if explain is not None else ""
            raise AssertionError(f"{what or 'condition'} not met within {within}s (last: {value!r}{detail})")
        time.sleep(interval)
        value = probe()
    return value


class Driver:
    """What the people and unit systems around the services do, as one object."""

    def __init__(self, stack: LocalStack) -> None:
        assert stack.redis is not None, "the stack is running"
        self.stack = stack
        self.server = stack.redis
        self.secret = stack.folder.auth_secret.read_text().strip()
        self.redis = self.server.client()  # admin: to look at everything, and to post bursts at once
        self._units: dict[str, redis.Redis] = {}
        self.http = httpx.Client(timeout=30)

    def close(self) -> None:
        self.http.close()
        self.redis.close()
        for client in self._units.values():
            client.close()

    def unit_redis(self, unit: str) -> redis.Redis:
        """Redis as the unit's system connects to it: as its own user."""
        if unit not in self._units:
            self._units[unit] = self.server.client(f"unit-{unit}", unit)
        return self._units[unit]

    def url(self, service: str, path: str) -> str:
        return f"{self.stack.services[service].url}{path}"

    def token(self, role: Role, unit: str | None = None, name: str = "Cán bộ") -> dict[str, str]:
        token = mint_token(self.secret, subject=f"{role.value}-{unit or 'x'}", role=role, unit=unit, name=name)
        return {"Authorization": f"Bearer {token}"}

    @staticmethod
    def submission(unit: str, n: int, *, consent: bool = True) -> dict[str, Any]:
        return {
            "unit_id": unit,
            "quarter": open_quarter(),
            "field": "agriculture",
            "nominee": {"kind": "household", "name": f"Hộ ông Nguyễn Văn Đức số {n}", "title": "Hộ nông dân"},
            "achievements": "Hộ gia đình tiên phong chuyển đổi sang trồng rau hữu cơ, giúp đỡ 12 hộ nghèo.",
            "consent_to_publish": consent,
        }

    def signed_entry(self, unit: str, n: int) -> tuple[uuid.UUID, dict[FieldT, EncodableT]]:
        event = new_event(NominationSubmitted.model_validate(self.submission(unit, n)), producer=unit)
        key = self.stack.folder.unit_key(unit).read_bytes()
        return event.event_id, entry({"jws": sign_compact(event.envelope.model_dump_json().encode(), key, unit)})

    def post_signed(self, unit: str, n: int) -> uuid.UUID:
        event_id, fields = self.signed_entry(unit, n)
        self.unit_redis(unit).xadd("nomination.submissions", fields)
        return event_id

    def get(self, service: str, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
        return self.http.get(self.url(service, path), headers=headers)

    def post(self, service: str, path: str, body: Any, headers: dict[str, str]) -> httpx.Response:
        return self.http.post(self.url(service, path), json=body, headers=headers)

    def put(self, service: str, path: str, body: Any, headers: dict[str, str]) -> httpx.Response:
        return self.http.put(self.url(service, path), json=body, headers=headers)

    def submission_status(self, event_id: uuid.UUID | str, headers: dict[str, str]) -> dict[str, Any] | None:
        """What nomination says of a stream submission, once it has taken the entry in (``None`` before)."""
        response = self.get("nomination", f"/submissions/{event_id}", headers)
        if response.status_code != 200:
            return None
        status: dict[str, Any] = response.json()
        return status

    def stream_events(self, stream: str) -> list[dict[str, Any]]:
        return [json.loads(fields["event"]) for _, fields in read_entries(self.redis.xrange(stream))]

    def _groups(self) -> dict[tuple[str, str], tuple[dict[str, Any], dict[str, Any]]]:
        """Each group of the streams the services read: its XINFO GROUPS reply and its stream's XINFO STREAM."""
        found = {}
        for stream in streams_read():
            if not self.redis.exists(stream):
                continue
            info = self.redis.xinfo_stream(stream)
            for group in self.redis.xinfo_groups(stream):
                found[(stream, group["name"].decode())] = (group, info)
        return found

    def group_state(self) -> dict[tuple[str, str], dict[str, int]]:
        state = {}
        for key, (group, info) in self._groups().items():
            lag = unread(group, info)
            state[key] = {"pending": group["pending"], "lag": -1 if lag is None else lag}
        return state

    def settled(self) -> bool:
        """Every group has read everything on its streams and acknowledged it."""
        return all(s == {"pending": 0, "lag": 0} for s in self.group_state().values())

    def unsettled(self) -> dict[tuple[str, str], dict[str, Any]]:
        """The groups with entries unread or unacknowledged, with their counters, the entries'
        owners and idle times: what a wait for ``settled`` says when it gives up."""
        found: dict[tuple[str, str], dict[str, Any]] = {}
        for (stream, name), (group, info) in self._groups().items():
            lag = unread(group, info)
            if group["pending"] == 0 and lag == 0:
                continue
            held: list[dict[str, Any]] = self.redis.xpending_range(stream, name, min="-", max="+", count=5)
            found[(stream, name)] = {
                "lag": lag,
                "group": group,
                "stream": {k: v for k, v in info.items() if k not in ("first-entry", "last-entry")},
                "entries": [
                    (e["message_id"].decode(), e["consumer"].decode(), e["time_since_delivered"], e["times_delivered"])
                    for e in held
                ],
                "consumers": {
                    c["name"].decode(): (c["pending"], c["idle"]) for c in self.redis.xinfo_consumers(stream, name)
                },
            }
        return found

    def held_by(self, group: str, consumer: str) -> int:
        """Entries one consumer of ``group`` has read and not yet acknowledged."""
        held = 0
        for stream in streams_read():
            if not self.redis.exists(stream):
                continue
            for info in self.redis.xinfo_groups(stream):
                if info["name"].decode() == group:
                    for member in self.redis.xinfo_consumers(stream, group):
                        if member["name"].decode() == consumer:
                            held += int(member["pending"])
        return held

    def dead_letter_count(self) -> int:
        return sum(self.redis.xlen(key) for key in self.redis.scan_iter("*.dead"))


def make_stack(
    state: Path,
    database_urls: dict[str, str],
    ports: dict[str, int],
    *,
    replicas: int = 1,
    auto_approve: str = "",
    proxy_port: int | None = None,
) -> LocalStack:
    """The four services and a Redis of their own, as ``make run`` starts them, on free ports.

    ``auto_approve``: the channels stories reach without an editor ("web,feeds"), for tests about
    delivery rather than the editors' desk."""
    return LocalStack(
        state=state,
        database_urls=database_urls,
        ports=ports,
        # No reminders: a day they fall due would add entries the tests do not post.
        extra_env={
            "CLAIM_IDLE_MS": "2000",
            "LOG_LEVEL": "WARNING",
            "REMINDER_SECONDS": "0",
            "AUTO_APPROVE": auto_approve,
        },
        replicas=replicas,
        proxy_port=proxy_port,
    )


@contextlib.contextmanager
def driving(
    state: Path, database_urls: dict[str, str], *, replicas: int = 1, auto_approve: str = ""
) -> Iterator[Driver]:
    """The four services of the programme running on free ports (SQLite in ``state`` unless URLs are
    given), and a driver. Not the staff service: these tests speak to the APIs and the streams; the
    browser tests run everything."""
    ports = {entry.name: free_port() for entry in SERVICES if entry.name not in PAGES_ONLY}
    stack = make_stack(state, database_urls, ports, replicas=replicas, auto_approve=auto_approve)
    with stack.running():
        driver = Driver(stack)
        try:
            yield driver
        finally:
            driver.close()
