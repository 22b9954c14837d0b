"""Nothing lost, nothing doubled: nominations in flight while each service is killed with SIGKILL.

Every service runs as two replicas sharing its database and consumer groups (``<service>-1`` and
``<service>-2``); the first replica of each is killed in turn while it holds entries it has read
and not acknowledged, and started again under the same name.
"""

from __future__ import annotations

import os
import random
import signal
import threading
import time
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from common.auth import Role
from common.db import sync_url
from tests.e2e.stack import UNITS, Driver, wait_for

pytestmark = pytest.mark.e2e

N = int(os.environ.get("LOSS_TEST_NOMINATIONS", "600"))  # six bursts, one per kill; more by the variable
BURST = 100

# service -> (table, key whose values must be unique and N in number)
RECORDS = {
    "nomination": ("nominations", "submission_event_id"),
    "review": ("reviews", "nomination_id"),
    "publishing": ("stories", "exemplar_id"),
    "awards": ("exemplars", "exemplar_id"),
}


class Reviewer(threading.Thread):
    """Approves whatever is pending, riding out the review service's deaths."""

    def __init__(self, driver: Driver) -> None:
        super().__init__(daemon=True)
        self.driver = driver
        self.headers = driver.token(Role.REVIEWER, name="Trần Văn Bình")
        self.approved = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set() and self.approved < N:
            try:
                pending = self.driver.get("review", "/reviews?status=pending&limit=200", self.headers).json()["items"]
                for case in pending:
                    r = self.driver.post("review", f"/reviews/{case['nomination_id']}/approve", {}, self.headers)
                    if r.status_code == 200:
                        self.approved += 1
            except (httpx.HTTPError, KeyError, ValueError):
                pass  # the review service is down or restarting: try again
            time.sleep(0.05)


def count_records(driver: Driver, service: str) -> tuple[int, int]:
    table, key = RECORDS[service]
    url = driver.stack.services[service].env["DATABASE_URL"]
    engine = create_engine(sync_url(url))
    with engine.connect() as conn:
        rows = conn.execute(text(f"SELECT COUNT(*), COUNT(DISTINCT {key}) FROM {table}")).one()
    engine.dispose()
    return int(rows[0]), int(rows[1])


def in_flight(driver: Driver, group: str) -> int:
    """Entries the first replica of the group has read and not yet acknowledged."""
    return driver.held_by(group, f"{group}-1")


def strike(driver: Driver, name: str, within: float = 60.0) -> int:
    """SIGKILL the service's first replica while it holds entries it has read and not acknowledged; how many.

    Seen holding some, the process is frozen (SIGSTOP) and looked at again: if it still holds
    them it cannot acknowledge them any more, and the kill orphans them for certain. If it
    finished meanwhile, it is let go on (SIGCONT) until it holds some again.
    """
    service = driver.stack.services[name]
    assert service.process is not None
    pid = service.process.pid
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if in_flight(driver, name) > 0:
            os.kill(pid, signal.SIGSTOP)
            held = in_flight(driver, name)
            if held > 0:
                service.kill()
                return held
            os.kill(pid, signal.SIGCONT)
        time.sleep(0.002)
    raise AssertionError(f"{name} had no work in flight for {within}s: nothing to interrupt")


KILLS = ("nomination", "review", "publishing", "awards", "nomination", "review")


def test_sigkill_each_service_in_turn_loses_and_doubles_nothing(replicated: Driver) -> None:
    driver = replicated
    rng = random.Random(os.environ.get("LOSS_TEST_SEED", "11-6-1948"))
    started = time.monotonic()
    reviewer = Reviewer(driver)
    reviewer.start()
    kills: list[tuple[str, float]] = []
    orphaned: list[int] = []
    ready_to_strike = threading.Event()

    def killer() -> None:
        for name in KILLS:
            ready_to_strike.set()  # the next burst lands now, so that the service is mid-batch
            orphaned.append(strike(driver, name))
            kills.append((name, round(time.monotonic() - started, 2)))
            time.sleep(rng.uniform(0.1, 0.5))
            service = driver.stack.services[name]
            service.start()
            service.wait_ready()

    chaos = threading.Thread(target=killer, daemon=True)
    chaos.start()
    for first in range(0, N, BURST):
        ready_to_strike.wait(timeout=120 if chaos.is_alive() else 0)
        ready_to_strike.clear()
        # A burst lands at once, so the services are mid-batch when the killer strikes.
        burst = [driver.signed_entry(UNITS[n % len(UNITS)], n)[1] for n in range(first, min(N, first + BURST))]
        pipe = driver.redis.pipeline(transaction=False)
        for fields in burst:
            pipe.xadd("nomination.submissions", fields)
        pipe.execute()
        time.sleep(0.5)
    chaos.join(timeout=300)
    assert not chaos.is_alive(), "the services did not come back"

    operator = driver.token(Role.OPERATOR)

    def approved_everywhere() -> dict[str, Any] | None:
        totals = {
            "approved": driver.get("nomination", "/nominations?status=approved&limit=1", operator).json()["total"],
            "records": {name: count_records(driver, name) for name in RECORDS},
        }
        done = totals["approved"] == N and all(r[0] >= N for r in totals["records"].values())
        return totals if done else None

    try:
        totals = wait_for(approved_everywhere, within=600, interval=1.0, what="every nomination through the path")
        wait_for(driver.settled, within=60, what="no entry pending", explain=driver.unsettled)
    finally:
        reviewer.stop.set()
    elapsed = time.monotonic() - started
    print(
        f"\nloss test: {N} nominations, kills {kills}, pending at each kill {orphaned}, "
        f"{elapsed:.1f}s, records {totals['records']}"
    )
    assert [name for name, _ in kills] == list(KILLS)
    for name, (rows, distinct) in totals["records"].items():
        assert (rows, distinct) == (N, N), f"{name}: {rows} rows, {distinct} distinct"
    assert driver.dead_letter_count() == 0
    assert len({e["data"]["exemplar_id"] for e in driver.stream_events("publishing.events")}) == N
    assert all(held > 0 for held in orphaned), f"every kill orphans work in flight: {orphaned}"
