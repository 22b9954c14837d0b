"""The staff pages under load, through the proxy (``make run``'s own nginx and template), on a system
holding a quarter's work:

- people at work: ``--people`` signed in at once, each opening a screen of their role, reading it
  for 1 to 3 seconds, opening the next; the p99 of what they waited, per screen and in all;
- capacity: each screen under ``wrk`` with one connection per person and no pause at all (every
  request waits for the ones before it), requests per second and p99;
- each screen's weight: its HTML with the style sheet and script it loads, before any caching.

    python -m bench.staff_pages --people 20 --seconds 10 --nominations 200 --write docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench.pages import Load, wrk
from bench.report import write_section
from common.auth import Role, mint_token
from common.registry import SERVICES, streams_read
from exemplars_tools.devrun import LocalStack
from tests.helpers import open_quarter
from tests.servers import free_port

__all__ = ["main"]

START, END = "<!-- staff pages: written by python -m bench.staff_pages -->", "<!-- end of staff pages -->"
PASSWORD = "một mật khẩu đủ dài cho phép đo"
UNITS = ["xa-ban-nguyen", "xa-lam-thao", "xa-xuan-lung", "xa-phung-nguyen"]
ACCOUNTS = {
    Role.CLERK: ("hoa.nt", "Nguyễn Thị Hoa", "xa-ban-nguyen"),
    Role.REVIEWER: ("binh.tv", "Trần Văn Bình", None),
    Role.OFFICER: ("lan.pt", "Phạm Thị Lan", None),
    Role.EDITOR: ("thu.nm", "Ngô Minh Thu", None),
    Role.OPERATOR: ("tam.dv", "Đỗ Văn Tâm", None),
}
# (screen, who, path); {case} is a case of the queue.
SCREENS = [
    ("Trang làm việc", Role.CLERK, "/staff"),
    ("Hồ sơ của đơn vị", Role.CLERK, "/staff/nominations/"),
    ("Lập hồ sơ", Role.CLERK, "/staff/nominations/new"),
    ("Hàng chờ xét duyệt", Role.REVIEWER, "/staff/review/"),
    ("Một hồ sơ xét duyệt", Role.REVIEWER, "/staff/review/{case}"),
    ("Gương điển hình, dự thảo", Role.OFFICER, "/staff/awards/"),
    ("Tin bài", Role.EDITOR, "/staff/editor/"),
    ("Bảng vận hành", Role.OPERATOR, "/staff/operator/"),
]
_WRK_SCRIPT = """
local cookies = {%s}
local n = 0
function setup(thread)
  n = n + 1
  thread:set("cookie", cookies[((n - 1) %% #cookies) + 1])
end
function init(args)
  wrk.headers["Cookie"] = "exemplars_session=" .. cookie
end
"""


@dataclass(frozen=True)
class Screen:
    name: str
    load: Load
    html_bytes: int
    total_bytes: int
    waits_ms: tuple[float, ...] = ()  # what the people at work waited for it


def _p99(values: list[float] | tuple[float, ...]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else 0.0


async def _people_at_work(
    base: str, cookies: dict[Role, list[str]], paths: list[tuple[str, Role, str]], people: int, seconds: float
) -> dict[str, list[float]]:
    """``people`` at once, each with a role's session, opening its screens in turn with a pause
    of 1 to 3 seconds to read each; what each screen made them wait, in milliseconds."""
    waits: dict[str, list[float]] = {name: [] for name, _, _ in paths}
    roles = list(cookies)
    end = time.monotonic() + seconds
    rng = random.Random(7)

    async def person(n: int) -> None:
        role = roles[n % len(roles)]
        screens = [(name, path) for name, r, path in paths if r is role]
        headers = {"Cookie": f"exemplars_session={cookies[role][n % len(cookies[role])]}"}
        async with httpx.AsyncClient(timeout=30, headers=headers) as http:
            await asyncio.sleep(rng.uniform(0, 2))
            while time.monotonic() < end:
                name, path = screens[rng.randrange(len(screens))]
                started = time.perf_counter()
                answer = await http.get(f"{base}{path}")
                waits[name].append((time.perf_counter() - started) * 1000)
                assert answer.status_code == 200, (path, answer.status_code)
                await asyncio.sleep(rng.uniform(1, 3))

    await asyncio.gather(*(person(n) for n in range(people)))
    return waits


def _sign_in(http: httpx.Client, base: str, username: str) -> str:
    """A new session for the account: the value of its cookie."""
    page = http.get(f"{base}/signin")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None, page.text[:500]
    answer = http.post(
        f"{base}/signin",
        data={"username": username, "password": PASSWORD, "csrf_token": token.group(1), "next": "/staff"},
        headers={"Cookie": f"exemplars_signin_form={token.group(1)}"},
    )
    found = re.search(r"exemplars_session=([^;]+)", answer.headers.get("set-cookie", ""))
    assert answer.status_code == 303 and found, answer.text[:500]
    return found.group(1)


def _seed(stack: LocalStack, count: int) -> str:
    """``count`` nominations across the communes, half of them approved; a case still waiting."""
    secret = stack.folder.auth_secret.read_text().strip()
    nomination, review = stack.services["nomination"].url, stack.services["review"].url
    reviewer = {"Authorization": "Bearer " + mint_token(secret, subject="r", role=Role.REVIEWER, name="Trần Văn Bình")}
    with httpx.Client(timeout=30) as http:
        for n in range(count):
            unit = UNITS[n % len(UNITS)]
            clerk = mint_token(secret, subject=f"c{unit}", role=Role.CLERK, unit=unit, name="Cán bộ")
            body = {
                "unit_id": unit,
                "quarter": open_quarter(),
                "field": "agriculture",
                "nominee": {"kind": "individual", "name": f"Nguyễn Văn Thử {n} {uuid.uuid4().hex[:4]}"},
                "achievements": "Chuyển đổi 2 ha lúa sang trồng rau hữu cơ, hướng dẫn 15 hộ cùng làm.",
                "consent_to_publish": True,
            }
            answer = http.post(f"{nomination}/nominations", json=body, headers={"Authorization": f"Bearer {clerk}"})
            answer.raise_for_status()
        deadline = time.monotonic() + 120
        while True:
            listing = http.get(f"{review}/reviews?status=pending&limit=500", headers=reviewer).json()
            if listing["total"] >= count or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        pending = [case["nomination_id"] for case in listing["items"]]
        decisions = [{"nomination_id": i, "decision": "approve"} for i in pending[: count // 2]]
        http.post(f"{review}/reviews/decisions", json={"decisions": decisions}, headers=reviewer).raise_for_status()
        return str(pending[-1])


def _settle(stack: LocalStack, timeout: float = 180) -> None:
    """Wait until every consumer group has applied everything (stories drafted, awards recorded):
    the people are measured on a system at rest, not on the seeding's aftermath."""
    assert stack.redis is not None
    client = stack.redis.client()
    deadline = time.monotonic() + timeout
    quiet = 0
    try:
        while quiet < 3 and time.monotonic() < deadline:
            busy = 0
            for stream in streams_read():
                if client.exists(stream):
                    busy += sum(int(g["lag"] or 0) + int(g["pending"]) for g in client.xinfo_groups(stream))
            quiet = quiet + 1 if busy == 0 else 0
            time.sleep(1)
    finally:
        client.close()
    time.sleep(5)  # the jobs the last events started (a leaflet, a rundown)


def _wrk(label: str, url: str, cookies: list[str], *, seconds: int, folder: Path) -> Load:
    """wrk with one connection (and thread) per person, each with the session cookie of its own."""
    script = folder / "cookies.lua"
    script.write_text(_WRK_SCRIPT % ", ".join(f'"{c}"' for c in cookies), encoding="utf-8")
    return wrk(label, url, connections=len(cookies), seconds=seconds, threads=len(cookies), script=script)


def _weight(http: httpx.Client, base: str, path: str, cookie: str) -> tuple[int, int]:
    """The page's HTML, and the HTML with every style sheet and script it loads, in bytes."""
    page = http.get(f"{base}{path}", headers={"Cookie": f"exemplars_session={cookie}"})
    assert page.status_code == 200, (path, page.status_code)
    assets = set(re.findall(r'(?:href|src)="(/assets/[^"]+)"', page.text))
    total = len(page.content) + sum(len(http.get(f"{base}{a}").content) for a in assets)
    return len(page.content), total


def measure(people: int, seconds: int, nominations: int, working: float) -> list[Screen]:
    with tempfile.TemporaryDirectory() as folder:
        stack = LocalStack(
            state=Path(folder) / "state",
            ports={entry.name: free_port() for entry in SERVICES},
            extra_env={"LOG_LEVEL": "WARNING", "REMINDER_SECONDS": "0"},
            proxy_port=0,
        )
        with stack.running():
            assert stack.proxy is not None
            base = stack.proxy.url
            password = Path(folder) / "password"
            password.write_text(PASSWORD, encoding="utf-8")
            for role, (username, name, unit) in ACCOUNTS.items():
                command = [
                    sys.executable,
                    "-m",
                    "staff",
                    "accounts",
                    "add",
                    username,
                    "--name",
                    name,
                    "--role",
                    role.value,
                ]
                command += ["--unit", unit] if unit else []
                subprocess.run(
                    [*command, "--password-file", str(password)],
                    env=stack.services["staff"].env,
                    check=True,
                    capture_output=True,
                )
            case = _seed(stack, nominations)
            _settle(stack)
            screens = []
            with httpx.Client(timeout=30) as http:
                cookies = {role: [_sign_in(http, base, ACCOUNTS[role][0]) for _ in range(people)] for role in ACCOUNTS}
                paths = [(name, role, path.format(case=case)) for name, role, path in SCREENS]
                waits = asyncio.run(_people_at_work(base, cookies, paths, people, working))
                for name, role, path in paths:
                    html, total = _weight(http, base, path, cookies[role][0])
                    load = _wrk(name, f"{base}{path}", cookies[role], seconds=seconds, folder=Path(folder))
                    screens.append(Screen(name, load, html, total, tuple(waits[name])))
            return screens


def table(screens: list[Screen], *, people: int, seconds: int, nominations: int, working: float) -> str:
    cores = len(os.sched_getaffinity(0))
    every = [w for s in screens for w in s.waits_ms]
    lines = [
        f"Measured {datetime.now(UTC):%Y-%m-%d} on {cores} cores, through the proxy, on {nominations} "
        f"nominations (half approved). **People at work**: {people} signed in at once for {working:g} s, each "
        f"opening a screen of their role and reading it 1 to 3 s before the next: {len(every)} pages, "
        f"**p99 {_p99(every):.1f} ms** in all. **Capacity**: each screen under wrk for {seconds} s with "
        f"{people} connections (one session each) and no pause, every request waiting for those before it. "
        "**Weight**: the page's HTML, then with the style sheet and script it loads, before caching.",
        "",
        "| screen | people at work: pages | p99 ms | capacity: requests/s | p99 ms (saturated) | errors "
        "| HTML KB | with assets KB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in screens:
        lines.append(
            f"| {s.name} | {len(s.waits_ms)} | {_p99(s.waits_ms):.1f} | {s.load.requests_per_s:,.0f} | "
            f"{s.load.p99_ms:.1f} | {s.load.errors} | {s.html_bytes / 1024:.1f} | {s.total_bytes / 1024:.1f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.staff_pages", description=__doc__)
    parser.add_argument("--people", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--nominations", type=int, default=200)
    parser.add_argument("--working", type=float, default=60.0, help="seconds the people work")
    parser.add_argument("--write", type=Path, default=None)
    args = parser.parse_args(argv)
    screens = measure(args.people, args.seconds, args.nominations, args.working)
    results = table(
        screens, people=args.people, seconds=args.seconds, nominations=args.nominations, working=args.working
    )
    print(results)
    if args.write:
        write_section(
            args.write, start=START, end=END, heading="Staff pages: signed-in people at once", results=results
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
