"""Through a Redis failover: the services follow Redis Sentinel to the new master and lose nothing.

A master and a replica (both with the system's ACL file and append-only file) and one sentinel
watching them, all ``redis-server`` processes as Debian ships it; the services are given only the
sentinel's address (``REDIS_SENTINELS``). While a reviewer approves the first 100 nominations the
master is killed with SIGKILL; the sentinel promotes the replica, unit systems post 100 more to it,
and every one of the 200 goes the whole way once: no loss, no double, no dead letter.
"""

from __future__ import annotations

import contextlib
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis

from common.auth import Role
from common.registry import SERVICES
from exemplars_tools.cli import setup_state
from exemplars_tools.devrun import LocalStack
from exemplars_tools.redis_access import ADMIN
from exemplars_tools.redis_server import REDIS_OPTIONS, RedisServer, find_redis_server, start_redis
from exemplars_tools.state import StateFolder
from tests.e2e.outage_support import Reviewer, post_burst, records
from tests.e2e.stack import PAGES_ONLY, UNITS, Driver, wait_for
from tests.servers import free_port

pytestmark = pytest.mark.e2e

MASTER_NAME = "exemplars"
FIRST, SECOND = 100, 100


@dataclass
class Cluster:
    master: RedisServer
    replica: RedisServer
    sentinel_port: int
    sentinel: RedisServer

    def sentinel_client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.sentinel_port)

    def master_port(self) -> int:
        with contextlib.closing(self.sentinel_client()) as client:
            address: Any = client.sentinel_get_master_addr_by_name(MASTER_NAME)
            return int(address[1])


def start_replica(state: StateFolder, master: RedisServer) -> RedisServer:
    folder = state.root / "redis-replica"
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    command = [find_redis_server(), "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder)]
    command += ["--aclfile", str(state.acl_file.resolve()), "--save", ""]
    for name, value in REDIS_OPTIONS.items():
        command += [f"--{name}", value]
    command += ["--replicaof", "127.0.0.1", str(master.port), "--masteruser", ADMIN, "--masterauth"]
    command += [master.password(ADMIN)]
    replica = RedisServer("127.0.0.1", port, state, command=command)
    replica.start()
    return replica


def start_sentinel(state: StateFolder, master: RedisServer) -> tuple[int, RedisServer]:
    folder = state.root / "sentinel"
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    config = folder / "sentinel.conf"
    config.write_text(
        f"port {port}\nbind 127.0.0.1\ndir {folder}\n"
        f"sentinel monitor {MASTER_NAME} 127.0.0.1 {master.port} 1\n"
        f"sentinel down-after-milliseconds {MASTER_NAME} 1000\n"
        f"sentinel failover-timeout {MASTER_NAME} 10000\n"
        f"sentinel auth-user {MASTER_NAME} {ADMIN}\n"
        f"sentinel auth-pass {MASTER_NAME} {master.password(ADMIN)}\n",
        encoding="utf-8",
    )
    config.chmod(0o600)
    process = RedisServer("127.0.0.1", port, state, command=[find_redis_server(), str(config), "--sentinel"])
    state.logs.mkdir(parents=True, exist_ok=True)
    with (state.logs / "sentinel.log").open("ab") as log:
        process.process = subprocess.Popen(process.command, stdout=log, stderr=subprocess.STDOUT)
    return port, process


@contextlib.contextmanager
def sentinel_cluster(state: Path) -> Iterator[Cluster]:
    setup_state(state)
    folder = StateFolder(state)
    master = start_redis(folder, free_port())
    replica = start_replica(folder, master)
    port, sentinel = start_sentinel(folder, master)
    cluster = Cluster(master, replica, port, sentinel)
    try:
        wait_for(lambda: _replicas_seen(cluster) >= 1, within=30, what="the sentinel seeing the replica")
        yield cluster
    finally:
        for server in (sentinel, replica, master):
            server.kill()


def _replicas_seen(cluster: Cluster) -> int:
    with contextlib.suppress(redis.RedisError), contextlib.closing(cluster.sentinel_client()) as client:
        replicas: Any = client.sentinel_slaves(MASTER_NAME)
        return len(replicas)
    return 0


def test_a_redis_failover_loses_and_doubles_nothing(tmp_path: Path) -> None:
    state = tmp_path / "state"
    with sentinel_cluster(state) as cluster:
        stack = LocalStack(
            state=state,
            redis_url=cluster.master.url,
            ports={entry.name: free_port() for entry in SERVICES if entry.name not in PAGES_ONLY},
            extra_env={
                "CLAIM_IDLE_MS": "2000",
                "LOG_LEVEL": "WARNING",
                "REDIS_SENTINELS": f"127.0.0.1:{cluster.sentinel_port}",
                "REDIS_SENTINEL_MASTER": MASTER_NAME,
            },
        )
        with stack.running():
            driver = Driver(stack)
            reviewer = Reviewer(driver)
            reviewer.start()
            try:
                post_burst(driver, UNITS, range(FIRST))
                wait_for(lambda: reviewer.approved >= 20, within=120, what="approvals under way")

                struck = time.monotonic()
                cluster.master.kill()
                wait_for(lambda: cluster.master_port() == cluster.replica.port, within=60, what="the replica promoted")
                promoted = time.monotonic() - struck
                driver.server = cluster.replica
                driver.redis = cluster.replica.client()
                post_burst(driver, UNITS, range(FIRST, FIRST + SECOND))

                total = FIRST + SECOND
                wait_for(
                    lambda: all(records(driver, name)[0] >= total for name in ("review", "publishing", "awards")),
                    within=300,
                    interval=1.0,
                    what=f"all {total} nominations through the path",
                )
                wait_for(driver.settled, within=60, what="no entry pending", explain=driver.unsettled)
            finally:
                reviewer.stop.set()
            totals = {name: records(driver, name) for name in ("nomination", "review", "publishing", "awards")}
            dead_letters = driver.dead_letter_count()
            operator = driver.token(Role.OPERATOR)
            approved = driver.get("nomination", "/nominations?status=approved&limit=1", operator).json()["total"]
            driver.close()
    print(f"\nsentinel failover: replica promoted {promoted:.1f}s after the master died; records {totals}")
    assert totals == {name: (total, total) for name in totals}
    assert approved == total
    assert dead_letters == 0
