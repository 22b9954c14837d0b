"""The Redis of a local run: a ``redis-server`` process with the system's ACL file, or one given.

``make run``, the end-to-end tests and the benchmark start Redis as docker-compose.yml runs it:
the ACL file ``exemplars-setup`` wrote (``default`` off, one user per service, unit and tool),
the append-only file on, keys never evicted, and no request argument over 1 MB. A Redis given by
``REDIS_URL`` is used as it is; it must have loaded that ACL file.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from urllib.parse import quote, urlparse

import redis

from exemplars_tools.redis_access import ADMIN
from exemplars_tools.state import StateFolder
from exemplars_tools.system_packages import install

__all__ = ["REDIS_OPTIONS", "RedisServer", "find_redis_server", "start_redis"]

# The same settings as the redis service in docker-compose.yml (tests/contract checks they agree).
REDIS_OPTIONS: dict[str, str] = {
    "appendonly": "yes",
    "appendfsync": "everysec",
    "maxmemory-policy": "noeviction",
    "proto-max-bulk-len": "1mb",
}


def answers(host: str, port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
        return True
    return False


def find_redis_server() -> str:
    install({"redis-server": ("redis-server", "redis")})
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit(
            "Redis is needed and redis-server is not installed.\n"
            "  Debian/Ubuntu: sudo apt-get install redis-server\n"
            "  macOS:         brew install redis\n"
            "or point REDIS_URL at a running Redis (7.0 or newer) that has loaded var/redis/users.acl."
        )
    return binary


@dataclass
class RedisServer:
    """A Redis the system uses: its address, and the process when this run started it."""

    host: str
    port: int
    state: StateFolder
    db: int = 0
    process: subprocess.Popen[bytes] | None = None
    command: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        """The address without credentials: what REDIS_URL is set to."""
        return f"redis://{self.host}:{self.port}/{self.db}"

    def password(self, user: str, unit_id: str | None = None) -> str:
        return self.state.redis_password(user, unit_id).read_text(encoding="utf-8").strip()

    def url_for(self, user: str, unit_id: str | None = None) -> str:
        """The address with a user's credentials in it (for tools and tests; never logged)."""
        password = quote(self.password(user, unit_id), safe="")
        return f"redis://{quote(user, safe='')}:{password}@{self.host}:{self.port}/{self.db}"

    @property
    def admin_url(self) -> str:
        return self.url_for(ADMIN)

    def client(self, user: str = ADMIN, unit_id: str | None = None) -> redis.Redis:
        return redis.Redis(
            host=self.host, port=self.port, db=self.db, username=user, password=self.password(user, unit_id)
        )

    def reload_users(self) -> None:
        """Make the running server read the ACL file again (after ``exemplars-setup``)."""
        with contextlib.closing(self.client()) as admin:
            admin.acl_load()

    def wait(self, seconds: float = 20) -> None:
        deadline = time.monotonic() + seconds
        while True:
            if self.process is not None and self.process.poll() is not None:
                raise SystemExit(f"redis-server exited ({self.process.returncode}); see {self.state.logs}/redis.log")
            with contextlib.suppress(redis.RedisError), contextlib.closing(self.client()) as admin:
                if admin.ping():
                    return
            if time.monotonic() > deadline:
                raise SystemExit(f"redis-server did not answer on {self.host}:{self.port}")
            time.sleep(0.05)

    def start(self) -> None:
        """Start the server this run owns (again, after ``kill``: from its append-only file)."""
        self.state.logs.mkdir(parents=True, exist_ok=True)
        with (self.state.logs / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(self.command, stdout=log, stderr=subprocess.STDOUT)
        self.wait()

    def kill(self) -> None:
        """SIGKILL, as a host losing power would stop it: nothing is flushed."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


def start_redis(
    state: StateFolder, port: int, *, host: str = "127.0.0.1", extra: dict[str, str] | None = None
) -> RedisServer:
    """Start ``redis-server`` on ``port`` with the ACL file of ``state`` and data in ``state/redis-data``."""
    if answers(host, port):
        raise SystemExit(
            f"something already listens on {host}:{port}; stop it, or choose another port (--redis-port), "
            "or set REDIS_URL to a Redis that has loaded the ACL file"
        )
    state.redis_data.mkdir(parents=True, exist_ok=True)
    options = {**REDIS_OPTIONS, **(extra or {})}
    command = [
        find_redis_server(),
        "--port",
        str(port),
        "--bind",
        host,
        "--dir",
        str(state.redis_data.resolve()),
        "--aclfile",
        str(state.acl_file.resolve()),
        "--save",
        "",
    ]
    for name, value in options.items():
        command += [f"--{name}", value]
    server = RedisServer(host, port, state, command=command)
    server.start()
    return server


def given_redis(url: str, state: StateFolder) -> RedisServer:
    """A Redis at ``url`` that this run does not manage; it must answer and know the users."""
    parsed = urlparse(url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 6379
    if not answers(host, port):
        raise SystemExit(f"Redis does not answer at {host}:{port}; start it, or unset REDIS_URL to start one")
    db = int((parsed.path or "/0").lstrip("/") or 0)
    return RedisServer(host, port, state, db=db)
