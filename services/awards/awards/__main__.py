"""``awards migrate | serve | asyncapi | jobs``."""

from __future__ import annotations

from pathlib import Path

from awards.bootstrap import build
from awards.config import Settings
from common.service_cli import ServiceCommand

__all__ = ["main"]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def main(argv: list[str] | None = None) -> int:
    return ServiceCommand(
        name="awards",
        load_settings=Settings,
        migrations_dir=MIGRATIONS,
        build=build,
        app_factory="awards.main:create_app",
    ).main(argv)


if __name__ == "__main__":
    raise SystemExit(main())
