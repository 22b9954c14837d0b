"""Settings of the awards service."""

from __future__ import annotations

from pathlib import Path

from common.settings import ServiceSettings

__all__ = ["MIGRATIONS", "Settings"]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class Settings(ServiceSettings):
    database_url: str = "sqlite:///var/awards.db"
    port: int = 8104
    # Another rules file instead of the one shipped with the package (same format).
    reward_rules_file: Path | None = None
