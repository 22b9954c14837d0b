"""Settings of the review service."""

from __future__ import annotations

from pathlib import Path

from common.settings import ServiceSettings

__all__ = ["MIGRATIONS", "Settings"]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class Settings(ServiceSettings):
    database_url: str = "sqlite:///var/review.db"
    port: int = 8102
