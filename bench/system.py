"""Drive the four services as in `make run`: unit systems post, a scripted reviewer and officer act.

The reviewer approves every NominationAccepted it reads on nomination.events over the review
HTTP API; the officer grants a Giấy khen for every ExemplarApproved it reads on review.events
over the awards HTTP API. Latency per hop is the time from an event's ``occurred_at`` to the
moment the consuming group applied it (its inbox row), read after the run.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections import defaultdict, deque
from datetime import UTC, datetime
from typing import Any

import httpx
from redis.asyncio import Redis
from redis.exceptions import ResponseError
from sqlalchemy import MetaData, create_engine, select

from bench.stats import Latency, RunResult, peak_rss_mb
from common.auth import Role, mint_token
from common.dates import quarter_of, vietnam_date
from common.db import sync_url
from common.events import NominationSubmitted, new_event
from common.messaging_tables import messaging_tables
from common.organisation import load_organisation
from common.signing import sign_compact
from common.wire import parse_entry_id
from exemplars_tools.devrun import LocalStack
from publishing.channels import channels_for
from publishing.channels.site import Site

__all__ = ["UNITS", "added", "drive", "signed_entry"]

# Each story is announced once per channel placed with it (the web page and the feed).
STORY_PUBLISHED_PER_STORY = sum(channel.immediate for channel in channels_for(Site("", "", "", "")))
RETRY_AFTER = 0.25  # seconds before an item a service had not applied yet is asked for again
UNITS = [
    "xa-ban-nguyen",
    "xa-lam-thao",
    "xa-xuan-lung",
    "xa-phung-nguyen",
    "xa-ban-nguyen-hoi-nong-dan",
    "xa-lam-thao-hoi-phu-nu",
    "xa-xuan-lung-phong-kinh-te",
]


def signed_entry(stack: LocalStack, keys: dict[str, bytes], n: int) -> dict[str, str]:
    unit = UNITS[n % len(UNITS)]
    body = {
        "unit_id": unit,
        "quarter": quarter_of(vietnam_date(datetime.now(UTC))),
        "field": "social-life",
        "nominee": {"kind": "individual", "name": f"Nguyễn Văn Hùng {n}", "title": "Tổ trưởng tổ dân phố"},
        "achievements": "Vận động nhân dân hiến đất mở rộng đường giao thông nông thôn, trồng 2 km đường hoa, "
        "tổ chức quỹ khuyến học của khu dân cư suốt mười năm liền.",
        "consent_to_publish": True,
    }
    event = new_event(NominationSubmitted.model_validate(body), producer=unit)
    return {"jws": sign_compact(event.envelope.model_dump_json().encode(), keys[unit], unit)}


class Actors:
    """The scripted reviewer and emulation officer, deciding in lists as a council session does.

    The reviewer approves the nominations review has taken in (read on nomination.events once the
    review group has applied them) with POST /reviews/decisions; the officer commends the
    exemplars awards has recorded (read on review.events once the awards group has applied them)
    with one decision per list (POST /decisions). An item still unknown there (404) is asked for
    again a moment later.
    """

    def __init__(
        self,
        stack: LocalStack,
        redis: Redis,
        n: int,
        *,
        since: dict[str, str] | None = None,
        batch: int = 500,
        linger: float = 0.05,
    ) -> None:
        secret = stack.folder.auth_secret.read_text().strip()
        self.reviewer = {"Authorization": "Bearer " + mint_token(secret, subject="bench-r", role=Role.REVIEWER)}
        self.officer = {"Authorization": "Bearer " + mint_token(secret, subject="bench-o", role=Role.OFFICER)}
        self.review_url = stack.services["review"].url
        self.awards_url = stack.services["awards"].url
        self.redis = redis
        self.n = n
        self.since = since or {}  # stream -> the entry id to follow from (what came before is not ours)
        self.batch = batch
        self.linger = linger
        self.http = httpx.AsyncClient(timeout=120)
        self.not_yet = 0  # items a service had not applied yet when asked, and asked again
        self.requests = 0
        # One decision is signed by one authority: the officer lists the exemplars of each apart.
        self.organisation = load_organisation(stack.folder.organisation)
        self.authority_of: dict[str, str] = {}  # exemplar id -> the authority that commends it

    async def _follow(self, stream: str, wanted: str, key: str, group: str, queue: asyncio.Queue[str]) -> None:
        """Hand over what ``group`` (the deciding service) has applied, as a person sees it listed there.

        An entry is applied once its group has acknowledged it: delivered (at or before the group's
        last-delivered id) and no longer pending.
        """
        last, seen = self.since.get(stream, "0-0"), 0
        held: deque[tuple[tuple[int, int], str]] = deque()  # (entry id, item), in stream order
        while seen < self.n or held:
            if seen < self.n:
                reply: Any = await self.redis.xread({stream: last}, count=1000, block=20 if held else 200)
                for _name, entries in reply or []:
                    for entry_id, fields in entries:
                        last = entry_id
                        event = json.loads(fields[b"event"])
                        if event["type"] == wanted:
                            seen += 1
                            held.append((parse_entry_id(entry_id), event["data"][key]))
                            if wanted == "ExemplarApproved":
                                self._note_authority(event["data"])
            else:
                await asyncio.sleep(0.02)
            if held:
                applied_before = await self._applied_before(stream, group)
                while held and held[0][0] < applied_before:
                    queue.put_nowait(held.popleft()[1])

    async def _applied_before(self, stream: str, group: str) -> tuple[int, int]:
        """Entries of ``stream`` below this id are applied by ``group``."""
        groups = {g["name"].decode(): g for g in await self.redis.xinfo_groups(stream)}
        if group not in groups:
            return (0, 0)
        delivered = parse_entry_id(groups[group]["last-delivered-id"])
        next_after = (delivered[0], delivered[1] + 1)
        pending: Any = await self.redis.xpending(stream, group)
        if pending["pending"]:
            return min(next_after, parse_entry_id(pending["min"]))
        return next_after

    async def _act(self, queue: asyncio.Queue[str], flush: Any) -> None:
        done = 0
        while done < self.n:
            items = [await queue.get()]
            deadline = time.monotonic() + self.linger
            while len(items) < self.batch and (left := deadline - time.monotonic()) > 0:
                try:
                    items.append(await asyncio.wait_for(queue.get(), left))
                except TimeoutError:
                    break
            retry = await flush(items)
            self.requests += 1
            done += len(items) - len(retry)
            if retry:
                # Not applied there yet: ask again later without holding up the items behind them,
                # and without hammering a service that is catching up.
                self.not_yet += len(retry)
                loop = asyncio.get_running_loop()
                for item in retry:
                    loop.call_later(RETRY_AFTER, queue.put_nowait, item)

    async def approve(self, ids: list[str]) -> list[str]:
        body = {"decisions": [{"nomination_id": i, "decision": "approve"} for i in ids]}
        response = await self.http.post(f"{self.review_url}/reviews/decisions", json=body, headers=self.reviewer)
        if response.status_code != 200:
            raise RuntimeError(f"approvals: {response.status_code} {response.text}")
        return [r["nomination_id"] for r in response.json()["results"] if r["outcome"] == "not-found"]

    def _note_authority(self, exemplar: dict[str, Any]) -> None:
        # Decisions are signed today: never before the approval they commend.
        today = vietnam_date(datetime.now(UTC))
        authority = self.organisation.authority_of(exemplar["unit_id"], today)
        if authority is None:
            raise RuntimeError(f"no authority commends the exemplars of {exemplar['unit_id']} on {today}")
        self.authority_of[exemplar["exemplar_id"]] = authority.id

    async def commend(self, ids: list[str]) -> list[str]:
        """One decision per authority in the list; exemplars awards has not recorded yet wait."""
        groups: dict[str, list[str]] = {}
        for i in ids:
            groups.setdefault(self.authority_of[i], []).append(i)
        later: list[str] = []
        for group in groups.values():
            later += await self._decide(group)
        return later

    async def _decide(self, ids: list[str]) -> list[str]:
        body = {"form": "giay-khen", "exemplar_ids": ids}
        response = await self.http.post(f"{self.awards_url}/decisions", json=body, headers=self.officer)
        if response.status_code == 201:
            return []
        if response.status_code != 404:
            raise RuntimeError(f"decision: {response.status_code} {response.text}")
        unknown = set(response.json()["detail"]["exemplar_ids"])
        ready = [i for i in ids if i not in unknown]
        later = await self._decide(ready) if ready else []
        return later + [i for i in ids if i in unknown]

    async def run(self) -> None:
        approvals: asyncio.Queue[str] = asyncio.Queue()
        commendations: asyncio.Queue[str] = asyncio.Queue()
        await asyncio.gather(
            self._follow("nomination.events", "NominationAccepted", "nomination_id", "review", approvals),
            self._follow("review.events", "ExemplarApproved", "exemplar_id", "awards", commendations),
            self._act(approvals, self.approve),
            self._act(commendations, self.commend),
        )
        await self.http.aclose()


async def added(redis: Redis, stream: str) -> int:
    """Entries ever added to the stream (trimming does not lower it); 0 for a stream not there yet."""
    try:
        info: Any = await redis.xinfo_stream(stream)
    except ResponseError:
        return 0
    return int(info["entries-added"])


async def _last_id(redis: Redis, stream: str) -> str:
    try:
        info: Any = await redis.xinfo_stream(stream)
    except ResponseError:
        return "0-0"
    last = info["last-generated-id"]
    return str(last.decode() if isinstance(last, bytes) else last)


async def _added_at_least(redis: Redis, stream: str, n: int) -> None:
    # Polling another process's stream: there is nothing in this process to wait on.
    while await added(redis, stream) < n:  # noqa: ASYNC110
        await asyncio.sleep(0.02)


async def _group_settled(redis: Redis, stream: str, group: str) -> None:
    while True:
        groups = {g["name"].decode(): g for g in await redis.xinfo_groups(stream)}
        info = groups.get(group)
        if info and info["pending"] == 0 and (info["lag"] or 0) == 0:
            return
        await asyncio.sleep(0.02)


def _admin_url(stack: LocalStack) -> str:
    assert stack.redis is not None, "the stack is running"
    return stack.redis.admin_url


async def intake(stack: LocalStack, n: int) -> float:
    """Post n signed nominations at once; nominations accepted per second (nobody reviews)."""
    keys = {u: stack.folder.unit_key(u).read_bytes() for u in UNITS}
    redis = Redis.from_url(_admin_url(stack))
    presigned = [signed_entry(stack, keys, k) for k in range(n)]
    start = time.monotonic()
    for first in range(0, n, 500):
        async with redis.pipeline(transaction=False) as pipe:
            for entry in presigned[first : first + 500]:
                pipe.xadd("nomination.submissions", entry)  # type: ignore[arg-type]
            await pipe.execute()
    await _added_at_least(redis, "nomination.events", n)
    elapsed = time.monotonic() - start
    await redis.aclose()
    return n / elapsed


async def drive(stack: LocalStack, label: str, n: int, *, rate: float | None, offset: int = 0) -> RunResult:
    """Post n nominations (all at once, or at ``rate`` per second) and follow them to the end.

    ``offset`` numbers the nominees after those of earlier runs on the same stack.
    """
    keys = {u: stack.folder.unit_key(u).read_bytes() for u in UNITS}
    redis = Redis.from_url(_admin_url(stack))
    streams = ("nomination.events", "review.events", "publishing.events", "awards.events")
    before = {stream: await added(redis, stream) for stream in streams}
    since = {stream: await _last_id(redis, stream) for stream in streams}
    presigned = [signed_entry(stack, keys, offset + k) for k in range(n)] if rate is None else []
    actors = Actors(stack, redis, n, since=since)
    acting = asyncio.create_task(actors.run())
    start = time.monotonic()
    if rate is None:
        for first in range(0, n, 500):
            async with redis.pipeline(transaction=False) as pipe:
                for entry in presigned[first : first + 500]:
                    pipe.xadd("nomination.submissions", entry)  # type: ignore[arg-type]
                await pipe.execute()
    else:
        for k in range(n):
            await asyncio.sleep(max(0.0, start + k / rate - time.monotonic()))
            entry = signed_entry(stack, keys, offset + k)
            await redis.xadd("nomination.submissions", entry)  # type: ignore[arg-type]
    await _added_at_least(redis, "nomination.events", before["nomination.events"] + n)
    intake = time.monotonic() - start
    published = before["publishing.events"] + n * STORY_PUBLISHED_PER_STORY
    await _added_at_least(redis, "publishing.events", published)
    await _added_at_least(redis, "awards.events", before["awards.events"] + n)
    await _group_settled(redis, "awards.events", "publishing")
    e2e = time.monotonic() - start
    await acting
    print(f"{label}: {actors.requests} decision requests; {actors.not_yet} items asked again", flush=True)
    result = RunResult(label, n, n / intake, n / e2e, intake, e2e)
    result.peak_rss = {
        name: peak_rss_mb(service.process.pid) for name, service in stack.services.items() if service.process
    }
    if rate is not None:
        result.latencies = await _latencies(stack, redis)
    await redis.aclose()
    return result


def _when(value: str) -> float:
    return datetime.fromisoformat(value).timestamp()


def _entry_time(entry_id: bytes) -> float:
    """A stream entry id starts with the Redis server's clock, in milliseconds, when it was added."""
    return int(entry_id.split(b"-")[0]) / 1000


