"""Command-line tools for operators and local runs.

- ``exemplars-setup``: prepare a state folder (token secret, the organisation file with a key
  pair for every unit that has none); safe to run again.
- ``exemplars-token``: mint a bearer token for a role (and unit, for a clerk).
- ``exemplars-sign``: sign an event envelope read from standard input as a unit system would.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from pathlib import Path

import tomlkit
from joserfc.jwk import OKPKey

from common.auth import Role, mint_token
from common.organisation import Organisation, default_organisation_path, load_organisation
from common.signing import sign_compact
from exemplars_tools.redis_access import acl_file, principals
from exemplars_tools.state import StateFolder, write_private

__all__ = ["mint_token_main", "setup_main", "setup_state", "sign_main"]


def _password(path: Path) -> str:
    """The password kept in ``path``; a new random one the first time."""
    if not path.exists():
        write_private(path, secrets.token_urlsafe(32).encode())
    return path.read_text(encoding="utf-8").strip()


def setup_state(state: Path, organisation_file: Path | None = None) -> Organisation:
    """Create what a run needs in ``state``; keep whatever is already there.

    The token secret; the organisation file, with a key pair for every unit that has none; a Redis
    password for every Redis user (a unit's beside its key); and Redis's ACL file, rewritten from
    the registry and the organisation each time (``ACL LOAD`` makes a running Redis read it).
    """
    folder = StateFolder(state)
    state.mkdir(parents=True, exist_ok=True)
    folder.move_legacy_files()
    if not folder.auth_secret.exists():
        write_private(folder.auth_secret, secrets.token_urlsafe(48).encode())
    target = folder.organisation
    source = target if target.exists() else (organisation_file or default_organisation_path())
    org = load_organisation(source)  # checked before anything is written
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(_with_keys(source.read_text(encoding="utf-8"), org, folder), encoding="utf-8")
    target.chmod(0o644)  # public keys only; the services read it
    org = load_organisation(target)
    users = principals(org.unit_ids)
    passwords = {user.name: _password(folder.redis_password(user.name, user.unit_id)) for user in users}
    # Hashes only, and Redis runs as a user of its own: the file is readable by all.
    folder.acl_file.parent.mkdir(parents=True, exist_ok=True)
    folder.acl_file.parent.chmod(0o755)
    folder.acl_file.write_text(acl_file(users, passwords), encoding="utf-8")
    folder.acl_file.chmod(0o644)
    return org


def _with_keys(text: str, org: Organisation, folder: StateFolder) -> str:
    """The organisation file's text with a key for every unit that has none, comments kept.

    The key goes to the unit's latest version; a unit keeps its key pair in ``unit-keys/``, so a
    state folder set up again, or a file replaced by the operator, gets the same keys back.
    """
    document = tomlkit.parse(text)
    tables = document.get("units", [])
    latest = {unit.id: unit for unit in (org.unit(unit_id) for unit_id in org.unit_ids) if unit is not None}
    for unit_id, unit in latest.items():
        if org.keys_of(unit_id):
            continue
        private_file = folder.unit_key(unit_id)
        if private_file.exists():
            key = OKPKey.import_key(private_file.read_bytes())
        else:
            key = OKPKey.generate_key("Ed25519")
            write_private(private_file, key.as_pem(private=True))
        index = org.units.index(unit)
        keys = tomlkit.aot()
        keys.append(tomlkit.table())
        keys[0]["kid"] = unit_id
        keys[0]["public_key"] = tomlkit.string(key.as_pem(private=False).decode(), multiline=True)
        tables[index]["keys"] = keys
    return tomlkit.dumps(document)


def setup_main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="exemplars-setup", description=setup_state.__doc__)
    parser.add_argument("--state", type=Path, default=Path("var"), help="state folder (default: var)")
    parser.add_argument("--organisation", type=Path, help="organisation file to start from")
    args = parser.parse_args(argv)
    org = setup_state(args.state, args.organisation)
    folder = StateFolder(args.state)
    print(
        f"{folder.organisation}: {org.name}, {len(org.unit_ids)} units, {len(org.blocks)} blocks, "
        f"{len(org.authorities)} authorities"
    )
    print(f"{folder.auth_secret}: token secret; {args.state}/unit-keys/: each unit's private key and Redis password")
    print(f"{folder.acl_file}: Redis users (ACL LOAD in a running Redis); {args.state}/secrets/: their passwords")
    return 0


def mint_token_main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="exemplars-token", description="Mint a bearer token.")
    parser.add_argument("--role", required=True, choices=[r.value for r in Role])
    parser.add_argument("--unit", help="the unit a clerk acts for")
    parser.add_argument("--subject", default="local-user")
    parser.add_argument("--name", help="display name, e.g. Nguyễn Văn An")
    parser.add_argument("--hours", type=float, default=8.0)
    parser.add_argument("--secret-file", type=Path, default=StateFolder(Path("var")).auth_secret)
    args = parser.parse_args(argv)
    secret = os.environ.get("AUTH_SECRET") or args.secret_file.read_text(encoding="utf-8").strip()
    try:
        token = mint_token(
            secret,
            subject=args.subject,
            role=Role(args.role),
            unit=args.unit,
            name=args.name,
            ttl_seconds=int(args.hours * 3600),
        )
    except ValueError as error:
        parser.error(str(error))
    print(token)
    return 0


def sign_main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="exemplars-sign", description="Sign an event envelope (JSON on standard input) as a unit."
    )
    parser.add_argument("--key", type=Path, required=True, help="the unit's private key (PEM)")
    parser.add_argument("--kid", required=True, help="the key id registered for the unit")
    args = parser.parse_args(argv)
    payload = sys.stdin.buffer.read()
    print(sign_compact(payload, args.key.read_bytes(), args.kid))
    return 0
