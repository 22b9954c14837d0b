"""Settings refuse weak secrets; tokens carry role and unit and are checked."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import HTTPException
from pydantic import SecretStr, ValidationError

from common.auth import Role, TokenVerifier, mint_token
from common.settings import ServiceSettings
from tests.conftest import TEST_SECRET


@pytest.mark.parametrize("secret", ["changeme", "short", "x" * 31])
def test_weak_secret_is_refused(secret: str) -> None:
    with pytest.raises(ValidationError, match="AUTH_SECRET"):
        ServiceSettings(database_url="sqlite:///x.db", auth_secret=SecretStr(secret))


def test_no_secret_is_refused() -> None:
    with pytest.raises(ValidationError, match="AUTH_SECRET"):
        ServiceSettings(database_url="sqlite:///x.db")


def test_secret_from_file(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    path.write_text(TEST_SECRET + "\n")
    settings = ServiceSettings(database_url="sqlite:///x.db", auth_secret_file=path)
    assert settings.secret() == TEST_SECRET


def test_token_round_trip() -> None:
    token = mint_token(TEST_SECRET, subject="c1", role=Role.CLERK, unit="xa-ban-nguyen", name="Nguyễn Thị Hoa")
    who = TokenVerifier(TEST_SECRET).verify(token)
    assert (who.role, who.unit, who.name) == (Role.CLERK, "xa-ban-nguyen", "Nguyễn Thị Hoa")
    assert who.acts_for("xa-ban-nguyen")
    assert not who.acts_for("xa-lam-thao")


def test_reviewer_acts_for_any_unit() -> None:
    who = TokenVerifier(TEST_SECRET).verify(mint_token(TEST_SECRET, subject="r", role=Role.REVIEWER))
    assert who.acts_for("xa-lam-thao")


def test_clerk_needs_a_unit() -> None:
    with pytest.raises(ValueError, match="unit"):
        mint_token(TEST_SECRET, subject="c", role=Role.CLERK)


@pytest.mark.parametrize(
    "token",
    [
        mint_token("y" * 40, subject="c", role=Role.REVIEWER),
        mint_token(TEST_SECRET, subject="c", role=Role.REVIEWER, ttl_seconds=-10),
        "garbage",
    ],
)
def test_bad_tokens_are_401(token: str) -> None:
    with pytest.raises(HTTPException) as caught:
        TokenVerifier(TEST_SECRET).verify(token)
    assert caught.value.status_code == 401


def test_the_inbox_must_be_kept_at_least_as_long_as_the_outbox() -> None:
    with pytest.raises(ValidationError, match="INBOX_RETENTION_DAYS must be at least OUTBOX_RETENTION_DAYS"):
        ServiceSettings(
            database_url="sqlite:///x.db",
            auth_secret=SecretStr(TEST_SECRET),
            outbox_retention_days=30,
            inbox_retention_days=7,
        )
    kept = ServiceSettings(database_url="sqlite:///x.db", auth_secret=SecretStr(TEST_SECRET))
    assert (kept.outbox_retention_days, kept.inbox_retention_days, kept.stream_retention_hours) == (30, 60, 24)
