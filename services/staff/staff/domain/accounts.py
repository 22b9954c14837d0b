"""Local accounts (tài khoản nội bộ): for a run without the province's sign-in provider.

An account has a username, the person's name, one or more roles and, for a unit clerk, the unit.
Its password is kept as an argon2id hash only. After ``MAX_FAILURES`` wrong passwords in a row
the account is locked for ``LOCK_MINUTES``; a right password while locked still fails, so that
guessing gains nothing. There is no default account and no default password: the operator
creates accounts with ``staff accounts add``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import cached_property

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from common.auth import Principal, Role
from common.errors import Unprocessable

__all__ = [
    "LOCK_MINUTES",
    "MAX_FAILURES",
    "MIN_PASSWORD_CHARS",
    "USERNAME",
    "Account",
    "Passwords",
    "account_problems",
    "password_problems",
]

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")
MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_CHARS = 256
MAX_FAILURES = 5
LOCK_MINUTES = 15

# Passwords that are refused whatever their length: the ones guessed first.
_COMMON = {
    "123456789012",
    "1234567890123",
    "matkhau12345",
    "matkhau123456",
    "password1234",
    "password12345",
    "qwertyuiop12",
    "admin1234567",
    "abc123456789",
    "iloveyou1234",
    "12345678910a",
}


@dataclass(frozen=True)
class Account:
    username: str
    name: str
    roles: frozenset[Role]
    unit_id: str | None
    password_hash: str
    active: bool
    failed_attempts: int
    locked_until: datetime | None
    created_at: datetime
    updated_at: datetime
    last_sign_in_at: datetime | None = None

    def principal(self) -> Principal:
        first = next(r for r in Role if r in self.roles)
        return Principal(subject=self.username, role=first, unit=self.unit_id, name=self.name, roles=self.roles)

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def failed(self, now: datetime) -> Account:
        """One more wrong password; the account locks when there have been too many."""
        count = self.failed_attempts + 1
        if count >= MAX_FAILURES:
            return replace(self, failed_attempts=0, locked_until=now + timedelta(minutes=LOCK_MINUTES))
        return replace(self, failed_attempts=count)

    def signed_in(self, now: datetime) -> Account:
        return replace(self, failed_attempts=0, locked_until=None, last_sign_in_at=now)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def account_problems(username: str, name: str, roles: Iterable[Role], unit_id: str | None) -> list[str]:
    """What is wrong with an account's details, in Vietnamese; nothing when it can be kept."""
    problems = []
    role_set = set(roles)
    if not USERNAME.match(username):
        problems.append(
            "Tên đăng nhập gồm 2–80 ký tự: chữ thường không dấu, chữ số, dấu chấm, gạch ngang hoặc gạch dưới."
        )
    if not nfc(name) or len(name) > 300:
        problems.append("Họ và tên không được để trống và không dài quá 300 ký tự.")
    if not role_set:
        problems.append("Tài khoản phải được giao ít nhất một vai trò.")
    if Role.CLERK in role_set and not unit_id:
        problems.append("Cán bộ đơn vị phải gắn với một đơn vị.")
    return problems


def password_problems(password: str, username: str) -> list[str]:
    """Why a new password is refused, in Vietnamese (NIST SP 800-63B: length, not composition)."""
    problems = []
    if len(password) < MIN_PASSWORD_CHARS:
        problems.append(f"Mật khẩu phải có ít nhất {MIN_PASSWORD_CHARS} ký tự.")
    if len(password) > MAX_PASSWORD_CHARS:
        problems.append(f"Mật khẩu không được dài quá {MAX_PASSWORD_CHARS} ký tự.")
    lowered = password.lower()
    if lowered in _COMMON or (username and username.lower() in lowered) or len(set(password)) < 4:
        problems.append("Mật khẩu quá dễ đoán; xin chọn một cụm từ dài hơn, không chứa tên đăng nhập.")
    return problems


class Passwords:
    """argon2id hashes (RFC 9106's second recommended setting: 64 MiB, 3 passes, 4 lanes)."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()

    @cached_property
    def _decoy(self) -> str:
        """Checked against when the username is unknown, so that the answer takes as long (made at
        the first such sign-in: hashing takes 64 MiB for a moment, not worth it at every start)."""
        return self._hasher.hash("decoy password, never a real one")

    def hash(self, password: str, username: str) -> str:
        problems = password_problems(password, username)
        if problems:
            raise Unprocessable("weak-password", " ".join(problems))
        return self._hasher.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(stored or self._decoy, password) and stored is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def rehash(self, password: str) -> str:
        """A hash with today's parameters for a password already accepted (no policy check)."""
        return self._hasher.hash(password)

    def needs_rehash(self, stored: str) -> bool:
        return self._hasher.check_needs_rehash(stored)
