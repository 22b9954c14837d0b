"""Run the four services as local processes: ``make run``, the end-to-end tests and the benchmark.

Finds Redis at REDIS_URL (or starts a local ``redis-server``), prepares the state folder, migrates
each service's SQLite database (or the PostgreSQL URLs given), starts each service as its own
process and waits until every one answers ``/ready``. Ctrl-C stops them all.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from common import registry
from exemplars_tools.cli import setup_state

__all__ = ["SERVICES", "LocalStack", "ServiceProcess", "ensure_redis", "main"]

# name -> HTTP port, from the registry; the same ports are used in docker-compose.yml.
SERVICES: dict[str, int] = {entry.name: entry.port for entry in registry.SERVICES}


def _answers(host: str, port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
        return True
    return False


@dataclass
class RedisHandle:
    url: str
    process: subprocess.Popen[bytes] | None = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)


def _install_redis() -> str | None:
    """Install redis-server where that needs no questions: as root with apt-get, or with Homebrew."""
    if shutil.which("apt-get") and os.geteuid() == 0:
        print("redis-server is not installed; installing it with apt-get…")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "redis-server"], check=False, env=env)
    elif shutil.which("brew"):
        print("redis-server is not installed; installing it with Homebrew…")
        subprocess.run(["brew", "install", "redis"], check=False)
    return shutil.which("redis-server")


def ensure_redis(url: str, state: Path) -> RedisHandle:
    """Use the Redis at ``url``; if none answers there and it is local, start ``redis-server``
    (installing it first where that is possible without questions)."""
    parsed = urlparse(url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 6379
    if _answers(host, port):
        return RedisHandle(url)
    if host not in {"127.0.0.1", "localhost"}:
        raise SystemExit(f"Redis does not answer at {url}; start it or set REDIS_URL to one that answers")
    binary = shutil.which("redis-server") or _install_redis()
    if binary is None:
        raise SystemExit(
            "Redis is needed and redis-server is not installed.\n"
            "  Debian/Ubuntu: sudo apt-get install redis-server\n"
            "  macOS:         brew install redis\n"
            "or point REDIS_URL at a running Redis (7.0 or newer)."
        )
    folder = state / "redis"
    folder.mkdir(parents=True, exist_ok=True)
    # Append-only file on: a local run keeps its streams across restarts too.
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", host, "--dir", str(folder.resolve()), "--appendonly", "yes"],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while not _answers(host, port):
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"redis-server did not start on {host}:{port}")
        time.sleep(0.1)
    print(f"started redis-server on {host}:{port} (data in {folder})")
    return RedisHandle(url, process)


@dataclass
class ServiceProcess:
    """One service running as its own operating-system process."""

    name: str
    port: int
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def migrate(self) -> None:
        subprocess.run([sys.executable, "-m", self.name, "migrate"], env=self.env, check=True)

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", self.name, "serve"], env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}; see {self.log_path}")
            with contextlib.suppress(OSError), urllib.request.urlopen(f"{self.url}/ready", timeout=2) as response:
                if response.status == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} was not ready within {timeout}s; see {self.log_path}")

    def kill(self) -> None:
        """SIGKILL: the process gets no chance to finish anything."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


@dataclass
class LocalStack:
    """The four services, configured from one set of values."""

    state: Path
    redis_url: str
    database_urls: dict[str, str] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=lambda: dict(SERVICES))
    extra_env: dict[str, str] = field(default_factory=dict)
    services: dict[str, ServiceProcess] = field(default_factory=dict)

    def prepare(self) -> None:
        setup_state(self.state)
        for name, port in self.ports.items():
            env = {
                **os.environ,
                "DATABASE_URL": self.database_urls.get(name, f"sqlite:///{(self.state / f'{name}.db').resolve()}"),
                "REDIS_URL": self.redis_url,
                "AUTH_SECRET_FILE": str((self.state / "auth-secret").resolve()),
                "ORGANISATION_FILE": str((self.state / "organisation.toml").resolve()),
                "HOST": "127.0.0.1",
                "PORT": str(port),
                "PUBLIC_URL": f"http://127.0.0.1:{port}",
                **self.extra_env,
            }
            env.pop("AUTH_SECRET", None)
            self.services[name] = ServiceProcess(name, port, env, self.state / "logs" / f"{name}.log")
            self.services[name].migrate()

    def start(self) -> None:
        for service in self.services.values():
            service.start()
        for service in self.services.values():
            service.wait_ready()

    def stop(self) -> None:
        for service in self.services.values():
            service.stop()

    @contextlib.contextmanager
    def running(self) -> Iterator[LocalStack]:
        self.prepare()
        try:
            self.start()
            yield self
        finally:
            self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="exemplars-run", description=__doc__)
    parser.add_argument("--state", type=Path, default=Path("var"))
    args = parser.parse_args(argv)
    redis = ensure_redis(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"), args.state)
    stack = LocalStack(state=args.state, redis_url=redis.url)
    stop = False

    def _on_signal(_signum: int, _frame: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    try:
        stack.prepare()
        stack.start()
        print("\nThe four services are running (logs in", args.state / "logs", "):")
        for name, service in stack.services.items():
            print(f"  {name:<11} {service.url}   API docs: {service.url}/docs")
        print(
            f"\n  Public stories: {stack.services['publishing'].url}/   Atom feed: "
            f"{stack.services['publishing'].url}/feed.atom"
        )
        print("  Tokens:  .venv/bin/exemplars-token --role clerk --unit xa-ban-nguyen")
        print("\nCtrl-C stops everything.")
        while not stop:
            for name, service in stack.services.items():
                if service.process is not None and service.process.poll() is not None:
                    print(f"{name} stopped unexpectedly (exit {service.process.returncode}); see {service.log_path}")
                    stop = True
            time.sleep(0.5)
    finally:
        print("stopping…")
        stack.stop()
        redis.stop()
    return 0
