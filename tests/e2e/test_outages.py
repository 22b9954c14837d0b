"""Outages are not delivery failures: PostgreSQL stopped for 150 s, and separately SQLite's disk full
for 45 s, while 500 signed nominations are posted: no dead letter, every nomination applied once
after recovery, and in each service's log one line when the outage begins and one when it ends.

The four services run as their own processes (as in ``test_loss``); a reviewer approves whatever
is pending all along, so every nomination goes the whole way: taken in by nomination, approved in
review, commended in awards, published as a story. The outage strikes while the first burst is on
its way; the other bursts are posted during the outage.
"""

from __future__ import annotations

import asyncio
import collections
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from common.auth import Role
from common.registry import SERVICES
from tests.e2e.conftest import STORIES_OUT
from tests.e2e.outage_support import (
    CONSUMED,
    RECORDS,
    PostgresControl,
    Reviewer,
    create_databases,
    fill_disk,
    log_counts,
    post_burst,
    records,
    stream_causes,
    tmpfs,
)
from tests.e2e.stack import PAGES_ONLY, UNITS, Driver, driving
from tests.helpers import eventually
from tests.servers import postgres_server

pytestmark = pytest.mark.e2e

N = 500  # nominations posted in all
FIRST = 100  # posted before the outage, which strikes while they are on their way
BURSTS = 8  # the other 400, in bursts spread over the outage
PG_OUTAGE = 150.0  # seconds PostgreSQL is stopped
DISK_FULL = 45.0  # seconds SQLite's disk is full

NAMES = [entry.name for entry in SERVICES if entry.name not in PAGES_ONLY]


@dataclass
class Outage:
    """How to cause an outage and end it, how long it lasts, and what happened meanwhile."""

    begin: Callable[[], None]
    end: Callable[[], None]
    seconds: float
    happening: bool = False
    notes: dict[str, Any] = field(default_factory=dict)


@pytest.fixture
def postgres_stack(tmp_path: Path) -> Iterator[tuple[Driver, Outage]]:
    """The four services on a PostgreSQL of this test's own (one database each) and one Redis."""
    with postgres_server(dedicated=True) as admin:
        server = PostgresControl.of(admin)
        outage = Outage(begin=server.stop, end=server.start, seconds=PG_OUTAGE)
        try:
            with driving(tmp_path / "state", create_databases(admin, NAMES), auto_approve=STORIES_OUT) as driver:
                yield driver, outage
        finally:
            if outage.happening:  # the test failed mid-outage: let the server be stopped cleanly
                server.start()


@pytest.fixture
def disk_stack(tmp_path: Path) -> Iterator[tuple[Driver, Outage]]:
    """The four services on SQLite databases on a small tmpfs; state and logs outside it."""
    with tmpfs(tmp_path / "disk", "64m") as disk:
        filler: list[Path] = []

        def begin() -> None:
            filler.append(fill_disk(disk))

        def end() -> None:
            filler.pop().unlink()

        outage = Outage(begin=begin, end=end, seconds=DISK_FULL)
        urls = {name: f"sqlite:///{disk / f'{name}.db'}" for name in NAMES}
        assert not (tmp_path / "state").resolve().is_relative_to(disk.resolve()), "logs must not be on the full disk"
        try:
            with driving(tmp_path / "state", urls, auto_approve=STORIES_OUT) as driver:
                yield driver, outage
        finally:
            if filler:
                filler.pop().unlink()


def most_deliveries(driver: Driver) -> int:
    """The highest delivery count among the entries pending in any group now (0: none pending)."""
    most = 0
    for stream in CONSUMED:
        if not driver.redis.exists(stream):
            continue
        for group in driver.redis.xinfo_groups(stream):
            for pending in driver.redis.xpending_range(stream, group["name"], min="-", max="+", count=10_000):
                most = max(most, int(pending["times_delivered"]))
    return most


