"""Settings every service shares; each service extends them with its own.

Values come from the environment (the same names in a local run and in docker compose).
A service refuses to start on a bad value instead of failing later.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Annotated, Self

from pydantic import AfterValidator, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["ServiceSettings"]


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


_WEAK_SECRETS = {"changeme", "change-me", "secret", "changethis", "password"}


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    database_url: str = Field(description="sqlite:///path.db or postgresql://user:pass@host/db")
    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_username: str = Field(default="", description="this service's Redis user (svc-<service>)")
    redis_password: SecretStr | None = None
    redis_password_file: Path | None = Field(default=None, description="file holding the Redis user's password")
    redis_sentinels: str = Field(default="", description="host:port,host:port of Redis Sentinel; empty: REDIS_URL")
    redis_sentinel_master: str = Field(default="exemplars", description="the master's name the sentinels monitor")
    redis_sentinel_password_file: Path | None = None
    auth_secret: SecretStr | None = None
    auth_secret_file: Path | None = None
    organisation_file: Path | None = None
    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 8000
    public_url: str = ""
    root_path: str = Field(default="", description="path prefix a reverse proxy serves this service under")
    # The staff pages (docs/operating.md, "Sign-in"): the session cookie every service reads, and
    # how long a session lasts without a request and at most.
    site_agency: Annotated[str, Field(min_length=1, max_length=300), AfterValidator(_nfc)] = (
        "Ủy ban nhân dân tỉnh Phú Thọ"  # named at the top of every page
    )
    session_cookie: str = Field(default="exemplars_session", pattern=r"^[A-Za-z0-9_-]{1,64}$")
    session_cookie_secure: bool = Field(
        default=True, description="send the session cookie over HTTPS only (browsers treat localhost as HTTPS)"
    )
    session_idle_minutes: Annotated[int, Field(ge=1, le=24 * 60)] = 30
    session_max_hours: Annotated[float, Field(gt=0, le=24)] = 10.0
    consumer_name: str = Field(
        default="",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$|^$",
        description="this process's name in its consumer groups (default <service>-1); each replica its own",
    )
    max_deliveries: Annotated[int, Field(ge=1, le=100)] = 5
    claim_idle_ms: Annotated[int, Field(ge=100)] = 30_000
    read_batch: Annotated[int, Field(ge=1, le=1000)] = 200
    outbox_batch: Annotated[int, Field(ge=1, le=5000)] = 200
    dead_letter_maxlen: Annotated[int, Field(ge=100)] = 100_000
    max_request_bytes: Annotated[int, Field(ge=1024, le=100 * 1024 * 1024)] = 1024 * 1024
    max_token_hours: Annotated[float, Field(gt=0, le=24 * 31)] = 24.0
    # Retention (docs/operating.md): streams are trimmed and rows pruned past these ages.
    stream_retention_hours: Annotated[float, Field(gt=0)] = 24.0
    unit_outcome_retention_days: Annotated[float, Field(gt=0)] = 30.0
    outbox_retention_days: Annotated[float, Field(gt=0)] = 30.0
    inbox_retention_days: Annotated[float, Field(gt=0)] = 60.0
    jobs_retention_days: Annotated[float, Field(gt=0)] = 30.0
    housekeeping_seconds: Annotated[float, Field(ge=0.1, le=86_400)] = 60.0
    sqlite_synchronous: str = Field(default="FULL", pattern="^(OFF|NORMAL|FULL|EXTRA)$")
    log_level: str = "INFO"
    log_format: str = Field(default="json", pattern="^(json|text)$", description="json: one JSON object per line")

    @model_validator(mode="after")
    def _secret_is_strong(self) -> Self:
        secret = self.secret()
        if len(secret) < 32 or secret.lower() in _WEAK_SECRETS:
            raise ValueError(
                "AUTH_SECRET (or the file named by AUTH_SECRET_FILE) must be a random string of at "
                "least 32 characters; `exemplars-setup` writes one"
            )
        return self

    @model_validator(mode="after")
    def _inbox_outlives_outbox(self) -> Self:
        if self.inbox_retention_days < self.outbox_retention_days:
            raise ValueError(
                "INBOX_RETENTION_DAYS must be at least OUTBOX_RETENTION_DAYS: an event published again "
                "from an outbox must still be known to the inboxes that applied it"
            )
        return self

    @model_validator(mode="after")
    def _redis_user_has_a_password(self) -> Self:
        if self.redis_username and self.redis_password is None and self.redis_password_file is None:
            raise ValueError(
                f"REDIS_USERNAME {self.redis_username} needs REDIS_PASSWORD_FILE (or REDIS_PASSWORD); "
                "`exemplars-setup` writes one per user"
            )
        self.redis_credentials()  # a password file that cannot be read stops the start here
        self.sentinels()  # and so does a sentinel address that cannot be read
        self.sentinel_password()
        return self

    def redis_credentials(self) -> tuple[str | None, str | None]:
        """The Redis user and its password, when a user is set (else whatever REDIS_URL says)."""
        if not self.redis_username:
            return None, None
        if self.redis_password is not None:
            password = self.redis_password.get_secret_value()
        else:
            assert self.redis_password_file is not None
            try:
                password = self.redis_password_file.read_text(encoding="utf-8").strip()
            except OSError as error:
                raise ValueError(f"REDIS_PASSWORD_FILE {self.redis_password_file} cannot be read: {error}") from error
        return self.redis_username, password

    def sentinels(self) -> list[tuple[str, int]]:
        """The sentinels' addresses, from REDIS_SENTINELS."""
        out = []
        for item in filter(None, (part.strip() for part in self.redis_sentinels.split(","))):
            host, _, port = item.rpartition(":")
            if not host or not port.isdigit():
                raise ValueError(f"REDIS_SENTINELS: {item!r} is not host:port")
            out.append((host.strip("[]"), int(port)))
        return out

    def sentinel_password(self) -> str | None:
        if self.redis_sentinel_password_file is None:
            return None
        try:
            return self.redis_sentinel_password_file.read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ValueError(f"REDIS_SENTINEL_PASSWORD_FILE cannot be read: {error}") from error

    def secret(self) -> str:
        """The token-signing secret, from AUTH_SECRET or the file AUTH_SECRET_FILE names."""
        if self.auth_secret is not None:
            return self.auth_secret.get_secret_value()
        if self.auth_secret_file is not None:
            try:
                return self.auth_secret_file.read_text(encoding="utf-8").strip()
            except OSError as error:
                raise ValueError(f"AUTH_SECRET_FILE {self.auth_secret_file} cannot be read: {error}") from error
        raise ValueError("set AUTH_SECRET or AUTH_SECRET_FILE")

    def public_base(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")
