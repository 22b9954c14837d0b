"""The staff service refuses to start on settings nobody could sign in with."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from staff.config import Settings
from tests.conftest import TEST_SECRET


def settings(**values: object) -> Settings:
    return Settings(database_url="sqlite:///:memory:", auth_secret=SecretStr(TEST_SECRET), **values)  # type: ignore[arg-type]


def test_compose_s_empty_settings_mean_none() -> None:
    found = settings(oidc_issuer="", oidc_client_secret="", oidc_client_secret_file="")
    assert found.client_secret() is None and found.local_accounts


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"oidc_issuer": "https://sso.example"}, "OIDC_ISSUER needs OIDC_CLIENT_ID"),
        ({"local_accounts": False}, "nobody could sign in"),
        ({"oidc_role_map": "tdkt=admin"}, "not a role"),
        ({"oidc_client_secret_file": "/nonexistent/secret"}, "cannot be read"),
    ],
)
def test_settings_nobody_could_use_are_refused(values: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        settings(**values)