async def through_outage(driver: Driver, outage: Outage) -> dict[str, Any]:
    """Post the nominations around the outage, wait until each went the whole way; what happened."""
    reviewer = Reviewer(driver)
    reviewer.start()
    started = time.monotonic()
    posted: list[uuid.UUID] = []
    try:
        posted += post_burst(driver, UNITS, range(FIRST))

        async def on_their_way() -> bool:
            return bool(driver.redis.xlen("nomination.events"))

        await eventually(on_their_way, within=60, interval=0.02)
        outage.notes["through nomination at the strike"] = driver.redis.xlen("nomination.events")
        await asyncio.to_thread(outage.begin)
        outage.happening = True
        down = time.monotonic()
        try:
            rest = list(range(FIRST, N))
            size = -(-len(rest) // BURSTS)
            spread = outage.seconds * 0.7  # the last burst well before the end of the outage
            for i in range(BURSTS):
                await asyncio.sleep(max(0.0, down + i * spread / BURSTS - time.monotonic()))
                posted += post_burst(driver, UNITS, range(rest[0] + i * size, min(N, rest[0] + (i + 1) * size)))
            await asyncio.sleep(max(0.0, down + outage.seconds - 1.0 - time.monotonic()))
            # The entries held through the outage were delivered once: no delivery was counted.
            outage.notes["most deliveries of a held entry"] = most_deliveries(driver)
            await asyncio.sleep(max(0.0, down + outage.seconds - time.monotonic()))
        finally:
            await asyncio.to_thread(outage.end)
            outage.happening = False
        up = time.monotonic()
        outage.notes["outage seconds"] = round(up - down, 1)

        operator = driver.token(Role.OPERATOR)

        async def all_the_way() -> dict[str, Any] | None:
            listing = driver.get("nomination", "/nominations?status=approved&limit=1", operator)
            if listing.status_code != 200:
                return None
            totals = {"approved": listing.json()["total"], **{name: records(driver, name) for name in RECORDS}}
            done = totals["approved"] == N and all(totals[name][0] >= N for name in RECORDS)
            return totals if done else None

        totals = await eventually(all_the_way, within=600, interval=1.0)
        outage.notes["recovery seconds"] = round(time.monotonic() - up, 1)

        async def settled() -> bool:
            return driver.settled()

        await eventually(settled, within=60, interval=0.2)
    finally:
        reviewer.stop.set()
        reviewer.join(timeout=30)
    outage.notes["total seconds"] = round(time.monotonic() - started, 1)
    outage.notes["reviewer HTTP statuses"] = dict(reviewer.statuses)
    return {"posted": posted, "totals": totals}


def assert_applied_once_without_dead_letters(driver: Driver, outage: Outage, run: dict[str, Any]) -> None:
    posted = {str(event_id) for event_id in run["posted"]}
    assert len(posted) == N

    dead = {f"{stream}.dead": driver.redis.xlen(f"{stream}.dead") for stream in CONSUMED}
    assert dead == dict.fromkeys(dead, 0), dead
    assert driver.dead_letter_count() == 0
    assert outage.notes["most deliveries of a held entry"] <= 1, outage.notes

    # Each service's record of a nomination: exactly one each.
    for name in RECORDS:
        assert run["totals"][name] == (N, N), f"{name}: {run['totals'][name]} (rows, distinct) for {N} nominations"
    # Each submission caused one event at each step: republished copies of one event (an outbox row
    # whose mark failed in the outage) may be on a stream, never two events for one cause.
    republished = {}
    for stream, event_type in (
        ("nomination.events", "NominationAccepted"),
        ("review.events", "ExemplarApproved"),
        ("publishing.events", "StoryPublished"),
    ):
        by_cause, republished[event_type] = stream_causes(driver, stream, event_type)
        assert {correlation for correlation, _ in by_cause} == posted, f"{event_type}: not one per submission"
        doubled = {cause: ids for cause, ids in by_cause.items() if len(ids) != 1}
        assert not doubled, f"{event_type}: several events for one cause: {doubled}"
    channels = collections.Counter(channel for _, channel in by_cause)
    assert len(set(channels.values())) == 1, f"stories announced on some channels only: {channels}"
    outage.notes["entries republished (dropped by the inboxes)"] = republished


def assert_one_line_each_way(driver: Driver, outage: Outage, must_be_affected: list[str]) -> None:
    counts = {name: log_counts(driver, name) for name in NAMES}
    outage.notes["logs"] = {name: c.summary() for name, c in counts.items()}
    for name, c in counts.items():
        log = driver.stack.services[name].log_path
        assert c.tracebacks == 0, f"{name}: a traceback in {log}"
        assert not c.dead_lettered, f"{name}: {c.dead_lettered[:3]}"
        assert not c.failed_deliveries, f"{name}: entries failed for a reason other than the outage: " + "\n".join(
            c.failed_deliveries[:3]
        )
        assert c.unavailable["redis"] == c.available_again["redis"] == 0, f"{name}: Redis was never away ({log})"
        lines = (c.unavailable["database"], c.available_again["database"])
        expected = [(1, 1)] if name in must_be_affected else [(0, 0), (1, 1)]
        assert lines in expected, f"{name}: {lines[0]} 'unavailable' and {lines[1]} 'available again' lines in {log}"


async def test_postgresql_stopped_150s_is_not_a_delivery_failure(postgres_stack: tuple[Driver, Outage]) -> None:
    driver, outage = postgres_stack
    try:
        run = await through_outage(driver, outage)
        assert_applied_once_without_dead_letters(driver, outage, run)
        # Every service's relay and job worker reach for the database all along: all four saw it go.
        assert_one_line_each_way(driver, outage, must_be_affected=NAMES)
    finally:
        print(f"\nPostgreSQL stopped: {N} nominations, {outage.notes}")


async def test_sqlite_disk_full_45s_is_not_a_delivery_failure(disk_stack: tuple[Driver, Outage]) -> None:
    driver, outage = disk_stack
    try:
        run = await through_outage(driver, outage)
        assert_applied_once_without_dead_letters(driver, outage, run)
        # A full disk still answers reads: only a service that had something to write saw it;
        # nomination takes in the bursts posted meanwhile, review records the reviewer's approvals.
        assert_one_line_each_way(driver, outage, must_be_affected=["nomination", "review"])
    finally:
        print(f"\nSQLite disk full: {N} nominations, {outage.notes}")
