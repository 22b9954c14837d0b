"""The social accounts the operator configures (``SOCIAL_FILE``, TOML, kept outside the repository):
a Facebook Page or a Zalo Official Account per commune, or one for the whole province (``*``).
Secrets stay in files of their own, read when needed; nothing is posted unless an account is
configured.

    [[facebook]]
    page_id = "104857600000001"
    commune = "xa-ban-nguyen"          # or "*" for every commune without a page of its own
    token_file = "/run/secrets/exemplars/facebook-xa-ban-nguyen"   # a Page access token

    [[zalo]]
    oa_id = "2910576200000001"
    commune = "*"
    app_id = "3948573920000001"
    secret_key_file = "/run/secrets/exemplars/zalo-secret-key"
    refresh_token_file = "/run/secrets/exemplars/zalo-refresh-token"  # the first one; later ones are kept rotated
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from common.datafile import DataFileError, load_toml, where

__all__ = ["FacebookAccount", "SocialAccounts", "SocialFileError", "ZaloAccount", "account_for", "load_social"]

_COMMUNE = r"^(\*|[a-z0-9][a-z0-9-]{0,79})$"


class SocialFileError(DataFileError):
    pass


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FacebookAccount(_Model):
    page_id: str = Field(pattern=r"^[0-9]{5,30}$")
    commune: str = Field(default="*", pattern=_COMMUNE)
    token_file: Path
    graph_url: str = Field(default="https://graph.facebook.com/v21.0", pattern=r"^https?://")

    @property
    def key(self) -> str:
        return f"facebook:{self.page_id}"

    def token(self) -> str:
        return self.token_file.read_text(encoding="utf-8").strip()


class ZaloAccount(_Model):
    oa_id: str = Field(pattern=r"^[0-9]{5,30}$")
    commune: str = Field(default="*", pattern=_COMMUNE)
    app_id: str = Field(pattern=r"^[0-9]{5,30}$")
    secret_key_file: Path
    refresh_token_file: Path
    api_url: str = Field(default="https://openapi.zalo.me", pattern=r"^https?://")
    oauth_url: str = Field(default="https://oauth.zaloapp.com", pattern=r"^https?://")

    @property
    def key(self) -> str:
        return f"zalo:{self.oa_id}"

    def secret_key(self) -> str:
        return self.secret_key_file.read_text(encoding="utf-8").strip()

    def first_refresh_token(self) -> str:
        return self.refresh_token_file.read_text(encoding="utf-8").strip()


class SocialAccounts(_Model):
    facebook: tuple[FacebookAccount, ...] = ()
    zalo: tuple[ZaloAccount, ...] = ()

    @model_validator(mode="after")
    def _one_account_a_commune(self) -> Self:
        problems = []
        communes: tuple[tuple[str, list[str]], ...] = (
            ("facebook", [a.commune for a in self.facebook]),
            ("zalo", [a.commune for a in self.zalo]),
        )
        for section, listed in communes:
            for i, commune in enumerate(listed):
                if commune in listed[:i]:
                    problems.append(f"{where(section, i)}: a second account for {commune}")
        if problems:
            raise ValueError("; ".join(problems))
        return self


A = TypeVar("A", bound=FacebookAccount | ZaloAccount)


def account_for(accounts: Sequence[A], commune_id: str | None) -> A | None:
    """The commune's own account, else the one for every commune."""
    return next((a for a in accounts if a.commune == commune_id), None) or next(
        (a for a in accounts if a.commune == "*"), None
    )


def load_social(path: str | Path | None) -> SocialAccounts:
    """No file: no account, nothing posted."""
    if path is None:
        return SocialAccounts()
    return load_toml(path, SocialAccounts, what="social accounts file", error=SocialFileError)
