"""``python -m bench.publicity``: the publicity channels measured on this machine.

1. **Speech**: bulletins of the kind the radio reads, spoken by the speech engine, evened and
   encoded to MP3, then joined into one rundown, until it lasts ``--speech-minutes``; how many
   times faster than real time that is.
2. **After N approvals**: the four services started as ``make run`` starts them (SQLite), N
   nominations driven through review and awards to their stories (the office lets stories reach
   its site and feeds without an editor); then the feeds are built, an editor approves
   ``--radio-per-commune`` stories of each commune for the radio, and the run waits until every
   bulletin is rendered and every commune's rundowns for the slots to come are built; the time,
   the audio made, and the peak memory of publishing.
3. **The public pages under load**: ``wrk`` on a story page and on the index, against publishing
   itself, against publishing behind the deployment's proxy configuration (its short cache), and
   against nginx serving the same bytes as static files, in the same run.

Prints one Markdown section; ``--write`` also puts it into docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import platform
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.pages import Load, nginx_front, wrk
from bench.report import write_section
from bench.stats import peak_rss_mb
from bench.system import drive
from common.auth import Role, mint_token
from common.events import ExemplarApproved, FieldOfWork, NomineeKind
from common.organisation import default_organisation_path, load_organisation
from exemplars_tools.devrun import PIPELINE as SERVICES
from exemplars_tools.devrun import LocalStack
from publishing.channels.radio import spoken
from publishing.integration import story_from_approved
from publishing.radio.audio import Tags, encode, join, seconds_of
from publishing.radio.reading import default_abbreviations
from publishing.radio.speech import CommandSpeech, espeak_command
from tests.servers import free_port

__all__ = ["main"]

START, END = "<!-- publicity: written by python -m bench.publicity -->", "<!-- end of publicity -->"
SLOT_SECONDS = 15 * 60  # data/radio.toml, as shipped


@dataclass
class Speech:
    bulletins: int
    audio_seconds: float
    speak_seconds: float
    encode_seconds: float
    join_seconds: float

    @property
    def total_seconds(self) -> float:
        return self.speak_seconds + self.encode_seconds + self.join_seconds

    @property
    def times_real_time(self) -> float:
        return self.audio_seconds / self.total_seconds


@dataclass
class Approvals:
    approvals: int
    pipeline_seconds: float
    feeds_first_ms: dict[str, float] = field(default_factory=dict)
    feeds_again_ms: dict[str, float] = field(default_factory=dict)
    bulletins: int = 0
    bulletin_audio_seconds: float = 0.0
    radio_seconds: float = 0.0  # first radio approval → every rundown built
    rundowns: int = 0
    rundown_seconds: list[float] = field(default_factory=list)
    left_out: int = 0
    peak_rss_mb: float = 0.0
    loads: list[Load] = field(default_factory=list)


def _sample_texts() -> list[str]:
    """What the loudspeaker reads for stories drafted from the office's template."""
    organisation = load_organisation(default_organisation_path())
    abbreviations = default_abbreviations()
    texts = []
    for n, (name, achievements) in enumerate(
        [
            ("Lò Văn Páo", "Trồng 3,5 ha quế hữu cơ; giúp 12 hộ đồng bào Mường thoát nghèo năm 2025."),
            ("Hà Thị Mai", "Mở lớp dạy chữ cho 40 phụ nữ; vận động 25 hộ hiến 1.200 m² đất làm đường."),
            (
                "Đinh Văn Tám",
                "Ngày 15/3/2026, góp 45.000.000 đồng xây nhà văn hóa thôn; 98,5% hộ đạt gia đình văn hóa.",
            ),
        ]
    ):
        nomination_id = uuid.uuid4()
        payload = ExemplarApproved(
            exemplar_id=uuid.uuid5(uuid.NAMESPACE_URL, f"exemplar:{nomination_id}"),
            nomination_id=nomination_id,
            unit_id="xa-ban-nguyen",
            unit_name="Xã Bản Nguyên",
            quarter="2026-Q4",
            field=FieldOfWork.SOCIAL_LIFE,
            nominee_kind=NomineeKind.INDIVIDUAL,
            nominee_name=name,
            nominee_title="Trưởng thôn" if n % 2 else "Nông dân",
            achievements=achievements,
            consent_to_publish=True,
            decided_by="Bench",
        )
        story = story_from_approved(payload, datetime.datetime.now(datetime.UTC), organisation)
        texts.append(spoken(story, abbreviations))
    return texts


