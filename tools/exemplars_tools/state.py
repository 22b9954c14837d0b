"""Where ``exemplars-setup`` keeps what a run needs, so each reader can be given only its part.

::

    shared/auth-secret            the staff-token secret          (every service)
    shared/organisation.toml      units, blocks, public keys      (every service)
    secrets/<user>/redis-password a Redis user's password         (that service, the tools, admin)
    redis/users.acl               Redis's ACL file, hashes only   (the Redis server)
    unit-keys/<unit>.pem          a unit's private signing key    (that unit's system)
    unit-keys/<unit>.redis-password  the unit's Redis password, issued with its key
    logs/, redis-data/            a local run's logs and Redis data

docker-compose.yml mounts each folder into the containers that need it, and nothing else: a
service sees ``shared`` and its own ``secrets/svc-<service>``, never another's password nor a
unit's key.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["StateFolder", "write_private"]


def write_private(path: Path, data: bytes) -> None:
    """Write a file only its owner may read, in a folder only its owner may enter."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


@dataclass(frozen=True)
class StateFolder:
    root: Path

    @property
    def auth_secret(self) -> Path:
        return self.root / "shared" / "auth-secret"

    @property
    def organisation(self) -> Path:
        return self.root / "shared" / "organisation.toml"

    @property
    def acl_file(self) -> Path:
        return self.root / "redis" / "users.acl"

    @property
    def redis_data(self) -> Path:
        return self.root / "redis-data"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    def unit_key(self, unit_id: str) -> Path:
        return self.root / "unit-keys" / f"{unit_id}.pem"

    def unit_redis_password(self, unit_id: str) -> Path:
        return self.root / "unit-keys" / f"{unit_id}.redis-password"

    def redis_password(self, user: str, unit_id: str | None = None) -> Path:
        """The password file of a Redis user: a unit's beside its key, the others' in ``secrets``."""
        if unit_id is not None:
            return self.unit_redis_password(unit_id)
        return self.root / "secrets" / user / "redis-password"

    def move_legacy_files(self) -> None:
        """A state folder set up before the ``shared`` folder keeps its secret and organisation."""
        for old, new in (
            (self.root / "auth-secret", self.auth_secret),
            (self.root / "organisation.toml", self.organisation),
        ):
            if old.exists() and not new.exists():
                new.parent.mkdir(parents=True, exist_ok=True)
                old.rename(new)
