"""The OpenID Connect client: authorization code with PKCE (RFC 7636), against the operator's provider.

``begin`` gives the address to send the browser to and what must be kept until it comes back
(state, nonce, the PKCE verifier); ``finish`` exchanges the code for tokens at the provider's
token endpoint and returns the ID token's claims once its signature (the provider's published
keys), issuer, audience, expiry and nonce are checked. The provider's metadata and keys are read
from its discovery document and kept; keys are read again when a token names one not known.
``sign_out_address`` is where the browser goes to end the person's session at the provider too
(OpenID Connect RP-Initiated Logout 1.0).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jwt import JWTClaimsRegistry

from common.errors import Unprocessable

__all__ = ["OidcClient", "Pending", "ProviderMetadata", "SignedIn"]

# Asymmetric algorithms only: a provider's tokens are checked with its public keys.
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]
METADATA_SECONDS = 3600
LEEWAY_SECONDS = 60


@dataclass(frozen=True)
class ProviderMetadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    end_session_endpoint: str | None


@dataclass(frozen=True)
class Pending:
    """A sign-in sent to the provider and not yet back."""

    state: str
    nonce: str
    verifier: str
    next_path: str


@dataclass(frozen=True)
class SignedIn:
    """What the provider said of the person: the ID token's claims, checked, and the token itself."""

    claims: dict[str, Any]
    id_token: str


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class OidcClient:
    def __init__(
        self,
        *,
        issuer: str,
        client_id: str,
        client_secret: str | None,
        scopes: str,
        http: httpx.AsyncClient,
    ) -> None:
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self._secret = client_secret
        self.scopes = scopes
        self._http = http
        self._metadata: tuple[float, ProviderMetadata] | None = None
        self._keys: KeySet | None = None

    async def metadata(self) -> ProviderMetadata:
        if self._metadata is not None and time.monotonic() - self._metadata[0] < METADATA_SECONDS:
            return self._metadata[1]
        document = await self._get_json(f"{self.issuer}/.well-known/openid-configuration")
        if str(document.get("issuer", "")).rstrip("/") != self.issuer:
            raise Unprocessable("provider-mismatch", "Nhà cung cấp đăng nhập trả lời với một định danh khác.")
        try:
            found = ProviderMetadata(
                issuer=str(document["issuer"]),
                authorization_endpoint=str(document["authorization_endpoint"]),
                token_endpoint=str(document["token_endpoint"]),
                jwks_uri=str(document["jwks_uri"]),
                end_session_endpoint=self._own_scheme(document.get("end_session_endpoint")),
            )
        except KeyError as error:
            raise Unprocessable("provider-metadata", f"Nhà cung cấp đăng nhập thiếu mục {error}.") from error
        self._metadata = (time.monotonic(), found)
        return found

    def _own_scheme(self, value: Any) -> str | None:
        """An address of the provider's that is HTTPS (or plain HTTP, if the issuer itself is), or None."""
        schemes = ("https://", "http://") if self.issuer.startswith("http://") else ("https://",)
        return value if isinstance(value, str) and value.startswith(schemes) else None

    async def begin(self, redirect_uri: str, next_path: str) -> tuple[str, Pending]:
        """The provider's address for this sign-in, and what to keep until the browser is back."""
        provider = await self.metadata()
        pending = Pending(
            state=secrets.token_urlsafe(32),
            nonce=secrets.token_urlsafe(32),
            verifier=secrets.token_urlsafe(64),
            next_path=next_path,
        )
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.client_id,
                "redirect_uri": redirect_uri,
                "scope": self.scopes,
                "state": pending.state,
                "nonce": pending.nonce,
                "code_challenge": _challenge(pending.verifier),
                "code_challenge_method": "S256",
            }
        )
        separator = "&" if "?" in provider.authorization_endpoint else "?"
        return f"{provider.authorization_endpoint}{separator}{query}", pending

    async def finish(self, code: str, pending: Pending, redirect_uri: str) -> SignedIn:
        """The ID token the code is exchanged for, and its claims, all checked."""
        provider = await self.metadata()
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": pending.verifier,
            "client_id": self.client_id,
        }
        # client_secret_basic for a confidential client; a public client sends client_id alone.
        auth = httpx.BasicAuth(self.client_id, self._secret) if self._secret else httpx.USE_CLIENT_DEFAULT
        try:
            response = await self._http.post(provider.token_endpoint, data=form, auth=auth)
        except httpx.HTTPError as error:
            raise Unprocessable("provider-unreachable", "Không kết nối được nhà cung cấp đăng nhập.") from error
        if response.status_code != 200:
            raise Unprocessable(
                "code-refused", "Nhà cung cấp đăng nhập không chấp nhận lượt đăng nhập này; xin đăng nhập lại."
            )
        id_token = response.json().get("id_token")
        if not isinstance(id_token, str):
            raise Unprocessable("no-id-token", "Nhà cung cấp đăng nhập không gửi thẻ định danh (ID token).")
        return SignedIn(await self._verified(id_token, pending.nonce, provider), id_token)

    async def sign_out_address(self, id_token: str | None, return_to: str) -> str:
        """Where the browser ends the person's session at the provider, to come back to ``return_to``
        (which the provider must know as a post-logout redirect URI)."""
        provider = await self.metadata()
        if not provider.end_session_endpoint:
            raise Unprocessable("no-end-session", "Nhà cung cấp đăng nhập không cho kết thúc phiên từ hệ thống này.")
        parameters = {"client_id": self.client_id, "post_logout_redirect_uri": return_to, "ui_locales": "vi"}
        if id_token:
            parameters["id_token_hint"] = id_token
        separator = "&" if "?" in provider.end_session_endpoint else "?"
        return f"{provider.end_session_endpoint}{separator}{urlencode(parameters)}"

    async def _verified(self, id_token: str, nonce: str, provider: ProviderMetadata) -> dict[str, Any]:
        keys = await self._key_set(provider, refresh=False)
        try:
            try:
                decoded = jwt.decode(id_token, keys, algorithms=ALGORITHMS)
            except JoseError:
                # A key rotated since the keys were read: read them again, once.
                decoded = jwt.decode(id_token, await self._key_set(provider, refresh=True), algorithms=ALGORITHMS)
            JWTClaimsRegistry(
                leeway=LEEWAY_SECONDS,
                iss={"essential": True, "value": provider.issuer},
                aud={"essential": True, "value": self.client_id},
                sub={"essential": True},
                exp={"essential": True},
                nonce={"essential": True, "value": nonce},
            ).validate(decoded.claims)
        except (JoseError, ValueError) as error:
            raise Unprocessable("bad-id-token", "Thẻ định danh của nhà cung cấp đăng nhập không hợp lệ.") from error
        claims = dict(decoded.claims)
        audience = claims.get("aud")
        if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != self.client_id:
            raise Unprocessable("bad-id-token", "Thẻ định danh được cấp cho một ứng dụng khác.")
        return claims

    async def _key_set(self, provider: ProviderMetadata, *, refresh: bool) -> KeySet:
        if self._keys is None or refresh:
            self._keys = KeySet.import_key_set(await self._get_json(provider.jwks_uri))  # type: ignore[arg-type]
        return self._keys

    async def _get_json(self, url: str) -> dict[str, Any]:
        try:
            response = await self._http.get(url)
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise Unprocessable("provider-unreachable", "Không kết nối được nhà cung cấp đăng nhập.") from error
        if not isinstance(document, dict):
            raise Unprocessable("provider-metadata", "Nhà cung cấp đăng nhập trả lời không đúng định dạng.")
        return document
