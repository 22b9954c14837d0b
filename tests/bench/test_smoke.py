"""A tiny run of the benchmark, so that it cannot rot: every figure of its table is produced."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.e2e


def test_benchmark_smoke_run_prints_every_figure(redis_base: str, postgres_admin_url: str, tmp_path: Path) -> None:
    out = tmp_path / "benchmarks.md"
    env = {**os.environ, "REDIS_URL": f"{redis_base}/0", "BENCH_POSTGRES_URL": postgres_admin_url}
    command = [sys.executable, "-m", "bench", "--nominations", "30", "--rate", "20", "--latency-seconds", "1.5"]
    result = subprocess.run(
        [*command, "--write", str(out)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    table = out.read_text(encoding="utf-8")
    assert "Measured " in table and " cores " in table
    for database in ("sqlite", "postgresql"):
        rates = r"([\d,]+) \| ([\d,]+) \| ([\d,]+) \| ([\d,]+) \| ([\d.]+) \| ([\d.]+)"
        row = re.search(rf"^\| {database}, 30 \| 30 \| {rates} \| (.+) \|$", table, re.M)
        assert row, table
        intake, e2e, raw_hop, raw_chain, *ratios = (float(v.replace(",", "")) for v in row.groups()[:6])
        assert min(intake, e2e, raw_hop, raw_chain) > 0
        assert ratios == pytest.approx(
            [intake / raw_hop, e2e / raw_chain], rel=0.05, abs=0.002
        )  # beside its own baseline
        assert len(re.findall(r"\d+", row.group(7))) == 4  # peak RSS of the four services
        assert re.search(rf"^\| {database}, 20/s offered \| 30 \| [\d,]+ \| [\d,]+ \| – \| – \| – \| – \|", table, re.M)
        latency = rf"^\| {database}, 20/s offered: (.+?) \| 30 \| [\d.]+ \| [\d.]+ \| [\d.]+ \| (.+?) \| (.+?) \|$"
        hops = re.findall(latency, table, re.M)
        assert len(hops) == 7, table  # six hops and end to end, each with all 30 samples
        split = r"^-?[\d.]+ / -?[\d.]+$"  # entry ids carry whole milliseconds: a part may be just below 0
        assert all(re.match(split, before) and re.match(split, after) for _, before, after in hops[:6]), table
    assert "the same 6 hops a nomination makes): measured just before and just after each throughput run" in table
    assert re.search(r"^\| raw: one hop .+ \| 180 \|", table, re.M)


def test_soak_smoke_run_prints_every_snapshot(tmp_path: Path) -> None:
    out = tmp_path / "benchmarks.md"
    out.write_text("# Benchmarks\n", encoding="utf-8")
    command = [sys.executable, "-m", "bench.soak", "--nominations", "20", "--chunk", "10", "--settle", "1"]
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}  # the stack starts its own Redis
    result = subprocess.run(
        [*command, "--write", str(out)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    table = out.read_text(encoding="utf-8")
    assert "## Soak: memory over 100,000 nominations" in table
    figures = r" \| ([\d.]+) \| ([\d,]+) \| ([\d,]+) \| ([\d,]+) \| ((?:\d+ / )+\d+) \|$"
    moments = re.findall(
        r"^\| (started|after 10 \(.+?\)|after 20 \(.+?\)|1 s later, after retention) \| ([\d,]+)" + figures, table, re.M
    )
    assert [m[0].split(" (")[0] for m in moments] == [
        "started",
        "after 10",
        "after 20",
        "1 s later, after retention",
    ], table
    assert [m[1] for m in moments] == ["0", "10", "20", "20"]
    assert int(moments[2][4].replace(",", "")) > 0  # the outboxes hold the events of the run
    assert all(float(m[2]) > 0 and all(int(rss) > 0 for rss in m[6].split(" / ")) for m in moments)


def test_publicity_smoke_run_prints_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "benchmarks.md"
    out.write_text("# Benchmarks\n", encoding="utf-8")
    command = [sys.executable, "-m", "bench.publicity", "--speech-minutes", "0.2", "--approvals", "12"]
    command += ["--radio-per-commune", "1", "--seconds", "1", "--connections", "4"]
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}  # the stack starts its own Redis
    result = subprocess.run(
        [*command, "--write", str(out)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    table = out.read_text(encoding="utf-8")
    assert "## Publicity: radio, feeds and the public pages" in table
    speech = re.search(r"^\| espeak-ng \+ ffmpeg loudnorm \| (\d+) \| ([\d.]+) s \|.* \| (\d+) \|$", table, re.M)
    assert speech and int(speech.group(1)) >= 1 and float(speech.group(2)) >= 12 and int(speech.group(3)) > 0
    assert re.search(r"^\| approvals driven end to end .+ \| 12 in [\d.]+ s \|$", table, re.M), table
    for path in ("/feed.atom", "/feed.rss", "/feed.json", "/sitemap.xml", "/"):
        assert re.search(rf"^\| `{re.escape(path)}` built: .+ \| \d+ ms / \d+ ms \|$", table, re.M), table
    assert re.search(r"^\| bulletins rendered \(4 communes\) \| 4 \(", table, re.M), table
    rundowns = re.search(r"^\| rundowns built for the slots to come \| (\d+) \(longest ([\d.]+) min of 15", table, re.M)
    assert rundowns and int(rundowns.group(1)) >= 4 and 0 < float(rundowns.group(2)) <= 15, table
    assert re.search(r"^\| peak RSS of publishing \| \d+ MiB \|$", table, re.M)
    loads = re.findall(r"^\| (story page|index): (.+?) \| ([\d,]+) \| ([\d.]+) \| (\d+) \| ([\d.]+) \|$", table, re.M)
    assert len(loads) == 6, table
    assert all(float(rate.replace(",", "")) > 0 and errors == "0" for _, _, rate, _, errors, _ in loads), table
