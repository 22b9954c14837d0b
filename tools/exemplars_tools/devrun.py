"""Run the services as local processes: ``make run``, the end-to-end and browser tests, the benchmark.

Prepares the state folder (``exemplars-setup``), starts ``redis-server`` with the system's ACL file
(or uses the Redis at REDIS_URL), migrates each service's SQLite database (or the PostgreSQL URLs
given), starts each service as its own process, connected to Redis as its own user, and waits
until every one answers ``/ready``; then, with a proxy port, nginx in front of them all from the
template compose uses (``exemplars_tools.proxy``): the one address people open. Ctrl-C stops them all.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from common import registry
from exemplars_tools.cli import setup_state
from exemplars_tools.ports import free_port
from exemplars_tools.proxy import NGINX, LocalProxy, find_nginx
from exemplars_tools.redis_access import service_user
from exemplars_tools.redis_server import RedisServer, given_redis, start_redis
from exemplars_tools.state import StateFolder
from exemplars_tools.system_packages import PRINT_LIBRARIES, RADIO, install, install_libraries

__all__ = [
    "DEFAULT_PROXY_PORT",
    "DEFAULT_REDIS_PORT",
    "PIPELINE",
    "SERVICES",
    "LocalStack",
    "ServiceProcess",
    "accounts_main",
    "main",
]

# name -> HTTP port, from the registry; the same ports are used in docker-compose.yml.
SERVICES: dict[str, int] = {entry.name: entry.port for entry in registry.SERVICES}
# The services an event of the programme passes through (not the staff pages' sign-in): what the
# pipeline's benchmarks start.
PIPELINE: dict[str, int] = {e.name: e.port for e in registry.SERVICES if e.consumes or e.produces}
DEFAULT_REDIS_PORT = 6380  # not 6379: a Redis already there has not loaded this run's users
DEFAULT_PROXY_PORT = 8080  # the one address, as in docker-compose.yml
# Behind the proxy, these serve their APIs under /api/<name>/ (links and /docs carry the prefix).
API_PREFIXED = ("nomination", "review", "awards")


@dataclass
class ServiceProcess:
    """One service running as its own operating-system process."""

    name: str
    port: int
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    migrate_first: bool = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def migrating(self) -> subprocess.Popen[bytes]:
        """``<service> migrate``, started (the services' databases are their own: all at once)."""
        return subprocess.Popen([sys.executable, "-m", self.name, "migrate"], env=self.env)

    def start(self) -> None:
        """Start serving; the first start of a service that migrates itself brings its database to
        the newest schema first (one Python process started instead of two)."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        command = [sys.executable, "-m", self.name, "serve", *(["--migrate"] if self.migrate_first else [])]
        self.migrate_first = False
        self.process = subprocess.Popen(command, env=self.env, stdout=log, stderr=subprocess.STDOUT)
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
    """The four services and their Redis, configured from one set of values.

    ``redis_url`` names a Redis to use as it is; without it the stack starts its own on
    ``redis_port`` (a free port when 0), with the ACL file of its state folder. With ``replicas``
    above 1, each service runs as that many processes sharing its database and consumer groups,
    each with its own consumer name (``<service>-<n>``) and HTTP port; ``services`` holds the
    first of each, on the port ``ports`` names, ``replicas_of`` all of them.
    """

    state: Path
    redis_url: str | None = None
    redis_port: int = 0
    database_urls: dict[str, str] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=lambda: dict(SERVICES))
    extra_env: dict[str, str] = field(default_factory=dict)
    replicas: int = 1
    proxy_port: int | None = None  # nginx in front on this port (0: a free one); None: no proxy
    services: dict[str, ServiceProcess] = field(default_factory=dict)
    replicas_of: dict[str, list[ServiceProcess]] = field(default_factory=dict)
    redis: RedisServer | None = None
    proxy: LocalProxy | None = None

    def processes(self) -> list[ServiceProcess]:
        return [process for group in self.replicas_of.values() for process in group]

    @property
    def folder(self) -> StateFolder:
        return StateFolder(self.state)

    def prepare(self) -> None:
        setup_state(self.state)
        folder = self.folder
        if self.redis_url is not None:
            self.redis = given_redis(self.redis_url, folder)
        else:
            self.redis = start_redis(folder, self.redis_port or free_port())
        if self.proxy_port is not None:
            self.proxy = LocalProxy(
                folder.root / "nginx",
                self.proxy_port or free_port(),
                {name: f"http://127.0.0.1:{port}" for name, port in self.ports.items()},
                self.state / "media",
            )
        site = self.proxy.url if self.proxy is not None else None
        for name, port in self.ports.items():
            user = service_user(name)
            database_url = self.database_urls.get(name, f"sqlite:///{(self.state / f'{name}.db').resolve()}")
            group: list[ServiceProcess] = []
            for number in range(1, self.replicas + 1):
                replica_port = port if number == 1 else free_port()
                env = {
                    **os.environ,
                    "DATABASE_URL": database_url,
                    "REDIS_URL": self.redis.url,
                    "REDIS_USERNAME": user,
                    "REDIS_PASSWORD_FILE": str(folder.redis_password(user).resolve()),
                    "AUTH_SECRET_FILE": str(folder.auth_secret.resolve()),
                    "ORGANISATION_FILE": str(folder.organisation.resolve()),
                    "CONSUMER_NAME": f"{name}-{number}",
                    "HOST": "127.0.0.1",
                    "PORT": str(replica_port),
                    # Where links point: the one address for the public site and sign-in's return.
                    "PUBLIC_URL": site if site and name in ("publishing", "staff") else f"http://127.0.0.1:{port}",
                    "ROOT_PATH": f"/api/{name}" if site and name in API_PREFIXED else "",
                    # Where the operator's console asks each service whether it is ready.
                    "SERVICE_URLS": ",".join(f"{n}=http://127.0.0.1:{p}" for n, p in self.ports.items()),
                    # Audio and leaflets (publishing), kept with the rest of this run's state.
                    "MEDIA_DIR": str((self.state / "media").resolve()),
                    **self.extra_env,
                }
                for name_of_secret in ("AUTH_SECRET", "REDIS_PASSWORD"):
                    env.pop(name_of_secret, None)
                log_name = name if number == 1 else f"{name}-{number}"
                group.append(ServiceProcess(name, replica_port, env, folder.logs / f"{log_name}.log"))
            self.services[name] = group[0]
            self.replicas_of[name] = group
        if self.replicas == 1:
            for service in self.services.values():
                service.migrate_first = True  # at its start: no second process to import it all
            return
        # Replicas share a database: it is migrated once, before any of them starts.
        migrations = {name: service.migrating() for name, service in self.services.items()}
        for name, migration in migrations.items():
            if migration.wait() != 0:
                raise RuntimeError(f"{name} could not migrate its database (exit {migration.returncode})")

    def start(self) -> None:
        for service in self.processes():
            service.start()
        for service in self.processes():
            service.wait_ready()
        if self.proxy is not None:
            nginx = find_nginx()
            if nginx is None:
                raise RuntimeError("nginx is needed for the one address: apt-get install nginx (or brew install nginx)")
            self.proxy.start(nginx)

    def stop(self) -> None:
        if self.proxy is not None:
            self.proxy.stop()
        for service in self.processes():
            service.stop()
        if self.redis is not None:
            self.redis.stop()

    @contextlib.contextmanager
    def running(self) -> Iterator[LocalStack]:
        try:
            self.prepare()
            self.start()
            yield self
        finally:
            self.stop()


def _explain_missing() -> None:
    """Install what the run needs from outside Python where that asks nothing; say what is missing."""
    still = install(RADIO)
    if install_libraries(PRINT_LIBRARIES):
        print("Leaflets need Pango and HarfBuzz (Debian: sudo apt-get install libpangoft2-1.0-0 libharfbuzz-subset0).")
    if still:
        print(
            f"The radio needs {' and '.join(still)}, which could not be installed here: stories approved for the "
            f"radio will wait (failed jobs) until they are.\n  Debian/Ubuntu: sudo apt-get install {' '.join(still)}\n"
            f"  macOS:         brew install {' '.join(still)}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="exemplars-run", description=__doc__)
    parser.add_argument("--state", type=Path, default=Path("var"))
    parser.add_argument("--redis-port", type=int, default=DEFAULT_REDIS_PORT, help="port of the Redis this run starts")
    parser.add_argument("--port", type=int, default=DEFAULT_PROXY_PORT, help="port of the one address (nginx)")
    parser.add_argument("--replicas", type=int, default=1, help="processes per service (sharing its groups)")
    args = parser.parse_args(argv)
    if args.replicas < 1:
        parser.error("--replicas must be 1 or more")
    if install(NGINX):
        print(
            "nginx, which serves everything at one address, is not installed and could not be installed here.\n"
            "  Debian/Ubuntu: sudo apt-get install nginx\n  macOS:         brew install nginx\n"
            "Then run `make run` again."
        )
        return 1
    _explain_missing()
    stack = LocalStack(
        state=args.state,
        redis_url=os.environ.get("REDIS_URL"),
        redis_port=args.redis_port,
        replicas=args.replicas,
        proxy_port=args.port,
    )
    stop = False

    def _on_signal(_signum: int, _frame: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    try:
        stack.prepare()
        stack.start()
        assert stack.redis is not None and stack.proxy is not None
        url = stack.proxy.url
        print(f"\n  Open {url}/\n")
        print(f"  Staff sign in at {url}/signin with an account made first (none exists until you make one):")
        print(f"    .venv/bin/exemplars-accounts --state {stack.state} add hoa.nt --name 'Nguyễn Thị Hoa' \\")
        print("        --role clerk --unit xa-ban-nguyen        (it asks for the password)")
        print(f"  Public stories: {url}/   Feeds: {url}/feed.atom, {url}/feed.rss   Radio: {url}/radio")
        apis = ", ".join(f"{url}/api/{name}/docs" for name in API_PREFIXED)
        print(f"  APIs: {apis}, {url}/docs (publishing)")
        print(f"\n  The services themselves (logs in {stack.folder.logs}):")
        for name, service in stack.services.items():
            print(f"    {name:<11} {service.url}")
        print(f"  Redis: {stack.redis.url}, users in {stack.folder.acl_file}; a console:")
        print(
            f"    REDISCLI_AUTH=$(cat {stack.folder.redis_password('admin')}) "
            f"redis-cli -p {stack.redis.port} --user admin"
        )
        print("  Tokens for systems:  .venv/bin/exemplars-token --role clerk --unit xa-ban-nguyen")
        print("\nCtrl-C stops everything.")
        while not stop:
            for service in stack.processes():
                if service.process is not None and service.process.poll() is not None:
                    print(
                        f"{service.env['CONSUMER_NAME']} stopped unexpectedly (exit {service.process.returncode}); "
                        f"see {service.log_path}"
                    )
                    stop = True
            time.sleep(0.5)
    finally:
        print("stopping…")
        stack.stop()
    return 0


def accounts_main(argv: list[str] | None = None) -> int:
    """``exemplars-accounts [--state var] add|password|disable|enable|list …``: the local accounts of
    a ``make run`` (the staff service's ``accounts`` command, with that run's database and files)."""
    args = list(sys.argv[1:] if argv is None else argv)
    state = Path("var")
    if args[:1] == ["--state"] and len(args) > 1:
        state, args = Path(args[1]), args[2:]
    folder = StateFolder(state)
    if not folder.auth_secret.exists():
        print(f"{state} holds no run yet: start one with `make run` first", file=sys.stderr)
        return 2
    env = {
        **os.environ,
        "DATABASE_URL": os.environ.get("STAFF_DATABASE_URL", f"sqlite:///{(state / 'staff.db').resolve()}"),
        "AUTH_SECRET_FILE": str(folder.auth_secret.resolve()),
        "ORGANISATION_FILE": str(folder.organisation.resolve()),
        "LOG_LEVEL": "WARNING",
        # To sign a disabled account out everywhere: the run's Redis, as the staff service's user.
        "REDIS_URL": os.environ.get("REDIS_URL", f"redis://127.0.0.1:{DEFAULT_REDIS_PORT}/0"),
        "REDIS_USERNAME": service_user("staff"),
        "REDIS_PASSWORD_FILE": str(folder.redis_password(service_user("staff")).resolve()),
    }
    env.pop("AUTH_SECRET", None)
    return subprocess.run([sys.executable, "-m", "staff", "accounts", *args], env=env, check=False).returncode
