"""Settings of the nomination service."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from common.settings import ServiceSettings

__all__ = ["MIGRATIONS", "Settings"]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class Settings(ServiceSettings):
    database_url: str = "sqlite:///var/nomination.db"
    port: int = 8101
    # Another nomination windows file instead of the one shipped with the package (same format).
    windows_file: Path | None = None
    # How often the service looks for units to remind of a coming deadline (at start, then every
    # so often); 0 sends no reminders (a stack started for a test or a benchmark).
    reminder_seconds: float = Field(default=3600.0, ge=0)
