"""Settings of the publishing service."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, Field, field_validator
from pydantic_settings import NoDecode

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
    # Channels a story reaches without an editor once its exemplar is approved and the nominee
    # consented (the office's choice; by default every story waits for an editor): "web,feeds".
    auto_approve: Annotated[frozenset[str], NoDecode] = frozenset()
    # Where audio (and later leaflets) are kept, served below /media/.
    media_dir: Path = Path("var/media")
    # Another radio file instead of the one shipped with the package (same format).
    radio_file: Path | None = None
    # The speech engine: a program reading text on stdin and writing a WAV file on stdout;
    # by default espeak-ng's Vietnamese voice.
    speech_command: str | None = None
    # The Zalo Official Accounts and Facebook Pages stories go to (publishing.social.accounts); none
    # without it.
    social_file: Path | None = None
    # How often the leaflets are checked against the stories they hold (at start, then so often); 0: never.
    leaflet_seconds: Annotated[float, Field(ge=0)] = 60.0
    # Another calendar of occasions instead of the one shipped with the package (same format).
    occasions_file: Path | None = None
    # How often the calendar is checked for reportages to draft (at start, then so often); 0: never.
    occasion_seconds: Annotated[float, Field(ge=0)] = 3600.0
    # How often the rundowns of the slots to come are checked (at start, then so often); 0: never.
    rundown_seconds: Annotated[float, Field(ge=0)] = 60.0

    @field_validator("auto_approve", mode="before")
    @classmethod
    def _channel_names(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(name.strip() for name in value.split(",") if name.strip())
        return value
