"""``python -m bench.soak``: many nominations through the whole system; memory stays flat after retention.

One stack on SQLite, started as `make run` starts it, with short retention settings so that a
run of minutes shows what days do in production: the streams' entries are kept a minute once
every group has them, outbox and finished jobs two minutes, inbox rows four, outcome streams two.
Nominations go through in chunks (posted by unit systems, approved by the scripted reviewer,
commended by the scripted officer, published). After each chunk, and again once the retention
has passed, it records Redis's memory (``used_memory``), the entries left on the streams, the
outbox and inbox rows, and each service's peak resident memory (``VmHWM``).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import os
import platform
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redis.asyncio import Redis
from sqlalchemy import create_engine, text

from bench.report import write_section
from bench.stats import peak_rss_mb
from bench.system import drive
from common.db import sync_url
from exemplars_tools.devrun import PIPELINE as SERVICES
from exemplars_tools.devrun import LocalStack
from tests.servers import free_port

__all__ = ["SOAK_RETENTION", "Snapshot", "main", "soak"]

# Seconds, as the settings take them (hours and days).
SOAK_RETENTION = {
    "STREAM_RETENTION_HOURS": str(60 / 3600),
    "UNIT_OUTCOME_RETENTION_DAYS": str(120 / 86_400),
    "OUTBOX_RETENTION_DAYS": str(120 / 86_400),
    "INBOX_RETENTION_DAYS": str(240 / 86_400),
    "JOBS_RETENTION_DAYS": str(120 / 86_400),
    "HOUSEKEEPING_SECONDS": "10",
}
SETTLE_SECONDS = 240 + 2 * 10 + 10  # the longest retention, two rounds of housekeeping, a margin


@dataclass
class Snapshot:
    when: str
    nominations: int
    redis_used_mb: float
    stream_entries: int
    outbox_rows: int
    inbox_rows: int
    peak_rss: dict[str, float]

    def row(self) -> str:
        rss = " / ".join(f"{self.peak_rss[name]:.0f}" for name in SERVICES)
        return (
            f"| {self.when} | {self.nominations:,} | {self.redis_used_mb:.1f} | {self.stream_entries:,} | "
            f"{self.outbox_rows:,} | {self.inbox_rows:,} | {rss} |"
        )


def _rows(stack: LocalStack, table: str) -> int:
    total = 0
    for service in stack.services.values():
        engine = create_engine(sync_url(service.env["DATABASE_URL"]))
        try:
            with engine.connect() as conn:
                total += int(conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())
        finally:
            engine.dispose()
    return total


async def snapshot(stack: LocalStack, redis: Redis, when: str, nominations: int) -> Snapshot:
    memory: Any = await redis.info("memory")
    entries = 0
    async for key in redis.scan_iter(_type="stream"):
        entries += int(await redis.xlen(key))
    return Snapshot(
        when=when,
        nominations=nominations,
        redis_used_mb=int(memory["used_memory"]) / 2**20,
        stream_entries=entries,
        outbox_rows=_rows(stack, "outbox"),
        inbox_rows=_rows(stack, "inbox"),
        peak_rss={n: peak_rss_mb(s.process.pid) for n, s in stack.services.items() if s.process},
    )


async def soak(stack: LocalStack, n: int, chunk: int, *, settle: float = SETTLE_SECONDS) -> list[Snapshot]:
    assert stack.redis is not None
    redis = Redis.from_url(stack.redis.admin_url)
    shots = [await snapshot(stack, redis, "started", 0)]
    done = 0
    while done < n:
        size = min(chunk, n - done)
        result = await drive(stack, f"soak {done:,}+{size:,}", size, rate=None, offset=done)
        done += size
        shots.append(await snapshot(stack, redis, f"after {done:,} ({result.e2e_per_s:,.0f}/s)", done))
        print(shots[-1].row(), flush=True)
    await asyncio.sleep(settle)  # the services go on trimming and pruning on their own
    shots.append(await snapshot(stack, redis, f"{settle:.0f} s later, after retention", done))
    await redis.aclose()
    return shots


def render(shots: list[Snapshot]) -> str:
    names = " / ".join(SERVICES)
    lines = [
        f"| moment | nominations | Redis used_memory MiB | stream entries | outbox rows | inbox rows | "
        f"peak RSS MiB ({names}) |",
        "|---|---:|---:|---:|---:|---:|---|",
        *(shot.row() for shot in shots),
    ]
    return "\n".join(lines)


START, END = "<!-- soak: written by python -m bench.soak -->", "<!-- end of soak -->"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__)
    parser.add_argument("--nominations", type=int, default=100_000)
    parser.add_argument("--chunk", type=int, default=10_000)
    parser.add_argument("--settle", type=float, default=SETTLE_SECONDS, help="seconds to wait after the last chunk")
    parser.add_argument("--write", type=Path, help="also write the results into this Markdown file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="soak-") as folder:
        stack = LocalStack(
            state=Path(folder),
            ports={name: free_port() for name in SERVICES},
            extra_env={"LOG_LEVEL": "WARNING", "REMINDER_SECONDS": "0", "AUTO_APPROVE": "web,feeds", **SOAK_RETENTION},
        )
        with stack.running():
            shots = asyncio.run(soak(stack, args.nominations, args.chunk, settle=args.settle))
    table = render(shots)
    print(table)
    if args.write:
        header = (
            f"Measured {datetime.date.today().isoformat()} on {os.cpu_count()} cores "
            f"({platform.processor() or platform.machine()}), Python {platform.python_version()}, "
            f"`python -m bench.soak --nominations {args.nominations} --chunk {args.chunk} "
            f"--settle {args.settle:g}`.\n\n"
        )
        write_section(
            args.write, start=START, end=END, heading="Soak: memory over 100,000 nominations", results=header + table
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
