"""What the outage tests need around the stack: a PostgreSQL to stop and start, a disk to fill,
a reviewer who keeps approving, and the counts the tests assert on."""

from __future__ import annotations

import collections
import contextlib
import errno
import os
import shlex
import shutil
import subprocess
import threading
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from common.auth import Role
from common.db import sync_url
from common.registry import streams_read
from tests.e2e.stack import Driver

__all__ = [
    "CONSUMED",
    "RECORDS",
    "LogCounts",
    "PostgresControl",
    "Reviewer",
    "create_databases",
    "fill_disk",
    "log_counts",
    "post_burst",
    "records",
    "stream_causes",
    "tmpfs",
]

# The streams the services read (as groups); each has its dead-letter stream ``<stream>.dead``.
CONSUMED = streams_read()

# service -> (table, key whose values must be unique and one per nomination)
RECORDS = {
    "nomination": ("nominations", "submission_event_id"),
    "review": ("reviews", "nomination_id"),
    "publishing": ("stories", "exemplar_id"),
    "awards": ("exemplars", "exemplar_id"),
}


# --- PostgreSQL that can be stopped for real and started again on the same port -----------------


def _run_as_owner(path: Path) -> list[str]:
    """``runuser`` to the owner of ``path`` when we are root (pg_ctl refuses to run as root)."""
    if os.geteuid() != 0:
        return []
    owner = path.owner()
    return [] if owner == "root" else ["runuser", "-u", owner, "--"]


def _pg_ctl() -> str:
    found = shutil.which("pg_ctl") or next(
        (str(p) for p in sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), reverse=True)), None
    )
    if found is None:
        raise RuntimeError("pg_ctl not found")
    return found


@dataclass
class PostgresControl:
    """The server behind a URL of ``postgres_server(dedicated=True)``: the real postmaster stopped
    (``pg_ctl stop -m fast``: sessions cut, connections refused) and started again with the very
    options it was started with (its ``postmaster.opts``), so on the same port."""

    data: Path
    options: str  # what pg_ctl passes to postgres with -o: port, socket folder, listen address…

    @classmethod
    def of(cls, admin_url: str) -> PostgresControl:
        engine = create_engine(sync_url(admin_url))
        with engine.connect() as conn:
            data = Path(str(conn.execute(text("SHOW data_directory")).scalar_one()))
        engine.dispose()
        argv = shlex.split((data / "postmaster.opts").read_text())[1:]  # without the postgres binary
        kept: list[str] = []
        while argv:
            arg = argv.pop(0)
            if arg == "-D":
                argv.pop(0)  # pg_ctl gives -D itself
                continue
            kept.append(arg)
        return cls(data, shlex.join(kept))

    def _pg_ctl(self, *args: str) -> None:
        command = [*_run_as_owner(self.data), _pg_ctl(), "-D", str(self.data), *args]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"{shlex.join(command)} failed: {result.stdout}{result.stderr}")

    def stop(self) -> None:
        self._pg_ctl("-m", "fast", "-w", "stop")

    def start(self) -> None:
        log = self.data.parent / "server.log"
        self._pg_ctl("-l", str(log), "-w", "-t", "60", "start", "-o", self.options)


def create_databases(admin_url: str, names: Sequence[str]) -> dict[str, str]:
    """One new database per name on the server of ``admin_url``; their URLs."""
    urls = {}
    engine = create_engine(sync_url(admin_url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for name in names:
            database = f"{name}_{uuid.uuid4().hex[:8]}"
            conn.execute(text(f'CREATE DATABASE "{database}"'))
            urls[name] = make_url(admin_url).set(drivername="postgresql", database=database).render_as_string(False)
    engine.dispose()
    return urls


# --- a Redis of the test's own ------------------------------------------------------------------


# --- a small disk that fills up ----------------------------------------------------------------


@contextlib.contextmanager
def tmpfs(folder: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted on ``folder``; the test is skipped where mounting is not allowed."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs to fill needs root")
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "--lazy", str(folder)], capture_output=True, check=False)


