"""The command line every service has: ``migrate``, ``serve``, ``asyncapi`` and ``jobs``.

A service adds its own commands in ``<service>/cli.py`` as ``COMMANDS`` (a list of ``ExtraCommand``).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import getpass
import importlib
import json
import logging
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Generic, TypeVar

from common.jobs import JobState, list_jobs, retry_jobs
from common.logs import configure_logging
from common.runtime import Runtime
from common.settings import ServiceSettings

__all__ = ["ExtraCommand", "ServiceCommand"]

log = logging.getLogger(__name__)

T = TypeVar("T", bound=ServiceSettings)


@dataclass(frozen=True)
class ExtraCommand:
    """A service's own command: its arguments, and what it does with the settings and them."""

    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[Any, argparse.Namespace], Coroutine[Any, Any, int]]


class ServiceCommand(Generic[T]):
    """``<service> migrate | serve [--migrate] | asyncapi | jobs list | jobs retry``."""

    def __init__(
        self,
        *,
        name: str,
        load_settings: Callable[[], T],
        migrations_dir: Path,
        build: Callable[[T], Runtime[Any, Any]],
        app_factory: str,
        extra: Sequence[ExtraCommand] = (),
    ) -> None:
        self.name = name
        self.extra = {command.name: command for command in extra}
        self.load_settings = load_settings
        self.migrations_dir = migrations_dir
        self.build = build
        self.app_factory = app_factory

    @classmethod
    def named(cls, name: str) -> ServiceCommand[Any]:
        """The command of the service package ``name``: its ``config`` (Settings, MIGRATIONS),
        its ``bootstrap.build`` and its ``main.create_app``."""
        config = importlib.import_module(f"{name}.config")

        def build(settings: Any) -> Runtime[Any, Any]:
            runtime: Runtime[Any, Any] = importlib.import_module(f"{name}.bootstrap").build(settings)
            return runtime

        extra = importlib.import_module(f"{name}.cli").COMMANDS if find_spec(f"{name}.cli") else ()
        return cls(
            name=name,
            load_settings=config.Settings,
            migrations_dir=config.MIGRATIONS,
            build=build,
            app_factory=f"{name}.main:create_app",
            extra=extra,
        )

    def parser(self) -> argparse.ArgumentParser:
        parser = argparse.ArgumentParser(prog=self.name)
        sub = parser.add_subparsers(dest="command", required=True)
        sub.add_parser("migrate", help="bring the database to the newest schema")
        serve = sub.add_parser("serve", help="serve the HTTP API, the stream consumers and the job worker")
        serve.add_argument("--migrate", action="store_true", help="migrate first")
        sub.add_parser("asyncapi", help="print this service's AsyncAPI document (JSON)")
        jobs = sub.add_parser("jobs", help="slow work (audio, PDFs, posts to channels): list, retry")
        jobs_sub = jobs.add_subparsers(dest="jobs_command", required=True)
        listing = jobs_sub.add_parser("list", help="jobs, newest change first")
        listing.add_argument("--state", choices=[s.value for s in JobState], help="only jobs in this state")
        listing.add_argument("--limit", type=int, default=100)
        retry = jobs_sub.add_parser("retry", help="run failed jobs again, with fresh attempts")
        retry.add_argument("ids", nargs="*", type=int, help="job ids")
        retry.add_argument("--all-failed", action="store_true", help="every failed job")
        retry.add_argument("--operator", default=None, help="who acts, for the log (default: the login name)")
        for command in self.extra.values():
            command.add_arguments(sub.add_parser(command.name, help=command.help))
        return parser

    def main(self, argv: list[str] | None = None) -> int:
        parser = self.parser()
        args = parser.parse_args(argv)
        try:
            settings = self.load_settings()
        except ValueError as error:
            parser.exit(2, f"{self.name}: configuration error: {error}\n")
        configure_logging(self.name, settings.log_level, settings.log_format)
        if args.command == "asyncapi":
            from common.asyncapi import service_document

            print(json.dumps(service_document(self.build(settings)), ensure_ascii=False, indent=2, sort_keys=True))
            return 0
        if args.command in self.extra:
            return asyncio.run(self.extra[args.command].run(settings, args))
        if args.command == "jobs":
            if args.jobs_command == "retry" and bool(args.ids) == bool(args.all_failed):
                parser.exit(2, f"{self.name}: give job ids or --all-failed, not both and not neither\n")
            return asyncio.run(self.jobs(settings, args))
        from common.migrations import upgrade

        if args.command == "migrate" or args.migrate:
            upgrade(self.migrations_dir, settings.database_url)
            if args.command == "migrate":
                return 0
        import uvicorn
        from uvicorn.importer import import_from_string

        app = import_from_string(self.app_factory)()
        pages = getattr(app.state, "pages", None)
        if pages is not None:
            pages.warm()  # compiled once here, then frozen with the other objects of the start
        _freeze_startup_objects()
        uvicorn.run(
            app,
            host=settings.host,
            port=settings.port,
            log_level=settings.log_level.lower(),
            log_config=None,  # uvicorn's lines go through the service's own (JSON) handler
            timeout_graceful_shutdown=10,
            root_path=settings.root_path,
            proxy_headers=True,
        )
        return 0

    async def jobs(self, settings: T, args: argparse.Namespace) -> int:
        runtime = self.build(settings)
        try:
            if args.jobs_command == "list":
                state = JobState(args.state) if args.state else None
                rows = await list_jobs(runtime.db, runtime.tables, state=state, limit=args.limit)
                for row in rows:
                    error = (row.last_error or "").replace("\n", " ")[:120]
                    print(
                        f"{row.id:>8}  {row.kind:<18} {row.state:<8} {row.attempts}/{row.max_attempts}  "
                        f"{row.run_after:%Y-%m-%d %H:%M:%S}  {row.key}  {error}".rstrip()
                    )
                print(f"{len(rows)} jobs")
                return 0
            ids = None if args.all_failed else list(args.ids)
            count = await retry_jobs(runtime.db, runtime.tables, ids)
            log.warning(
                "%s jobs retry by %s: %d failed jobs sent back (%s)",
                self.name,
                args.operator or getpass.getuser(),
                count,
                "all failed" if ids is None else ", ".join(map(str, ids)),
            )
            print(f"sent back: {count}")
            return 0 if ids is None or count == len(ids) else 1
        finally:
            await runtime.db.dispose()
            await runtime.redis.aclose()


def _freeze_startup_objects() -> None:
    """Keep the objects made at startup (modules, models, routes) out of every later collection.

    A full collection walks every tracked object: some 130,000 after startup, ~45 ms during which
    the event loop stands still, and the p99 of a hop with it. Frozen, they are never walked;
    they live as long as the process anyway.
    """
    gc.collect()
    gc.freeze()
