"""Local accounts in the staff datastore."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from common.auth import Role
from staff.adapters.orm import accounts
from staff.domain.accounts import Account

__all__ = ["AccountStore"]


def _account(row: Any) -> Account:
    return Account(
        username=row.username,
        name=row.name,
        roles=frozenset(Role(r) for r in row.roles),
        unit_id=row.unit_id,
        password_hash=row.password_hash,
        active=row.active,
        failed_attempts=row.failed_attempts,
        locked_until=row.locked_until,
        created_at=row.created_at,
        updated_at=row.updated_at,
        last_sign_in_at=row.last_sign_in_at,
    )


def _values(account: Account) -> dict[str, Any]:
    return {
        "username": account.username,
        "name": account.name,
        "roles": sorted(r.value for r in account.roles),
        "unit_id": account.unit_id,
        "password_hash": account.password_hash,
        "active": account.active,
        "failed_attempts": account.failed_attempts,
        "locked_until": account.locked_until,
        "created_at": account.created_at,
        "updated_at": account.updated_at,
        "last_sign_in_at": account.last_sign_in_at,
    }


class AccountStore:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def get(self, username: str, *, for_update: bool = False) -> Account | None:
        query = select(accounts).where(accounts.c.username == username)
        if for_update and self._connection.dialect.name == "postgresql":
            query = query.with_for_update()
        row = (await self._connection.execute(query)).first()
        return _account(row) if row else None

    async def all(self) -> list[Account]:
        rows = await self._connection.execute(select(accounts).order_by(accounts.c.username))
        return [_account(row) for row in rows]

    async def add(self, account: Account) -> None:
        await self._connection.execute(accounts.insert().values(_values(account)))

    async def save(self, account: Account) -> None:
        values = _values(account)
        del values["username"]
        await self._connection.execute(accounts.update().where(accounts.c.username == account.username).values(values))