def fill_disk(folder: Path) -> Path:
    """Take every free block of the file system of ``folder`` with one file; return that file."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        # In chunks: the services write meanwhile, and a chunk too big fails as a whole.
        taken = 0
        for chunk in (1 << 20, 1 << 12):
            with contextlib.suppress(OSError):
                while True:
                    os.posix_fallocate(fd, taken, chunk)
                    taken += chunk
        os.lseek(fd, 0, os.SEEK_END)
        with contextlib.suppress(OSError):  # whatever is left, to the last byte
            while os.write(fd, b"\0"):
                pass
        os.fsync(fd)
    finally:
        os.close(fd)
    # Nothing left: a new file takes no byte more.
    fd = os.open(folder / "probe", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, b"x")
    except OSError as error:
        assert error.errno == errno.ENOSPC, error
    else:
        raise AssertionError(f"{folder} still takes writes after filling it")
    finally:
        os.close(fd)
        os.unlink(folder / "probe")
    return filler


# --- traffic ---------------------------------------------------------------------------------


def post_burst(driver: Driver, units: Sequence[str], numbers: range) -> list[uuid.UUID]:
    """Post signed submissions at once, in one round trip; their event ids."""
    ids: list[uuid.UUID] = []
    pipe = driver.redis.pipeline(transaction=False)
    for n in numbers:
        event_id, fields = driver.signed_entry(units[n % len(units)], n)
        pipe.xadd("nomination.submissions", fields)
        ids.append(event_id)
    pipe.execute()
    return ids


class Reviewer(threading.Thread):
    """Approves whatever is pending, riding out the review service's outages (503s)."""

    def __init__(self, driver: Driver) -> None:
        super().__init__(daemon=True)
        self.http = httpx.Client(timeout=30)
        self.driver = driver
        self.headers = driver.token(Role.REVIEWER, name="Trần Văn Bình")
        self.approved = 0
        self.statuses: collections.Counter[int] = collections.Counter()
        self.stop = threading.Event()

    def run(self) -> None:
        base = self.driver.stack.services["review"].url
        try:
            while not self.stop.is_set():
                try:
                    listing = self.http.get(f"{base}/reviews?status=pending&limit=200", headers=self.headers)
                    self.statuses[listing.status_code] += 1
                    pending = listing.json()["items"] if listing.status_code == 200 else []
                    for case in pending:
                        if self.stop.is_set():
                            break
                        r = self.http.post(
                            f"{base}/reviews/{case['nomination_id']}/approve", json={}, headers=self.headers
                        )
                        self.statuses[r.status_code] += 1
                        if r.status_code == 200:
                            self.approved += 1
                except (httpx.HTTPError, KeyError, ValueError):
                    pass  # try again
                self.stop.wait(0.2)
        finally:
            self.http.close()


# --- what the tests count ----------------------------------------------------------------------


def records(driver: Driver, service: str) -> tuple[int, int]:
    """Rows of the service's record table, and distinct keys among them."""
    table, key = RECORDS[service]
    engine = create_engine(sync_url(driver.stack.services[service].env["DATABASE_URL"]))
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(f"SELECT COUNT(*), COUNT(DISTINCT {key}) FROM {table}")).one()
    finally:
        engine.dispose()
    return int(rows[0]), int(rows[1])


def stream_causes(driver: Driver, stream: str, event_type: str) -> tuple[dict[tuple[str, str], set[str]], int]:
    """For one event type on a stream: the distinct event ids per cause, that is per correlation id
    (one submission's whole path) and channel (a story is announced once per channel it went out
    on); and how many entries repeat an event id already on the stream (an outbox row published
    again after its mark failed: allowed, the consumers' inboxes drop it)."""
    by_cause: dict[tuple[str, str], set[str]] = collections.defaultdict(set)
    entries = 0
    for event in driver.stream_events(stream):
        if event["type"] == event_type:
            entries += 1
            by_cause[(event["correlation_id"], event["data"].get("channel", ""))].add(event["event_id"])
    distinct = sum(len(ids) for ids in by_cause.values())
    return dict(by_cause), entries - distinct


@dataclass(frozen=True)
class LogCounts:
    unavailable: dict[str, int]  # component -> lines "<service>: <component> unavailable"
    available_again: dict[str, int]
    tracebacks: int
    failed_deliveries: list[str]  # entries that failed for a reason other than an outage
    dead_lettered: list[str]

    def summary(self) -> dict[str, Any]:
        return {
            "unavailable": self.unavailable,
            "available_again": self.available_again,
            "tracebacks": self.tracebacks,
            "failed_deliveries": len(self.failed_deliveries),
        }


def log_counts(driver: Driver, service: str) -> LogCounts:
    """What the service's log (``state/logs/<service>.log``) says about outages and failures."""
    text_ = driver.stack.services[service].log_path.read_text(errors="replace")
    lines = text_.splitlines()
    components = ("database", "redis")
    return LogCounts(
        unavailable={c: sum(f"{service}: {c} unavailable (" in line for line in lines) for c in components},
        available_again={c: sum(f"{service}: {c} available again after" in line for line in lines) for c in components},
        tracebacks=text_.count("Traceback"),
        failed_deliveries=[line for line in lines if " failed (delivery " in line or "applying one by one" in line],
        dead_lettered=[line for line in lines if "dead-lettered" in line],
    )
