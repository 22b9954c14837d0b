"""From an OpenID Connect provider's claims to a person of this system: roles, unit and name.

The provider is the operator's (Keycloak, the province's single sign-on): its roles have its own
names, and they sit where it puts them (``roles``; Keycloak: ``realm_access.roles`` or
``resource_access.<client>.roles``). ``ClaimMapping`` says where to look and what each of its
role names means here (docs/operating.md, "Sign-in"). A person with no role this system knows is
refused; a unit clerk must name a unit of the organisation.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from common.auth import Principal, Role
from common.errors import Unprocessable

__all__ = ["ClaimMapping", "parse_role_map"]


def parse_role_map(text: str) -> dict[str, Role]:
    """``"thi-dua-can-bo=officer, thi-dua-ky=signer"`` → their roles; a role unknown here is an error."""
    mapping: dict[str, Role] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        theirs, sep, ours = item.partition("=")
        if not sep or not theirs.strip():
            raise ValueError(f"OIDC_ROLE_MAP: {item!r} is not <provider role>=<role>")
        try:
            mapping[theirs.strip()] = Role(ours.strip())
        except ValueError as error:
            known = ", ".join(r.value for r in Role)
            raise ValueError(f"OIDC_ROLE_MAP: {ours.strip()!r} is not a role (known: {known})") from error
    return mapping


def _at(claims: Mapping[str, Any], path: str) -> Any:
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


@dataclass(frozen=True)
class ClaimMapping:
    roles_claim: str = "roles"
    unit_claim: str = "unit"
    name_claim: str = "name"
    # Provider role -> role here; without an entry a provider role named like a role here counts.
    role_map: Mapping[str, Role] = field(default_factory=dict)

    def _roles(self, claims: Mapping[str, Any]) -> frozenset[Role]:
        raw = _at(claims, self.roles_claim)
        names = (
            [raw] if isinstance(raw, str) else [r for r in raw if isinstance(r, str)] if isinstance(raw, list) else []
        )
        roles = set()
        for name in names:
            if name in self.role_map:
                roles.add(self.role_map[name])
            elif not self.role_map and name in Role._value2member_map_:
                roles.add(Role(name))
        return frozenset(roles)

    def principal(self, claims: Mapping[str, Any], unit_exists: Callable[[str], bool]) -> Principal:
        """The person the claims describe; ``Unprocessable`` (a Vietnamese message) if none can be made."""
        roles = self._roles(claims)
        if not roles:
            raise Unprocessable(
                "no-role",
                "Tài khoản của bạn chưa được giao vai trò nào trong hệ thống gương điển hình tiên tiến. "
                "Xin liên hệ cán bộ quản trị để được cấp quyền.",
            )
        unit = _at(claims, self.unit_claim)
        unit_id = unit.strip() if isinstance(unit, str) and unit.strip() else None
        if Role.CLERK in roles and (unit_id is None or not unit_exists(unit_id)):
            raise Unprocessable(
                "no-unit",
                "Tài khoản cán bộ đơn vị của bạn chưa gắn với một đơn vị có trong danh sách đơn vị của tỉnh. "
                "Xin liên hệ cán bộ quản trị.",
            )
        subject = str(claims["sub"])
        raw_name = _at(claims, self.name_claim) or claims.get("preferred_username") or subject
        name = unicodedata.normalize("NFC", str(raw_name)).strip()[:300] or subject
        first = next(r for r in Role if r in roles)
        return Principal(subject=subject, role=first, unit=unit_id, name=name, roles=roles)
