"""``nomination migrate | serve | asyncapi | jobs``."""

from __future__ import annotations

from pathlib import Path

from common.service_cli import ServiceCommand
from nomination.bootstrap import build
from nomination.config import Settings

__all__ = ["main"]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def main(argv: list[str] | None = None) -> int:
    return ServiceCommand(
        name="nomination",
        load_settings=Settings,
        migrations_dir=MIGRATIONS,
        build=build,
        app_factory="nomination.main:create_app",
    ).main(argv)


if __name__ == "__main__":
    raise SystemExit(main())
