"""Real Redis and PostgreSQL for the tests: the ones given, the local ones, or ones we start.

Order: TEST_REDIS_URL / TEST_POSTGRES_URL when set; a server already answering on the default
local port; a testcontainers container where a Docker engine answers; otherwise a server started
from the local binaries in a temporary folder.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

from exemplars_tools.ports import free_port

__all__ = ["free_port", "postgres_server", "redis_server"]


def _answers(host: str, port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
        return True
    return False


def _docker_available() -> bool:
    if shutil.which("docker") is None:
        return False
    result = subprocess.run(["docker", "info"], capture_output=True, timeout=20, check=False)
    return result.returncode == 0


def _wait(host: str, port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _answers(host, port):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing answered on {host}:{port} within {seconds}s")


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """A Redis base URL (no database number)."""
    if url := os.environ.get("TEST_REDIS_URL"):
        yield url.rstrip("/")
        return
    if _answers("127.0.0.1", 6379):
        yield "redis://127.0.0.1:6379"
        return
    if _docker_available():
        from testcontainers.redis import RedisContainer

        with RedisContainer("redis:7-alpine") as container:
            yield f"redis://{container.get_container_host_ip()}:{container.get_exposed_port(6379)}"
        return
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("no Redis: set TEST_REDIS_URL, install redis-server, or run a Docker engine")
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        proc = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", folder],
            stdout=subprocess.DEVNULL,
        )
        try:
            _wait("127.0.0.1", port)
            yield f"redis://127.0.0.1:{port}"
        finally:
            proc.terminate()
            proc.wait(10)


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    return None


@contextlib.contextmanager
def postgres_server(*, dedicated: bool = False, settings: Mapping[str, str] | None = None) -> Iterator[str]:
    """A PostgreSQL URL of a role that may create databases (path: the maintenance database).

    ``dedicated``: never the one given or already running, but a server of its own, started with
    ``settings`` (``-c name=value``): from the local binaries, or else in a container.
    """
    options = [f"-c {name}={value}" for name, value in (settings or {}).items()]
    if not dedicated:
        if url := os.environ.get("TEST_POSTGRES_URL"):
            yield url
            return
        if _answers("127.0.0.1", 5432):
            yield "postgresql://postgres@127.0.0.1:5432/postgres"
            return
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    # A shared server prefers a container; a dedicated one the local binaries.
    if (initdb is None or pg_ctl is None or not dedicated) and _docker_available():
        from testcontainers.postgres import PostgresContainer

        container = PostgresContainer("postgres:16-alpine", driver=None)
        if options:
            container = container.with_command(" ".join(["postgres", *options]))
        with container:
            yield container.get_connection_url()
        return
    if initdb is None or pg_ctl is None:
        if dedicated:
            raise RuntimeError("cannot start PostgreSQL: install postgresql (initdb, pg_ctl) or run Docker")
        raise RuntimeError("no PostgreSQL: set TEST_POSTGRES_URL, install postgresql, or run a Docker engine")
    port = free_port()
    folder = tempfile.mkdtemp(prefix="pg-test-")
    run_as: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        shutil.chown(folder, "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    data = os.path.join(folder, "data")
    subprocess.run([*run_as, initdb, "-D", data, "-U", "postgres", "--auth=trust"], check=True, capture_output=True)
    # The server's output goes to a log file: a pipe held open by it would never reach EOF.
    subprocess.run(
        [
            *run_as,
            pg_ctl,
            "-D",
            data,
            "-l",
            os.path.join(folder, "server.log"),
            "-w",
            "start",
            "-o",
            " ".join([f"-p {port} -k {folder} -c listen_addresses=127.0.0.1", *options]),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*run_as, pg_ctl, "-D", data, "-m", "fast", "stop"], check=False, capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)
