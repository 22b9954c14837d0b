"""``awards migrate | serve | asyncapi``."""

from __future__ import annotations

from pathlib import Path

from awards.config import Settings
from common.asyncapi import asyncapi_document
from common.service_cli import ServiceCommand

__all__ = ["main"]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def main(argv: list[str] | None = None) -> int:
    return ServiceCommand(
        name="awards",
        load_settings=Settings,
        migrations_dir=MIGRATIONS,
        app_factory="awards.main:create_app",
        asyncapi=lambda _settings: asyncapi_document(),
    ).main(argv)


if __name__ == "__main__":
    raise SystemExit(main())
