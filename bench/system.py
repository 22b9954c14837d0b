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
from collections import defaultdict
from datetime import datetime
from typing import Any

import httpx
from redis.asyncio import Redis
from sqlalchemy import MetaData, create_engine, select

from bench.stats import Latency, RunResult, peak_rss_mb
from common.auth import Role, mint_token
from common.db import sync_url
from common.devrun import LocalStack
from common.events import NominationSubmitted, new_event
from common.messaging_tables import messaging_tables
from common.signing import sign_compact

__all__ = ["UNITS", "drive", "signed_entry"]

UNITS = ["xa-ban-nguyen", "xa-cao-xa", "xa-vinh-lai", "tt-hung-son", "xa-son-vi", "xa-tu-xa", "xa-thach-son"]
CONCURRENCY = 32


def signed_entry(stack: LocalStack, keys: dict[str, bytes], n: int) -> dict[str, str]:
    unit = UNITS[n % len(UNITS)]
    body = {
        "unit_id": unit,
        "quarter": "2026-Q3",
        "field": "social-life",
        "nominee": {"kind": "individual", "name": f"Nguyễn Văn Hùng {n}", "title": "Tổ trưởng tổ dân phố"},
        "achievements": "Vận động nhân dân hiến đất mở rộng đường giao thông nông thôn, trồng 2 km đường hoa, "
        "tổ chức quỹ khuyến học của khu dân cư suốt mười năm liền.",
        "consent_to_publish": True,
    }
    event = new_event(NominationSubmitted.model_validate(body), producer=unit)
    return {"jws": sign_compact(event.envelope.model_dump_json().encode(), keys[unit], unit)}


class Actors:
    """The scripted reviewer and emulation officer."""

    def __init__(self, stack: LocalStack, redis: Redis, n: int) -> None:
        secret = (stack.state / "auth-secret").read_text().strip()
        self.reviewer = {"Authorization": "Bearer " + mint_token(secret, subject="bench-r", role=Role.REVIEWER)}
        self.officer = {"Authorization": "Bearer " + mint_token(secret, subject="bench-o", role=Role.OFFICER)}
        self.review_url = stack.services["review"].url
        self.awards_url = stack.services["awards"].url
        self.redis = redis
        self.n = n
        self.http = httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=CONCURRENCY))
        self.gate = asyncio.Semaphore(CONCURRENCY)
        self.tasks: set[asyncio.Task[None]] = set()

    async def _retrying_post(self, url: str, body: dict[str, Any], headers: dict[str, str]) -> None:
        async with self.gate:
            for _ in range(3000):
                response = await self.http.post(url, json=body, headers=headers)
                if response.status_code in (200, 201, 409):
                    return
                if response.status_code != 404:  # 404: not arrived there yet
                    raise RuntimeError(f"{url}: {response.status_code} {response.text}")
                await asyncio.sleep(0.02)
            raise RuntimeError(f"{url}: still 404 after a minute")

    async def _follow(self, stream: str, wanted: str, act: Any) -> None:
        last, seen = "0-0", 0
        while seen < self.n:
            reply = await self.redis.xread({stream: last}, count=1000, block=200)
            for _name, entries in reply or []:
                for entry_id, fields in entries:
                    last = entry_id
                    event = json.loads(fields[b"event"])
                    if event["type"] == wanted:
                        seen += 1
                        task = asyncio.create_task(act(event["data"]))
                        self.tasks.add(task)
                        task.add_done_callback(self.tasks.discard)

    async def approve(self, data: dict[str, Any]) -> None:
        await self._retrying_post(f"{self.review_url}/reviews/{data['nomination_id']}/approve", {}, self.reviewer)

    async def grant(self, data: dict[str, Any]) -> None:
        body = {"exemplar_id": data["exemplar_id"], "signed_on": "2026-09-30"}
        await self._retrying_post(f"{self.awards_url}/awards", body, self.officer)

    async def run(self) -> None:
        await asyncio.gather(
            self._follow("nomination.events", "NominationAccepted", self.approve),
            self._follow("review.events", "ExemplarApproved", self.grant),
        )
        while self.tasks:
            await asyncio.gather(*list(self.tasks))
        await self.http.aclose()


async def _xlen_at_least(redis: Redis, stream: str, n: int) -> None:
    while await redis.xlen(stream) < n:
        await asyncio.sleep(0.02)


async def _group_settled(redis: Redis, stream: str, group: str) -> None:
    while True:
        groups = {g["name"].decode(): g for g in await redis.xinfo_groups(stream)}
        info = groups.get(group)
        if info and info["pending"] == 0 and (info["lag"] or 0) == 0:
            return
        await asyncio.sleep(0.02)


async def drive(stack: LocalStack, label: str, n: int, *, rate: float | None) -> RunResult:
    """Post n nominations (all at once, or at ``rate`` per second) and follow them to the end."""
    keys = {u: (stack.state / "unit-keys" / f"{u}.pem").read_bytes() for u in UNITS}
    redis = Redis.from_url(stack.redis_url)
    presigned = [signed_entry(stack, keys, k) for k in range(n)] if rate is None else []
    actors = Actors(stack, redis, n)
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
            await redis.xadd("nomination.submissions", signed_entry(stack, keys, k))  # type: ignore[arg-type]
    await _xlen_at_least(redis, "nomination.events", n)
    intake = time.monotonic() - start
    await _xlen_at_least(redis, "publishing.events", n)
    await _xlen_at_least(redis, "awards.events", n)
    await _group_settled(redis, "awards.events", "publishing")
    e2e = time.monotonic() - start
    await acting
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
    for stream in ("nomination.events", "review.events", "publishing.events", "awards.events"):
        for _id, fields in await redis.xrange(stream):
            event = json.loads(fields[b"event"])
            occurred[event["type"]].append((event["event_id"], _when(event["occurred_at"])))
            correlation[event["type"]][event["correlation_id"]] = event["event_id"]
    for _id, fields in await redis.xrange("nomination.submissions"):
        body = _jws_payload(fields[b"jws"])
        occurred["NominationSubmitted"].append((body["event_id"], _when(body["occurred_at"])))
    inbox: dict[tuple[str, str], float] = {}
    for service in stack.services:
        inbox |= _inbox(stack, service)

    def hop(name: str, group: str, source: str) -> Latency:
        samples = [(inbox[(group, eid)] - at) * 1000 for eid, at in occurred[source] if (group, eid) in inbox]
        return Latency(name, samples)

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
