"""``publishing migrate | serve | asyncapi``."""

from __future__ import annotations

from pathlib import Path

from common.asyncapi import asyncapi_document
from common.service_cli import ServiceCommand
from publishing.config import Settings

__all__ = ["main"]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def main(argv: list[str] | None = None) -> int:
    return ServiceCommand(
        name="publishing",
        load_settings=Settings,
        migrations_dir=MIGRATIONS,
        app_factory="publishing.main:create_app",
        asyncapi=lambda _settings: asyncapi_document(),
    ).main(argv)


if __name__ == "__main__":
    raise SystemExit(main())
