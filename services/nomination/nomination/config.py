"""Settings of the nomination service."""

from __future__ import annotations

from common.settings import ServiceSettings

__all__ = ["Settings"]


class Settings(ServiceSettings):
    database_url: str = "sqlite:///var/nomination.db"
    port: int = 8101
