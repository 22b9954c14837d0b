"""Settings of the staff service (sign-in; docs/operating.md, "Sign-in")."""

from __future__ import annotations

from pathlib import Path
from typing import Self

from pydantic import Field, SecretStr, field_validator, model_validator

from common.registry import SERVICES
from common.settings import ServiceSettings
from staff.domain.claims import ClaimMapping, parse_role_map

__all__ = ["MIGRATIONS", "Settings"]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class Settings(ServiceSettings):
    database_url: str = "sqlite:///var/staff.db"
    port: int = 8105
    # Accounts kept here (``staff accounts add``); off where everyone signs in at the provider.
    local_accounts: bool = True
    # The operator's OpenID Connect provider (Keycloak, the province's single sign-on); none if empty.
    oidc_issuer: str = Field(default="", description="the provider's issuer URL; its discovery document is read")
    oidc_client_id: str = ""
    oidc_client_secret: SecretStr | None = None
    oidc_client_secret_file: Path | None = None
    oidc_scopes: str = "openid profile email"
    oidc_label: str = "Đăng nhập bằng tài khoản dùng chung của tỉnh"
    # Signing out here ends the session at the provider too (where it offers an end-session endpoint),
    # so that the next person at a shared computer is not signed in as the last one.
    oidc_sign_out_at_provider: bool = True
    # Where the provider puts roles, unit and name, and what its role names mean here.
    oidc_roles_claim: str = "roles"
    oidc_unit_claim: str = "unit"
    oidc_name_claim: str = "name"
    oidc_role_map: str = Field(default="", description="<provider role>=<role>, comma-separated")
    # Where the operator's console asks each service whether it is ready: name=URL, comma-separated;
    # a service not named is looked for on this machine at its registry port.
    service_urls: str = ""

    @field_validator("oidc_client_secret", "oidc_client_secret_file", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value  # compose passes unset settings as empty strings

    @model_validator(mode="after")
    def _provider_complete(self) -> Self:
        if self.oidc_issuer and not self.oidc_client_id:
            raise ValueError("OIDC_ISSUER needs OIDC_CLIENT_ID (the client registered at the provider)")
        if not self.oidc_issuer and not self.local_accounts:
            raise ValueError("nobody could sign in: set OIDC_ISSUER, or leave LOCAL_ACCOUNTS on")
        parse_role_map(self.oidc_role_map)
        self.service_addresses()
        self.client_secret()
        return self

    def client_secret(self) -> str | None:
        if self.oidc_client_secret is not None:
            return self.oidc_client_secret.get_secret_value()
        if self.oidc_client_secret_file is None:
            return None
        try:
            return self.oidc_client_secret_file.read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ValueError(
                f"OIDC_CLIENT_SECRET_FILE {self.oidc_client_secret_file} cannot be read: {error}"
            ) from error

    def service_addresses(self) -> dict[str, str]:
        found = {entry.name: f"http://127.0.0.1:{entry.port}" for entry in SERVICES}
        for item in filter(None, (part.strip() for part in self.service_urls.split(","))):
            name, sep, url = item.partition("=")
            if not sep or name.strip() not in found or not url.strip().startswith(("http://", "https://")):
                raise ValueError(f"SERVICE_URLS: {item!r} is not <service>=http(s)://host:port")
            found[name.strip()] = url.strip().rstrip("/")
        return found

    def claim_mapping(self) -> ClaimMapping:
        return ClaimMapping(
            roles_claim=self.oidc_roles_claim,
            unit_claim=self.oidc_unit_claim,
            name_claim=self.oidc_name_claim,
            role_map=parse_role_map(self.oidc_role_map),
        )
