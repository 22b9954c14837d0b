"""Local accounts: the password policy, the lock after wrong passwords, the account's person."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from common.auth import Role
from staff.domain.accounts import LOCK_MINUTES, MAX_FAILURES, Account, Passwords, account_problems, password_problems

NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


def account(**changes: object) -> Account:
    values: dict[str, object] = {
        "username": "hoa.nt",
        "name": "Nguyễn Thị Hoa",
        "roles": frozenset({Role.CLERK}),
        "unit_id": "xa-ban-nguyen",
        "password_hash": "x",
        "active": True,
        "failed_attempts": 0,
        "locked_until": None,
        "created_at": NOW,
        "updated_at": NOW,
    }
    return Account(**(values | changes))  # type: ignore[arg-type]


def test_a_password_is_long_and_not_guessable() -> None:
    assert password_problems("ngắn quá", "hoa.nt") == ["Mật khẩu phải có ít nhất 12 ký tự."]
    assert password_problems("hoa.nt-2026-mat-khau", "hoa.nt")  # holds the username
    assert password_problems("aaaaaaaaaaaaaaa", "hoa.nt")  # too few different characters
    assert password_problems("password1234", "hoa.nt")
    assert password_problems("đồng lúa chín vàng bên sông Lô", "hoa.nt") == []


def test_an_account_names_its_roles_and_a_clerk_its_unit() -> None:
    assert account_problems("hoa.nt", "Nguyễn Thị Hoa", [Role.CLERK], "xa-ban-nguyen") == []
    assert account_problems("Hoa NT", "Nguyễn Thị Hoa", [Role.CLERK], "xa-ban-nguyen")  # capitals, a space
    assert account_problems("hoa.nt", "  ", [Role.REVIEWER], None)
    assert account_problems("hoa.nt", "Nguyễn Thị Hoa", [], None) == ["Tài khoản phải được giao ít nhất một vai trò."]
    assert account_problems("hoa.nt", "Nguyễn Thị Hoa", [Role.CLERK], None) == [
        "Cán bộ đơn vị phải gắn với một đơn vị."
    ]


def test_wrong_passwords_lock_the_account_for_a_while() -> None:
    current = account()
    for _ in range(MAX_FAILURES - 1):
        current = current.failed(NOW)
        assert not current.locked(NOW)
    current = current.failed(NOW)
    assert current.locked(NOW)
    assert current.locked(NOW + timedelta(minutes=LOCK_MINUTES - 1))
    assert not current.locked(NOW + timedelta(minutes=LOCK_MINUTES))
    assert current.signed_in(NOW).failed_attempts == 0


def test_the_person_of_an_account_holds_every_role() -> None:
    who = account(roles=frozenset({Role.SIGNER, Role.OFFICER}), unit_id=None).principal()
    assert who.roles == {Role.OFFICER, Role.SIGNER}
    assert who.has(Role.SIGNER) and not who.has(Role.EDITOR)
    assert who.acts_for("any-unit")
    clerk = account().principal()
    assert clerk.clerk_only and clerk.acts_for("xa-ban-nguyen") and not clerk.acts_for("xa-cao-xa")


def test_passwords_are_kept_as_argon2id_hashes() -> None:
    passwords = Passwords()
    stored = passwords.hash("đồng lúa chín vàng bên sông Lô", "hoa.nt")
    assert stored.startswith("$argon2id$")
    assert passwords.verify(stored, "đồng lúa chín vàng bên sông Lô")
    assert not passwords.verify(stored, "đồng lúa chín vàng bên sông Hồng")
    assert not passwords.verify(None, "đồng lúa chín vàng bên sông Lô")  # no account: checked against a decoy
    assert not passwords.verify("not a hash", "đồng lúa chín vàng bên sông Lô")
