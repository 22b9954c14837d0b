"""Bearer tokens: JWTs with a role and, for unit clerks, the unit they act for.

Tokens are HS256 here so that a local run can mint its own (``exemplars-token``); the claims are
the ones an OIDC provider would be configured to issue.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Depends, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey
from joserfc.jwt import JWTClaimsRegistry

from common.api_errors import api_error

__all__ = ["ISSUER", "Principal", "Role", "TokenVerifier", "mint_token", "require_roles"]

ISSUER = "exemplars"
AUDIENCE = "exemplars"


class Role(StrEnum):
    CLERK = "clerk"  # cán bộ đơn vị: nominates for its own unit
    REVIEWER = "reviewer"  # phòng Nội vụ
    COUNCIL = "council"  # Hội đồng Thi đua – Khen thưởng
    EDITOR = "editor"  # biên tập viên
    OFFICER = "officer"  # cán bộ thi đua – khen thưởng
    SIGNER = "signer"  # người ký quyết định
    OPERATOR = "operator"


@dataclass(frozen=True)
class Principal:
    """Who is calling: a person signed in on the pages, or a system with a bearer token.

    ``role`` is the role a token names first; ``roles`` every role the person holds (an office's
    officer is often its signer too). A clerk acts for ``unit`` only.
    """

    subject: str
    role: Role
    unit: str | None
    name: str
    roles: frozenset[Role] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "roles", frozenset({self.role, *self.roles}))

    def has(self, *roles: Role) -> bool:
        return not self.roles.isdisjoint(roles)

    @property
    def clerk_only(self) -> bool:
        """Acts for one unit only: a clerk and nothing more."""
        return self.roles == {Role.CLERK}

    def acts_for(self, unit_id: str) -> bool:
        return not self.clerk_only or self.unit == unit_id


def mint_token(
    secret: str,
    *,
    subject: str,
    role: Role,
    unit: str | None = None,
    name: str | None = None,
    ttl_seconds: int = 8 * 3600,
    also: Iterable[Role] = (),
) -> str:
    """A signed token for local use and tests; ``also`` names further roles the holder has."""
    if role is Role.CLERK and not unit:
        raise ValueError("a clerk's token names the unit the clerk acts for")
    now = int(time.time())
    claims: dict[str, object] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": subject,
        "role": role.value,
        "name": name or subject,
        "iat": now,
        "exp": now + ttl_seconds,
    }
    if unit:
        claims["unit"] = unit
    more = sorted({r.value for r in also} - {role.value})
    if more:
        claims["roles"] = [role.value, *more]
    return jwt.encode({"alg": "HS256"}, claims, OctKey.import_key(secret))


class TokenVerifier:
    """Checks a staff token: signature, issuer, audience, subject, expiry, and a bounded lifetime.

    A token must expire: no later than ``max_lifetime_seconds`` after it was issued, and no later
    than that from now, so that a leaked token is of use for a bounded time only.
    """

    def __init__(self, secret: str, *, max_lifetime_seconds: float = 24 * 3600) -> None:
        self._key = OctKey.import_key(secret)
        self._max_lifetime = max_lifetime_seconds
        self._claims = JWTClaimsRegistry(
            iss={"essential": True, "value": ISSUER},
            aud={"essential": True, "value": AUDIENCE},
            sub={"essential": True},
            exp={"essential": True},
        )

    def verify(self, token: str) -> Principal:
        try:
            decoded = jwt.decode(token, self._key, algorithms=["HS256"])
            self._claims.validate(decoded.claims)
        except (JoseError, ValueError) as error:
            raise api_error(
                status.HTTP_401_UNAUTHORIZED,
                "invalid-token",
                "Thẻ xác thực không hợp lệ hoặc đã hết hạn.",
                headers={"WWW-Authenticate": "Bearer"},
                reason=f"invalid bearer token: {error}",
            ) from error
        claims = decoded.claims
        self._check_lifetime(claims)
        try:
            role = Role(str(claims.get("role")))
        except ValueError as error:
            raise api_error(
                status.HTTP_403_FORBIDDEN, "unknown-role", "Thẻ không mang vai trò nào của hệ thống."
            ) from error
        listed = claims.get("roles")
        more = frozenset(Role(r) for r in listed if r in _ROLE_VALUES) if isinstance(listed, list) else frozenset()
        unit = claims.get("unit")
        if role is Role.CLERK and not isinstance(unit, str):
            raise api_error(status.HTTP_403_FORBIDDEN, "clerk-without-unit", "Thẻ của cán bộ đơn vị phải ghi đơn vị.")
        return Principal(
            subject=str(claims["sub"]),
            role=role,
            unit=unit if isinstance(unit, str) else None,
            name=str(claims.get("name") or claims["sub"]),
            roles=more,
        )

    def _check_lifetime(self, claims: dict[str, Any]) -> None:
        expires, issued = float(claims["exp"]), claims.get("iat")  # exp is checked present and numeric
        lifetime = expires - float(issued) if isinstance(issued, int | float) else 0.0
        if lifetime > self._max_lifetime or expires - time.time() > self._max_lifetime:
            hours = self._max_lifetime / 3600
            raise api_error(
                status.HTTP_401_UNAUTHORIZED,
                "token-lifetime",
                f"Thẻ xác thực không hợp lệ: thời hạn của thẻ dài hơn mức cho phép ({hours:g} giờ).",
                headers={"WWW-Authenticate": "Bearer"},
            )


_bearer = HTTPBearer(auto_error=False)
_ROLE_VALUES = frozenset(r.value for r in Role)


def require_roles(*roles: Role) -> object:
    """A FastAPI dependency: the caller's principal, if their role is one of ``roles``."""

    async def dependency(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Principal:
        if credentials is None:
            raise api_error(
                status.HTTP_401_UNAUTHORIZED,
                "token-required",
                "Cần thẻ xác thực: gửi kèm tiêu đề Authorization: Bearer <thẻ>.",
                headers={"WWW-Authenticate": "Bearer"},
            )
        verifier: TokenVerifier = request.app.state.token_verifier
        principal = verifier.verify(credentials.credentials)
        if not principal.has(*roles):
            raise api_error(
                status.HTTP_403_FORBIDDEN,
                "role-not-allowed",
                f"Vai trò {principal.role.value} không được làm việc này; cần một trong: "
                f"{', '.join(r.value for r in roles)}.",
            )
        return principal

    return Depends(dependency)
