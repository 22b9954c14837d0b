"""What is done with local accounts: create them, set their passwords, sign in with them.

Password hashing takes ~0.1 s of CPU and 64 MiB on purpose; it runs in a thread so that the
service's other requests go on meanwhile.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime

from common.auth import Principal, Role
from common.db import Database
from common.errors import Unprocessable
from staff.adapters.accounts import AccountStore
from staff.domain.accounts import Account, Passwords, account_problems, nfc

__all__ = ["Accounts", "SignInRefused"]

WRONG = "Tên đăng nhập hoặc mật khẩu không đúng."
LOCKED = "Tài khoản tạm khóa do nhập sai mật khẩu nhiều lần; xin thử lại sau 15 phút hoặc liên hệ cán bộ quản trị."


class SignInRefused(Exception):
    """A sign-in that did not succeed; ``message`` is for the person (never which part was wrong)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Accounts:
    def __init__(self, db: Database, passwords: Passwords) -> None:
        self._db = db
        self._passwords = passwords

    async def add(
        self,
        username: str,
        *,
        name: str,
        roles: Iterable[Role],
        unit_id: str | None,
        password: str,
        now: datetime | None = None,
    ) -> Account:
        role_set = frozenset(roles)
        problems = account_problems(username, name, role_set, unit_id)
        if problems:
            raise Unprocessable("bad-account", " ".join(problems))
        hashed = await asyncio.to_thread(self._passwords.hash, password, username)
        now = now or datetime.now(UTC)
        account = Account(username, nfc(name), role_set, unit_id, hashed, True, 0, None, now, now)
        async with self._db.transaction() as connection:
            store = AccountStore(connection)
            if await store.get(username) is not None:
                raise Unprocessable("account-exists", f"Tên đăng nhập {username} đã có.")
            await store.add(account)
        return account

    async def set_password(self, username: str, password: str) -> None:
        hashed = await asyncio.to_thread(self._passwords.hash, password, username)
        async with self._db.transaction() as connection:
            store = AccountStore(connection)
            account = await store.get(username, for_update=True)
            if account is None:
                raise Unprocessable("no-account", f"Không có tài khoản {username}.")
            now = datetime.now(UTC)
            await store.save(_replace(account, password_hash=hashed, failed_attempts=0, locked_until=None, now=now))

    async def set_active(self, username: str, active: bool) -> Account:
        async with self._db.transaction() as connection:
            store = AccountStore(connection)
            account = await store.get(username, for_update=True)
            if account is None:
                raise Unprocessable("no-account", f"Không có tài khoản {username}.")
            changed = _replace(account, active=active, failed_attempts=0, locked_until=None, now=datetime.now(UTC))
            await store.save(changed)
            return changed

    async def list(self) -> list[Account]:
        async with self._db.read() as connection:
            return await AccountStore(connection).all()

    async def sign_in(self, username: str, password: str, *, now: datetime | None = None) -> Principal:
        """The account's person, if the password is right and the account may sign in."""
        now = now or datetime.now(UTC)
        key = username.strip().lower()
        async with self._db.read() as connection:
            account = await AccountStore(connection).get(key)
        stored = account.password_hash if account is not None and account.active else None
        right = await asyncio.to_thread(self._passwords.verify, stored, password)
        if account is None or not account.active:
            raise SignInRefused(WRONG)
        # The refusal is raised after the commit: a wrong password must be counted, not rolled back.
        refusal: str | None = None
        async with self._db.transaction() as connection:
            store = AccountStore(connection)
            current = await store.get(key, for_update=True)
            if current is None:
                refusal = WRONG
            elif current.locked(now):
                refusal = LOCKED
            elif not right:
                failed = current.failed(now)
                await store.save(failed)
                refusal = LOCKED if failed.locked(now) else WRONG
            else:
                signed = current.signed_in(now)
                if self._passwords.needs_rehash(current.password_hash):
                    signed = _replace(signed, password_hash=self._passwords.rehash(password), now=now)
                await store.save(signed)
        if refusal is not None:
            raise SignInRefused(refusal)
        return signed.principal()


def _replace(account: Account, *, now: datetime, **changes: object) -> Account:
    return replace(account, updated_at=now, **changes)  # type: ignore[arg-type]
