"""The physical limit on this machine: plain redis-py hops, XADD → XREADGROUP → XACK, no database.

A chain of hop workers, each its own process like the services: hop i reads stream i in a
consumer group, adds the entry to stream i+1 and acknowledges it. Latency per hop is read from
the entry ids (Redis's millisecond clock at XADD) of an entry and of its copy one hop on.
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import time
from dataclasses import dataclass
from typing import Any

import redis
from redis.asyncio import Redis as AsyncRedis

from bench.stats import Latency

__all__ = ["RawThroughput", "raw_latency", "raw_throughput"]

HOPS = 6  # deliveries one nomination makes on its way through the four services
PREFIX = "bench.raw"


@dataclass(frozen=True)
class RawThroughput:
    hop_per_s: float
    chain_per_s: float

    @staticmethod
    def mean(*runs: RawThroughput) -> RawThroughput:
        return RawThroughput(
            hop_per_s=sum(r.hop_per_s for r in runs) / len(runs),
            chain_per_s=sum(r.chain_per_s for r in runs) / len(runs),
        )


def _stream(i: int) -> str:
    return f"{PREFIX}.{i}"


def _ms(entry_id: bytes) -> int:
    return int(entry_id.split(b"-")[0])


async def _hop(url: str, i: int, n: int) -> None:
    client = AsyncRedis.from_url(url)
    done = 0
    while done < n:
        reply: Any = await client.xreadgroup("hop", f"hop-{i}", {_stream(i): ">"}, count=200, block=100)
        for _stream_name, entries in reply or []:
            async with client.pipeline(transaction=False) as pipe:
                for entry_id, fields in entries:
                    pipe.xadd(_stream(i + 1), {**fields, b"src": entry_id})
                pipe.xack(_stream(i), "hop", *[entry_id for entry_id, _ in entries])
                await pipe.execute()
            done += len(entries)
    await client.aclose()


def _hop_process(url: str, i: int, n: int, finished: Any) -> None:
    asyncio.run(_hop(url, i, n))
    finished.put((i, time.monotonic()))


def _reset(client: redis.Redis, hops: int) -> None:
    client.delete(*[_stream(i) for i in range(hops + 1)])
    for i in range(hops):
        client.xgroup_create(_stream(i), "hop", id="0", mkstream=True)


def _chain(url: str, n: int, payload: dict[Any, Any], hops: int, rate: float | None) -> dict[int, float]:
    """Run n entries through the chain; return when each hop finished, relative to the first post."""
    client = redis.Redis.from_url(url)
    _reset(client, hops)
    ctx = mp.get_context("spawn")
    finished: Any = ctx.Queue()
    workers = [ctx.Process(target=_hop_process, args=(url, i, n, finished), daemon=True) for i in range(hops)]
    for w in workers:
        w.start()
    time.sleep(1.0)  # let the workers import and block on their streams
    start = time.monotonic()
    if rate is None:
        for first in range(0, n, 500):
            pipe = client.pipeline(transaction=False)
            for _ in range(min(500, n - first)):
                pipe.xadd(_stream(0), payload)
            pipe.execute()
    else:
        for k in range(n):
            time.sleep(max(0.0, start + k / rate - time.monotonic()))
            client.xadd(_stream(0), payload)
    ends: dict[int, float] = {}
    for _ in workers:
        i, at = finished.get(timeout=600)
        ends[i] = at - start
    for w in workers:
        w.join(10)
    client.close()
    return ends


def _hop_latencies(url: str, hops: int) -> list[float]:
    client = redis.Redis.from_url(url)
    samples: list[float] = []
    for i in range(1, hops + 1):
        entries: Any = client.xrange(_stream(i))
        for entry_id, fields in entries:
            samples.append(float(_ms(entry_id) - _ms(fields[b"src"])))
    client.delete(*[_stream(i) for i in range(hops + 1)])
    client.close()
    return samples


def raw_throughput(url: str, n: int, payload: dict[Any, Any]) -> RawThroughput:
    """n entries posted at once: how fast the first hop, and the whole chain, get through them."""
    ends = _chain(url, n, payload, HOPS, rate=None)
    redis.Redis.from_url(url).delete(*[_stream(i) for i in range(HOPS + 1)])
    return RawThroughput(hop_per_s=n / ends[0], chain_per_s=n / max(ends.values()))


def raw_latency(url: str, payload: dict[Any, Any], *, rate: float, n: int) -> Latency:
    """n entries offered at a fixed rate: each hop's time, from entry id to entry id."""
    _chain(url, n, payload, HOPS, rate=rate)
    return Latency("one hop (entry id to entry id)", _hop_latencies(url, HOPS))