async def speech(minutes: float, folder: Path) -> Speech:
    """Render bulletins one after the other (as the job path does) until they last ``minutes``, then
    join them into one rundown."""
    engine = CommandSpeech(espeak_command())
    tags = Tags(title="Bản tin", artist="Đài", album="Gương điển hình tiên tiến", publisher="UBND", date="2026-12-02")
    texts = _sample_texts()
    parts: list[Path] = []
    audio = speak = encoding = 0.0
    while audio < minutes * 60:
        text = texts[len(parts) % len(texts)]
        started = time.perf_counter()
        spoken_audio = await engine.synthesize(text, voice="vi")
        speak += time.perf_counter() - started
        started = time.perf_counter()
        target = folder / f"bulletin-{len(parts)}.mp3"
        audio += await encode(spoken_audio.audio, target, tags)
        encoding += time.perf_counter() - started
        parts.append(target)
    started = time.perf_counter()
    joined = await join(parts, folder / "rundown.mp3", tags)
    joining = time.perf_counter() - started
    if abs(joined - seconds_of(folder / "rundown.mp3")) > 0.05:
        raise RuntimeError("the joined rundown does not last what its parts do")
    return Speech(len(parts), joined, speak, encoding, joining)


def _editor(stack: LocalStack) -> dict[str, str]:
    secret = stack.folder.auth_secret.read_text().strip()
    return {"Authorization": f"Bearer {mint_token(secret, subject='bench', role=Role.EDITOR, name='Bench')}"}


async def _timed_get(client: httpx.AsyncClient, path: str) -> float:
    started = time.perf_counter()
    answer = await client.get(path)
    answer.raise_for_status()
    return (time.perf_counter() - started) * 1000


async def _feeds(client: httpx.AsyncClient, result: Approvals) -> None:
    for path in ("/feed.atom", "/feed.rss", "/feed.json", "/sitemap.xml", "/"):
        result.feeds_first_ms[path] = await _timed_get(client, path)
        again = [await _timed_get(client, path) for _ in range(10)]
        result.feeds_again_ms[path] = sum(again) / len(again)


async def _stories_by_commune(
    client: httpx.AsyncClient, editor: dict[str, str], per_commune: int
) -> dict[str, list[str]]:
    chosen: dict[str, list[str]] = {}
    offset = 0
    while True:
        page = await client.get(
            "/api/editor/stories", params={"status": "published", "limit": 200, "offset": offset}, headers=editor
        )
        page.raise_for_status()
        items = page.json()["items"]
        for item in items:
            commune = item["commune_id"]
            if commune and len(chosen.setdefault(commune, [])) < per_commune:
                chosen[commune].append(item["story_id"])
        offset += len(items)
        if not items or (len(chosen) >= 4 and all(len(v) >= per_commune for v in chosen.values())):
            return chosen


async def _radio(client: httpx.AsyncClient, editor: dict[str, str], per_commune: int, result: Approvals) -> None:
    chosen = await _stories_by_commune(client, editor, per_commune)
    started = time.monotonic()
    for story_ids in chosen.values():
        for story_id in story_ids:
            answer = await client.post(
                f"/api/editor/stories/{story_id}/approve", json={"channels": ["radio"]}, headers=editor
            )
            answer.raise_for_status()
    deadline = started + 1800
    while True:
        if time.monotonic() > deadline:
            raise RuntimeError("the radio was not ready within 30 minutes")
        bulletins = {
            c: (await client.get("/api/editor/radio/bulletins", params={"commune": c}, headers=editor)).json()
            for c in chosen
        }
        rendered = all(len(found) == len(chosen[c]) for c, found in bulletins.items())
        if rendered:
            rundowns = {
                c: (await client.get("/api/editor/radio/rundowns", params={"commune": c}, headers=editor)).json()
                for c in chosen
            }
            complete = all(
                found and all(len(r["played"]) + len(r["left_out"]) == len(chosen[c]) for r in found)
                for c, found in rundowns.items()
            )
            if complete:
                break
        await asyncio.sleep(0.5)
    result.radio_seconds = time.monotonic() - started
    result.bulletins = sum(len(found) for found in bulletins.values())
    result.bulletin_audio_seconds = sum(b["seconds"] for found in bulletins.values() for b in found)
    every = [r for found in rundowns.values() for r in found]
    result.rundowns = len(every)
    result.rundown_seconds = [r["seconds"] for r in every]
    result.left_out = sum(len(r["left_out"]) for r in every)
    for rundown in every:
        if rundown["seconds"] > SLOT_SECONDS:
            raise RuntimeError(f"a rundown runs over its slot: {rundown['seconds']} s")
        audio = (await client.get(rundown["audio_url"])).content
        if len(audio) != rundown["bytes"]:
            raise RuntimeError("a rundown's audio is not the size recorded")


def _load(result: Approvals, stack: LocalStack, folder: Path, *, connections: int, seconds: int) -> None:
    publishing = stack.services["publishing"].url
    with urllib.request.urlopen(f"{publishing}/api/stories?limit=1") as answer:
        story_url = json.load(answer)["items"][0]["url"]
    story_path = "/" + story_url.split("/", 3)[-1]
    static_port, proxy_port = free_port(), free_port()
    with nginx_front(folder, publishing, static_port, proxy_port) as static:
        for name, path in (("story page", story_path), ("index", "/")):
            with urllib.request.urlopen(f"{publishing}{path}") as answer:
                body = answer.read()
            file = static / ("story.html" if name == "story page" else "index.html")
            file.write_bytes(body)
            with urllib.request.urlopen(f"http://127.0.0.1:{proxy_port}{path}") as answer:
                if answer.read() != body:
                    raise RuntimeError(f"the proxy does not answer the same bytes for the {name}")
            for label, url in (
                ("nginx, static file", f"http://127.0.0.1:{static_port}/{file.name}"),
                ("publishing behind the proxy", f"http://127.0.0.1:{proxy_port}{path}"),
                ("publishing alone", f"{publishing}{path}"),
            ):
                result.loads.append(wrk(f"{name}: {label}", url, connections=connections, seconds=seconds))


