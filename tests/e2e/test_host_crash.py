"""The Redis host dies right after the writes: what the relays had marked published still arrives.

Awards is down while the reviewer approves 100 exemplars. Review's relay puts the 100
``ExemplarApproved`` on ``review.events`` and marks them published; publishing and nomination
apply them. Then the host loses power: Redis is killed with SIGKILL and its append-only file is cut
back to where it stood before the approvals, as an ``appendfsync everysec`` file can be (a second
of writes never reached the disk; here, all of them). Redis starts again from that file, awards
starts, and every approved exemplar still reaches awards: the relays see that the streams' last
ids are behind what they had put there and publish those rows again; the consumers that had
applied them already drop the copies.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from common.auth import Role
from common.db import sync_url
from tests.e2e.outage_support import post_burst, records
from tests.e2e.stack import UNITS, Driver, driving, wait_for

pytestmark = pytest.mark.e2e

N = 100


def incremental_aof(driver: Driver) -> Path:
    """The file Redis appends every write to (its multi-part append-only file's newest part)."""
    parts = sorted(driver.stack.folder.redis_data.glob("appendonlydir/*.incr.aof"))
    assert parts, "Redis runs with its append-only file"
    return parts[-1]


def quiet_size(path: Path, *, still: float = 1.5) -> int:
    """The file's size once nothing has been appended to it for ``still`` seconds."""
    size, since = path.stat().st_size, time.monotonic()
    deadline = since + 60
    while time.monotonic() - since < still:
        assert time.monotonic() < deadline, "Redis kept writing for a minute"
        time.sleep(0.1)
        now = path.stat().st_size
        if now != size:
            size, since = now, time.monotonic()
    return size


def published_approvals(driver: Driver) -> int:
    """``ExemplarApproved`` rows review's outbox has marked published."""
    engine = create_engine(sync_url(driver.stack.services["review"].env["DATABASE_URL"]))
    try:
        with engine.connect() as conn:
            query = "SELECT COUNT(*) FROM outbox WHERE type = 'ExemplarApproved' AND published_at IS NOT NULL"
            return int(conn.execute(text(query)).scalar_one())
    finally:
        engine.dispose()


def approve_all(driver: Driver) -> int:
    headers = driver.token(Role.REVIEWER, name="Trần Văn Bình")
    pending = driver.get("review", f"/reviews?status=pending&limit={N}", headers).json()["items"]
    approved = 0
    for case in pending:
        response = driver.post("review", f"/reviews/{case['nomination_id']}/approve", {}, headers)
        assert response.status_code == 200, response.text
        approved += 1
    return approved


def test_a_redis_host_crash_after_the_writes_loses_no_approved_exemplar(tmp_path: Path) -> None:
    with driving(tmp_path / "state", {}) as driver:
        operator = driver.token(Role.OPERATOR)
        post_burst(driver, UNITS, range(N))
        wait_for(
            lambda: driver.get("review", "/reviews?status=pending&limit=1", operator).json()["total"] == N,
            within=120,
            what=f"{N} cases waiting in review",
        )
        awards = driver.stack.services["awards"]
        awards.stop()
        aof = incremental_aof(driver)
        before_approvals = quiet_size(aof)

        assert approve_all(driver) == N
        wait_for(lambda: published_approvals(driver) == N, within=60, what="review's relay marking the approvals")
        wait_for(lambda: records(driver, "publishing")[0] == N, within=120, what="publishing applying them")
        on_stream = driver.redis.xlen("review.events")

        # Power lost: nothing more reaches the disk, and what the file held since the approvals is gone.
        driver.server.kill()
        with aof.open("r+b") as file:
            file.truncate(before_approvals)
        driver.server.start()
        driver.redis = driver.server.client()
        assert driver.redis.xlen("review.events") < on_stream, "the crash took the approvals off the stream"

        awards.start()
        awards.wait_ready()
        wait_for(lambda: records(driver, "awards")[0] >= N, within=180, what="every approved exemplar in awards")
        wait_for(driver.settled, within=60, what="no entry pending", explain=driver.unsettled)
        totals = {name: records(driver, name) for name in ("nomination", "review", "publishing", "awards")}
        approved = driver.get("nomination", "/nominations?status=approved&limit=1", operator).json()["total"]
        review_log = driver.stack.services["review"].log_path.read_text(errors="replace")
        dead_letters = driver.dead_letter_count()
        approvals = [e for e in driver.stream_events("review.events") if e["type"] == "ExemplarApproved"]
        print(
            f"\nhost crash: {N} approvals cut from the append-only file, {len(approvals)} on the stream after; "
            f"records {totals}; approved {approved}"
        )

    assert totals == {name: (N, N) for name in totals}, "each exemplar once in every service"
    assert approved == N
    assert "Redis lost" in review_log and "events of review.events" in review_log
    assert dead_letters == 0
    assert len({uuid.UUID(e["data"]["exemplar_id"]) for e in approvals}) == N
