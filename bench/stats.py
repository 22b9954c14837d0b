"""Percentiles, process memory and the result table."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Latency", "RunResult", "peak_rss_mb", "percentile", "render_table"]


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty sample."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Latency:
    """Samples of one hop; split, where known, at the moment the entry reached its stream."""

    name: str
    samples_ms: list[float]
    to_stream_ms: list[float] = field(default_factory=list)  # occurred → added to the stream
    from_stream_ms: list[float] = field(default_factory=list)  # added to the stream → applied

    def row(self) -> tuple[str, int, float, float, float]:
        s = self.samples_ms
        return (self.name, len(s), percentile(s, 50), percentile(s, 95), percentile(s, 99))

    def split(self) -> str:
        """p50 / p99 of both parts of the hop, as two table cells."""
        to, after = self.to_stream_ms, self.from_stream_ms
        return (
            f"{percentile(to, 50):.1f} / {percentile(to, 99):.1f} | "
            f"{percentile(after, 50):.1f} / {percentile(after, 99):.1f}"
        )


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


@dataclass
class RunResult:
    label: str
    nominations: int
    intake_per_s: float
    e2e_per_s: float
    intake_seconds: float
    e2e_seconds: float
    latencies: list[Latency] = field(default_factory=list)
    peak_rss: dict[str, float] = field(default_factory=dict)
    # The raw baseline measured beside this run (mean of just before and just after); 0: none.
    raw_hop_per_s: float = 0.0
    raw_chain_per_s: float = 0.0


def render_table(results: Sequence[RunResult], hops: int, raw_latency: Latency | None) -> str:
    """One Markdown table of throughput, memory and latency, each run beside its raw baseline."""
    lines = [
        "| run | nominations | intake /s (alone) | end to end /s | raw hop /s | raw chain /s | intake ÷ raw hop "
        "| end to end ÷ raw chain | peak RSS MiB (nomination / review / publishing / awards) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        rss = " / ".join(f"{r.peak_rss.get(s, 0):.0f}" for s in ("nomination", "review", "publishing", "awards"))
        if r.raw_hop_per_s and r.raw_chain_per_s:
            raw = (
                f"{r.raw_hop_per_s:,.0f} | {r.raw_chain_per_s:,.0f} | "
                f"{r.intake_per_s / r.raw_hop_per_s:.3f} | {r.e2e_per_s / r.raw_chain_per_s:.3f}"
            )
        else:
            raw = "– | – | – | –"
        lines.append(f"| {r.label} | {r.nominations:,} | {r.intake_per_s:,.0f} | {r.e2e_per_s:,.0f} | {raw} | {rss} |")
    lines += [
        "",
        f"Raw baseline (redis-py, XADD → XREADGROUP → XACK, same payload, no database, the same {hops} hops "
        "a nomination makes): measured just before and just after each throughput run, on a Redis of its own, "
        "and averaged; the runs at a fixed offered load have none.",
        "",
        "| latency at fixed offered load | samples | p50 ms | p95 ms | p99 ms "
        "| to the stream p50 / p99 | stream to applied p50 / p99 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        for lat in r.latencies:
            name, n, p50, p95, p99 = lat.row()
            split = lat.split() if lat.to_stream_ms else "– | –"
            lines.append(f"| {r.label}: {name} | {n:,} | {p50:.1f} | {p95:.1f} | {p99:.1f} | {split} |")
    if raw_latency is not None and raw_latency.samples_ms:
        name, n, p50, p95, p99 = raw_latency.row()
        lines.append(f"| raw: {name} | {n:,} | {p50:.1f} | {p95:.1f} | {p99:.1f} | – | – |")
    return "\n".join(lines)