async def approvals(n: int, per_commune: int, folder: Path, *, connections: int, seconds: int) -> Approvals:
    stack = LocalStack(
        state=folder / "state",
        ports={name: free_port() for name in SERVICES},
        extra_env={
            "LOG_LEVEL": "WARNING",
            "REMINDER_SECONDS": "0",
            "AUTO_APPROVE": "web,feeds",
            "RUNDOWN_SECONDS": "1",
            "LEAFLET_SECONDS": "0",
            "OCCASION_SECONDS": "0",
        },
    )
    with stack.running():
        run = await drive(stack, f"{n:,} approvals", n, rate=None)
        result = Approvals(n, run.e2e_seconds)
        editor = _editor(stack)
        async with httpx.AsyncClient(base_url=stack.services["publishing"].url, timeout=60) as client:
            await _feeds(client, result)
            await _radio(client, editor, per_commune, result)
        process = stack.services["publishing"].process
        result.peak_rss_mb = peak_rss_mb(process.pid) if process else 0.0
        _load(result, stack, folder / "nginx", connections=connections, seconds=seconds)
    return result


def render(speech_figures: Speech, result: Approvals) -> str:
    s = speech_figures
    lines = [
        "| speech | bulletins | audio | speaking | evening and encoding | joining | total | × real time |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        f"| espeak-ng + ffmpeg loudnorm | {s.bulletins} | {s.audio_seconds:.1f} s | {s.speak_seconds:.1f} s | "
        f"{s.encode_seconds:.1f} s | {s.join_seconds:.2f} s | {s.total_seconds:.1f} s | {s.times_real_time:.0f} |",
        "",
        "| after approvals | figure |",
        "|---|---:|",
        f"| approvals driven end to end (nomination → review → publishing, awards) | "
        f"{result.approvals:,} in {result.pipeline_seconds:.1f} s |",
    ]
    for path, first in result.feeds_first_ms.items():
        lines.append(
            f"| `{path}` built: first / then (mean of 10) | {first:.0f} ms / {result.feeds_again_ms[path]:.0f} ms |"
        )
    longest = max(result.rundown_seconds, default=0.0)
    lines += [
        f"| bulletins rendered (4 communes) | {result.bulletins} "
        f"({result.bulletin_audio_seconds / 60:.1f} min of audio) |",
        f"| rundowns built for the slots to come | {result.rundowns} (longest {longest / 60:.2f} min of "
        f"{SLOT_SECONDS // 60}; {result.left_out} bulletin places without room) |",
        f"| first radio approval → every bulletin and rundown ready | {result.radio_seconds:.1f} s |",
        f"| peak RSS of publishing | {result.peak_rss_mb:.0f} MiB |",
        "",
        "| page under wrk | requests/s | p99 ms | errors | ÷ nginx static |",
        "|---|---:|---:|---:|---:|",
    ]
    static = {load.label.split(":")[0]: load.requests_per_s for load in result.loads if "static" in load.label}
    for load in result.loads:
        ratio = load.requests_per_s / static[load.label.split(":")[0]]
        lines.append(f"| {load.label} | {load.requests_per_s:,.0f} | {load.p99_ms:.1f} | {load.errors} | {ratio:.2f} |")
    return "\n".join(lines) + "\n"


def write_results(path: Path, section: str) -> None:
    write_section(path, start=START, end=END, heading="Publicity: radio, feeds and the public pages", results=section)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.publicity", description=__doc__)
    parser.add_argument("--speech-minutes", type=float, default=15.0)
    parser.add_argument("--approvals", type=int, default=1000)
    parser.add_argument("--radio-per-commune", type=int, default=20)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=15, help="each wrk run")
    parser.add_argument("--write", type=Path, help="also write the results to this Markdown file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-publicity-") as name:
        folder = Path(name)
        (folder / "speech").mkdir()
        speech_figures = asyncio.run(speech(args.speech_minutes, folder / "speech"))
        print(
            f"speech: {speech_figures.audio_seconds:.0f} s of audio in {speech_figures.total_seconds:.1f} s", flush=True
        )
        result = asyncio.run(
            approvals(
                args.approvals, args.radio_per_commune, folder, connections=args.connections, seconds=args.seconds
            )
        )
    section = render(speech_figures, result)
    header = (
        f"Measured {datetime.date.today().isoformat()} on {os.cpu_count()} cores "
        f"({platform.processor() or platform.machine()}), Python {platform.python_version()}, "
        f"`python -m bench.publicity {' '.join(sys.argv[1:] if argv is None else argv)}`.\n\n"
    )
    print(header + section)
    if args.write:
        write_results(args.write, header + section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