def _inbox(stack: LocalStack, service: str) -> dict[tuple[str, str], float]:
    """When each group applied each event, from the service's own inbox."""
    inbox = messaging_tables(MetaData()).inbox
    engine = create_engine(sync_url(stack.services[service].env["DATABASE_URL"]))
    with engine.connect() as conn:
        rows = conn.execute(select(inbox.c.consumer, inbox.c.event_id, inbox.c.processed_at)).all()
    engine.dispose()
    return {(consumer, str(event_id)): at.timestamp() for consumer, event_id, at in rows}


def _jws_payload(token: bytes) -> dict[str, Any]:
    part = token.decode().split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))))


async def _latencies(stack: LocalStack, redis: Redis) -> list[Latency]:
    occurred: dict[str, list[tuple[str, float]]] = defaultdict(list)
    correlation: dict[str, dict[str, str]] = defaultdict(dict)
    posted: dict[str, float] = {}  # event id: when its entry was added to the stream (from the entry id)
    for stream in ("nomination.events", "review.events", "publishing.events", "awards.events"):
        entries: Any = await redis.xrange(stream)
        for entry_id, fields in entries:
            event = json.loads(fields[b"event"])
            occurred[event["type"]].append((event["event_id"], _when(event["occurred_at"])))
            correlation[event["type"]][event["correlation_id"]] = event["event_id"]
            posted[event["event_id"]] = _entry_time(entry_id)
    submissions: Any = await redis.xrange("nomination.submissions")
    for entry_id, fields in submissions:
        body = _jws_payload(fields[b"jws"])
        occurred["NominationSubmitted"].append((body["event_id"], _when(body["occurred_at"])))
        posted[body["event_id"]] = _entry_time(entry_id)
    inbox: dict[tuple[str, str], float] = {}
    for service in stack.services:
        inbox |= _inbox(stack, service)

    def hop(name: str, group: str, source: str) -> Latency:
        done = [(eid, at, inbox[(group, eid)]) for eid, at in occurred[source] if (group, eid) in inbox]
        return Latency(
            name,
            [(applied - at) * 1000 for _, at, applied in done],
            to_stream_ms=[(posted[eid] - at) * 1000 for eid, at, _ in done],
            from_stream_ms=[(applied - posted[eid]) * 1000 for eid, _, applied in done],
        )

    granted = correlation["AwardGranted"]
    e2e = [
        (inbox[("publishing", granted[eid])] - at) * 1000
        for eid, at in occurred["NominationSubmitted"]
        if eid in granted and ("publishing", granted[eid]) in inbox
    ]
    return [
        hop("NominationSubmitted → nomination", "nomination", "NominationSubmitted"),
        hop("NominationAccepted → review", "review", "NominationAccepted"),
        hop("ExemplarApproved → nomination", "nomination", "ExemplarApproved"),
        hop("ExemplarApproved → publishing", "publishing", "ExemplarApproved"),
        hop("ExemplarApproved → awards", "awards", "ExemplarApproved"),
        hop("AwardGranted → publishing", "publishing", "AwardGranted"),
        Latency("end to end, incl. scripted reviewer and officer", e2e),
    ]
