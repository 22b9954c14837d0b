"""``python -m bench``: measure the pipeline on SQLite and PostgreSQL beside the raw baseline.

For every run: four fresh service processes with their own state folder, databases and Redis,
started as `make run` starts them (users and ACL file, append-only file); the raw baseline runs on
a Redis started the same way. Prints one table; ``--write`` also puts
it, with the machine's core count and the date, into docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import os
import platform
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import yaml
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.raw import HOPS, RawThroughput, raw_latency, raw_throughput
from bench.stats import RunResult, render_table
from bench.system import drive, intake, signed_entry
from exemplars_tools.cli import setup_state
from exemplars_tools.devrun import PIPELINE as SERVICES
from exemplars_tools.devrun import LocalStack
from exemplars_tools.redis_server import RedisServer, start_redis
from exemplars_tools.state import StateFolder
from tests.servers import free_port, postgres_server


@contextlib.contextmanager
def _raw_redis(state: Path) -> Iterator[RedisServer]:
    server = start_redis(StateFolder(state), free_port())
    try:
        yield server
    finally:
        server.stop()


COMPOSE_FILE = Path(__file__).resolve().parent.parent / "docker-compose.yml"


@contextlib.contextmanager
def _postgres_databases(admin_url: str) -> Iterator[dict[str, str]]:
    engine = create_engine(make_url(admin_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    names = {service: f"bench_{service}_{uuid.uuid4().hex[:8]}" for service in SERVICES}
    with engine.connect() as conn:
        for name in names.values():
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield {
            service: make_url(admin_url).set(drivername="postgresql", database=name).render_as_string(False)
            for service, name in names.items()
        }
    finally:
        with engine.connect() as conn:
            for name in names.values():
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@contextlib.contextmanager
def _stack(database: str, admin_url: str) -> Iterator[LocalStack]:
    with tempfile.TemporaryDirectory(prefix="bench-") as folder, contextlib.ExitStack() as stack:
        urls = stack.enter_context(_postgres_databases(admin_url)) if database == "postgresql" else {}
        local = LocalStack(
            state=Path(folder),
            database_urls=urls,
            ports={name: free_port() for name in SERVICES},
            # Counts only what it posts; the office lets stories reach its own site without an editor.
            extra_env={"LOG_LEVEL": "WARNING", "REMINDER_SECONDS": "0", "AUTO_APPROVE": "web,feeds"},
        )
        with local.running():
            yield local


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--nominations", type=int, nargs="*", default=[10_000], help="throughput runs (sizes); none: latency only"
    )
    parser.add_argument("--database", choices=["sqlite", "postgresql"], nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--rate", type=float, default=100.0, help="offered load of the latency run, per second")
    parser.add_argument("--latency-seconds", type=float, default=20.0)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BENCH_POSTGRES_URL"),
        help="a role that may create databases; default: a server started for the run, configured as in "
        "docker-compose.yml",
    )
    parser.add_argument("--write", type=Path, help="also write the results to this Markdown file")
    args = parser.parse_args(argv)

    latency_n = max(1, int(args.rate * args.latency_seconds))
    results: list[RunResult] = []
    servers = contextlib.ExitStack()
    if args.postgres_url is None and "postgresql" in args.database:
        settings = compose_postgres_settings(COMPOSE_FILE)
        args.postgres_url = servers.enter_context(postgres_server(dedicated=True, settings=settings))
    try:
        with tempfile.TemporaryDirectory() as folder:
            state = Path(folder)
            setup_state(state)
            payload = signed_entry(LocalStack(state=state), _keys(state), 0)
            raw_payload = {k: v.encode() for k, v in payload.items()}
            with _raw_redis(state) as server:
                url = server.admin_url
                latency = raw_latency(url, raw_payload, rate=args.rate, n=latency_n)
                for database in args.database:
                    for n in args.nominations:
                        before = raw_throughput(url, n, raw_payload)
                        with _stack(database, args.postgres_url) as stack:
                            intake_rate = asyncio.run(intake(stack, n))
                        with _stack(database, args.postgres_url) as stack:
                            result = asyncio.run(drive(stack, f"{database}, {n:,}", n, rate=None))
                        raw = RawThroughput.mean(before, raw_throughput(url, n, raw_payload))
                        result.intake_per_s = intake_rate
                        result.raw_hop_per_s, result.raw_chain_per_s = raw.hop_per_s, raw.chain_per_s
                        results.append(result)
                        print(
                            f"done: {database}, {n:,} nominations in {result.e2e_seconds:.1f}s; "
                            f"end to end ÷ raw chain {result.e2e_per_s / raw.chain_per_s:.3f}",
                            flush=True,
                        )
                    with _stack(database, args.postgres_url) as stack:
                        label = f"{database}, {args.rate:.0f}/s offered"
                        results.append(asyncio.run(drive(stack, label, latency_n, rate=args.rate)))
    finally:
        servers.close()
    table = render_table(results, HOPS, latency)
    print(table)
    if args.write:
        header = (
            f"Measured {datetime.date.today().isoformat()} on {os.cpu_count()} cores "
            f"({platform.processor() or platform.machine()}), Python {platform.python_version()}, "
            f"`python -m bench {' '.join(sys.argv[1:] if argv is None else argv)}`.\n\n"
        )
        write_results(args.write, header + table)
    return 0


START, END = "<!-- results: written by python -m bench -->", "<!-- end of results -->"


def write_results(path: Path, results: str) -> None:
    """Put the results between the markers of an existing document, or write them alone."""
    block = f"{START}\n{results}\n{END}"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if START in text and END in text:
        before, rest = text.split(START, 1)
        text = before + block + rest.split(END, 1)[1]
    else:
        text = block + "\n"
    path.write_text(text, encoding="utf-8")


def compose_postgres_settings(compose_file: Path) -> dict[str, str]:
    """The ``-c name=value`` settings the deployment starts PostgreSQL with."""
    command = yaml.safe_load(compose_file.read_text(encoding="utf-8"))["services"]["postgres"].get("command", [])
    words = command.split() if isinstance(command, str) else list(command)
    pairs = [words[i + 1] for i, word in enumerate(words[:-1]) if word == "-c"]
    return dict(pair.split("=", 1) for pair in pairs)


def _keys(state: Path) -> dict[str, bytes]:
    return {p.stem: p.read_bytes() for p in (state / "unit-keys").glob("*.pem")}


if __name__ == "__main__":
    raise SystemExit(main())
