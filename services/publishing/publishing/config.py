"""Settings of the publishing service."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, Field

from common.events import nfc
from common.settings import ServiceSettings

__all__ = ["MIGRATIONS", "Settings"]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

Name = Annotated[str, Field(min_length=1, max_length=300), AfterValidator(nfc)]


class Settings(ServiceSettings):
    database_url: str = "sqlite:///var/publishing.db"
    port: int = 8103
    site_title: Name = "Gương điển hình tiên tiến"
    site_author: Name = "Ban biên tập Trang thông tin điện tử"
    page_size: Annotated[int, Field(ge=1, le=200)] = 20
