"""Who may do what on the bus: one Redis user per service, per unit system, for the tools, and admin.

The rules are derived from the registry (which streams each service reads and writes) and the
organisation (which units post), never written by hand:

- ``svc-<service>`` adds entries to the streams it owns (and trims them), reads its input streams
  as its consumer group, and adds to the dead-letter streams of its inputs; the sole reader of a
  stream the units post to (nomination, of ``nomination.submissions``) trims that one too. Nothing else: no
  other stream, no key commands, no CONFIG, no FLUSHALL.
- ``unit-<unit>`` adds entries to ``nomination.submissions`` and reads its own outcome stream
  ``nomination.outcomes.<unit>``. It cannot read the submissions (other units' nominees), nor
  anyone's outcomes but its own, nor change the database it is in.
- ``tools`` (``exemplars-dead-letters``) reads the streams, and moves dead letters back to the
  stream they came from; it writes the audit stream.
- ``admin`` may do anything: the operator's console (``redis-cli --user admin``), and Redis's own
  health check. No program of the system uses it.

The ``default`` user is off. Consumer-group commands count as writes, so each grant sits in an
ACL selector (Redis 7.0 or newer) of its own: a service's group commands apply to its input
streams only, its XADD to its output streams and its dead-letter streams only.

An ACL file cannot read the environment: ``exemplars-setup`` writes it with each password as its
SHA-256 hash (``#<hex>``); the passwords themselves are files readable by their user alone.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from common import registry
from common.events import NominationSubmitted
from common.wire import dead_letter_stream, unit_outcome_stream
from exemplars_tools.dead_letters import AUDIT_STREAM

__all__ = [
    "ADMIN",
    "TOOLS",
    "Principal",
    "acl_file",
    "password_hash",
    "principals",
    "service_user",
    "unit_user",
]

ADMIN = "admin"
TOOLS = "tools"
SUBMISSIONS = NominationSubmitted.STREAM

# PING, AUTH, HELLO, ECHO, CLIENT SETNAME/ID/INFO, WAIT(AOF)…; not CLIENT KILL/LIST/PAUSE, which are
# also @dangerous.
_CONNECTION = "+@connection -@dangerous"
_GROUP_READ = "+xreadgroup +xack +xautoclaim +xclaim +xpending +xgroup|create +xinfo|groups +xinfo|stream +xlen"
_OWN_STREAM = "+xadd +xtrim +xinfo|stream +xinfo|groups +xpending +xlen +xrevrange"
_READ_ONLY = "+xread +xrange +xrevrange +xlen +xinfo|stream"
SESSION_KEYS = "session:*"  # common.web.sessions.KEY_PREFIX
SIGN_IN_KEYS = "signin:*"  # staff.entrypoints.signin_web.PENDING_PREFIX and ID_TOKEN_PREFIX
SESSION_INDEX = "sessions-of:*"  # common.web.sessions.INDEX_PREFIX
_SAFE_KEY = re.compile(r"^[a-z0-9][a-z0-9.-]*$")  # no glob characters in a key pattern


def service_user(service: str) -> str:
    return f"svc-{service}"


def unit_user(unit_id: str) -> str:
    return f"unit-{unit_id}"


def _keys(names: Iterable[str]) -> str:
    out = []
    for name in names:
        if not _SAFE_KEY.match(name.replace(".*", "")):
            raise ValueError(f"{name!r} cannot be an ACL key pattern")
        out.append(f"~{name}")
    return " ".join(out)


@dataclass(frozen=True)
class Principal:
    """A Redis user and its rules (without the ``user``, ``on`` and password parts)."""

    name: str
    kind: str  # admin, tools, service, unit
    rules: str
    unit_id: str | None = None


def _service(entry: registry.ServiceEntry) -> Principal:
    own = [*entry.produces, *(template.format(unit="*") for template in entry.produces_per_unit)]
    parts = [f"resetkeys resetchannels -@all {_CONNECTION} +multi +exec +discard"]
    if own:
        parts.append(f"({_keys(own)} {_OWN_STREAM})")
    # The staff's sessions: every service reads them (GETEX: a read restarts the idle time); the
    # sign-in service alone creates and ends them, and keeps sign-ins sent to the provider.
    if entry.signs_in:
        parts.append(
            f"(~{SESSION_KEYS} ~{SIGN_IN_KEYS} ~{SESSION_INDEX} +get +getex +set +del +getdel +sadd +smembers +expire)"
        )
    else:
        parts.append(f"(~{SESSION_KEYS} +get +getex)")
    if entry.operates:
        parts.append(_operating())
    if entry.consumes:
        parts.append(f"({_keys(entry.consumes)} {_GROUP_READ})")
        posted = [s for s in registry.streams_trimmed_by(entry) if s in entry.consumes]
        if posted:  # a stream the units post to, which this service alone reads: it trims it too
            parts.append(f"({_keys(posted)} +xtrim)")
        parts.append(f"({_keys(dead_letter_stream(s) for s in entry.consumes)} +xadd)")
    return Principal(service_user(entry.name), "service", " ".join(parts))


def _unit(unit_id: str) -> Principal:
    rules = (
        f"resetkeys resetchannels -@all {_CONNECTION} -select "
        f"({_keys([SUBMISSIONS])} +xadd) "
        f"(%R{_keys([unit_outcome_stream(unit_id)])} {_READ_ONLY})"
    )
    return Principal(unit_user(unit_id), "unit", rules, unit_id)


def _operating() -> str:
    """What the operator's tools and console may do: read every stream, and move dead letters back."""
    read = registry.streams_read()
    dead = [dead_letter_stream(s) for s in read]
    return (
        f"(%R~* {_READ_ONLY} +xinfo|groups +scan +type) "
        # The redrive script: XRANGE and XDEL on the dead-letter stream, XADD to its source.
        f"({_keys([*read, *dead])} +eval +evalsha +script|load +xadd +xdel +xrange) "
        f"({_keys([AUDIT_STREAM])} +xadd)"
    )


def _tools() -> Principal:
    return Principal(TOOLS, "tools", f"resetkeys resetchannels -@all {_CONNECTION} {_operating()}")


def principals(unit_ids: Iterable[str]) -> list[Principal]:
    """Every Redis user of the system, from the registry and the organisation's units."""
    users = [Principal(ADMIN, "admin", "~* &* +@all"), _tools()]
    users += [_service(entry) for entry in registry.SERVICES]
    users += [_unit(unit_id) for unit_id in sorted(set(unit_ids))]
    return users


def password_hash(password: str) -> str:
    return "#" + hashlib.sha256(password.encode()).hexdigest()


def acl_file(users: Iterable[Principal], passwords: Mapping[str, str]) -> str:
    """The ACL file: ``default`` off, then each user with its password's hash and its rules."""
    lines = ["user default off resetkeys resetchannels -@all"]
    for user in users:
        lines.append(f"user {user.name} on {password_hash(passwords[user.name])} {user.rules}")
    return "\n".join(lines) + "\n"
