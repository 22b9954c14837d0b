"""The dead-letter command on a real Redis, against the nomination service running in this process.

The story an operator lives: a unit's key is missing from the organisation file, so its signed
submissions are dead-lettered as ``unknown-key``. The key is registered, the service restarted,
and the dead letters sent back: each nomination is then taken in exactly once, however often
the command is repeated.
"""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import tomlkit
from redis.asyncio import Redis

from common.events import NominationSubmitted, new_event
from common.migrations import upgrade
from common.organisation import load_organisation
from common.signing import sign_compact
from exemplars_tools.cli import setup_state
from exemplars_tools.dead_letters import AUDIT_STREAM, execute
from exemplars_tools.redis_server import RedisServer, start_redis
from exemplars_tools.state import StateFolder
from nomination.config import MIGRATIONS
from tests.helpers import add_entry, eventually, open_quarter, stream_entries, stream_events, stream_fields
from tests.nomination.support import running_nomination
from tests.servers import free_port

UNIT = "xa-ban-nguyen"
OTHER = "xa-lam-thao"
SUBMISSIONS = "nomination.submissions"
DEAD = "nomination.submissions.dead"


def signed_submission(state: Path, unit: str) -> tuple[str, dict[str, str]]:
    data = {
        "unit_id": unit,
        "quarter": open_quarter(),
        "field": "agriculture",
        "nominee": {"kind": "individual", "name": f"Hà Thị Lan {uuid.uuid4().hex[:6]}", "title": "Nông dân"},
        "achievements": "Mô hình chăn nuôi an toàn sinh học, giúp 12 hộ trong khu thoát nghèo.",
        "consent_to_publish": True,
    }
    event = new_event(NominationSubmitted.model_validate(data), producer=unit)
    payload = event.envelope.model_dump_json().encode()
    return str(event.event_id), {"jws": sign_compact(payload, (state / "unit-keys" / f"{unit}.pem").read_bytes(), unit)}


def forget_key(state: Path, unit: str) -> None:
    """The organisation file as it was before the unit's key was registered."""
    path = StateFolder(state).organisation
    document = tomlkit.parse(path.read_text(encoding="utf-8"))
    for table in document["units"]:
        if table["id"] == unit:
            table.pop("keys", None)
    path.write_text(tomlkit.dumps(document), encoding="utf-8")
    assert not load_organisation(path).keys_of(unit)


@pytest.fixture
def state(tmp_path: Path) -> Path:
    setup_state(tmp_path / "state")
    forget_key(tmp_path / "state", UNIT)
    return tmp_path / "state"


@pytest.fixture
def server(state: Path) -> Iterator[RedisServer]:
    """A Redis with the system's users: the service and the tools connect as their own."""
    redis = start_redis(StateFolder(state), free_port())
    yield redis
    redis.stop()


@pytest.fixture
def redis_url(server: RedisServer) -> str:
    return server.url


@pytest.fixture
async def redis_client(server: RedisServer) -> AsyncIterator[Redis]:
    client = Redis.from_url(server.admin_url)
    yield client
    await client.aclose()


ServiceRunner = Callable[[], Any]


@pytest.fixture
def nomination_service(db_url: str, redis_url: str, state: Path) -> ServiceRunner:
    upgrade(MIGRATIONS, db_url)

    return lambda: running_nomination(db_url, redis_url, state, redis_user="svc-nomination")


async def command(server: RedisServer, *argv: str) -> tuple[int, str]:
    out = io.StringIO()
    password_file = str(server.state.redis_password("tools"))
    options = ["--redis-url", server.url, "--redis-user", "tools", "--redis-password-file", password_file]
    code = await execute([*options, "--operator", "Nguyễn Văn Vận", *argv], out=out)
    return code, out.getvalue()


async def accepted_causes(redis: Redis) -> list[str]:
    """The submission event ids each NominationAccepted answers, in stream order (duplicates kept)."""
    events = await stream_events(redis, "nomination.events")
    return [event["causation_id"] for event in events if event["type"] == "NominationAccepted"]


async def settled(redis: Redis) -> bool:
    """The intake group has read everything on its stream and holds nothing unacknowledged."""
    [group] = await redis.xinfo_groups(SUBMISSIONS)
    return bool(group["lag"] == 0 and group["pending"] == 0)


async def test_redriven_entries_are_taken_in_once_after_the_cause_is_removed(
    nomination_service: ServiceRunner, redis_client: Redis, server: RedisServer, state: Path
) -> None:
    blocked = [signed_submission(state, UNIT) for _ in range(5)]
    fine = signed_submission(state, OTHER)
    async with nomination_service():
        for _, fields in [*blocked, fine]:
            await add_entry(redis_client, SUBMISSIONS, fields)
        await eventually(lambda: _length_is(redis_client, DEAD, 5))
        await eventually(lambda: settled(redis_client))
    assert await accepted_causes(redis_client) == [fine[0]]

    code, listing = await command(server, "list")
    assert code == 0
    assert f"{DEAD}: 5" in listing and "5  unknown-key  (group nomination)" in listing and "total: 5" in listing
    code, one_by_one = await command(server, "list", SUBMISSIONS, "--reason", "unknown-key")
    ids = [line.split()[0] for line in one_by_one.splitlines() if "unknown-key" in line]
    assert code == 0 and len(ids) == 5
    code, shown = await command(server, "show", DEAD, ids[0])
    letter = json.loads(shown)
    assert code == 0 and letter["reason_code"] == "unknown-key" and letter["group"] == "nomination"
    assert letter["original"]["jws"] == blocked[0][1]["jws"]

    # The operator registers the key (the setup tool restores it from the unit's key file) and restarts.
    setup_state(state)
    async with nomination_service():
        code, sent = await command(server, "redrive", SUBMISSIONS, "--reason", "unknown-key")
        assert code == 0 and "sent back: 5" in sent
        # Again, by reason and by the old ids: nothing is left to send.
        assert await command(server, "redrive", SUBMISSIONS, "--all") == (0, "sent back: 0\n")
        code, again = await command(server, "redrive", SUBMISSIONS, ids[0])
        assert code == 1 and "sent back: 0" in again
        await eventually(lambda: _count_is(redis_client, 6))
        await eventually(lambda: settled(redis_client))

    causes = await accepted_causes(redis_client)
    assert sorted(causes) == sorted([fine[0], *(event_id for event_id, _ in blocked)])
    assert len(causes) == len(set(causes)) == 6
    assert await redis_client.xlen(DEAD) == 0
    audit = [{k: v.decode() for k, v in f.items()} for f in await stream_fields(redis_client, AUDIT_STREAM)]
    assert [(a["action"], a["count"], a["operator"]) for a in audit] == [
        ("redrive", "5", "Nguyễn Văn Vận"),
        ("redrive", "0", "Nguyễn Văn Vận"),
        ("redrive", "0", "Nguyễn Văn Vận"),
    ]
    assert sorted(json.loads(audit[0]["entries"])) == sorted(ids)


async def test_delete_removes_only_the_chosen_dead_letters_and_says_what_was_missing(
    redis_client: Redis, server: RedisServer
) -> None:
    for code in ("unknown-key", "unknown-key", "bad-signature"):
        await add_entry(
            redis_client,
            DEAD,
            {"reason_code": code, "reason": "…", "stream": SUBMISSIONS, "group": "nomination", "original.jws": "x.y.z"},
        )
    [first, second, _] = [entry_id for entry_id, _ in await stream_entries(redis_client, DEAD)]
    assert await command(server, "delete", SUBMISSIONS, first, "1-1") == (1, "deleted: 1\n")
    assert await command(server, "delete", SUBMISSIONS, "--reason", "bad-signature") == (0, "deleted: 1\n")
    assert [entry_id for entry_id, _ in await stream_entries(redis_client, DEAD)] == [second]
    assert [f["action"] for f in await stream_fields(redis_client, AUDIT_STREAM)] == [b"delete", b"delete"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["redrive", "nomination.unknown"], "no service reads 'nomination.unknown'"),
        (["redrive", SUBMISSIONS], "name the entries, or give --reason CODE, or --all"),
        (["delete", SUBMISSIONS, "1-0", "--all"], "give entry ids, or --reason, or --all: not several"),
    ],
)
async def test_a_request_that_names_nothing_clearly_is_refused(
    server: RedisServer, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (await command(server, *argv))[0] == 2
    assert message in capsys.readouterr().err


async def test_show_of_a_missing_dead_letter_fails(server: RedisServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert await command(server, "show", SUBMISSIONS, "1-0") == (1, "")
    assert "no dead letter 1-0 in nomination.submissions.dead" in capsys.readouterr().err


async def test_an_unreachable_redis_is_said_plainly(server: RedisServer, capsys: pytest.CaptureFixture[str]) -> None:
    gone = RedisServer("127.0.0.1", 1, server.state)
    assert (await command(gone, "list"))[0] == 3
    assert "Redis at redis://127.0.0.1:1/0 does not answer" in capsys.readouterr().err


async def test_a_password_file_that_cannot_be_read_is_said_plainly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere" / "redis-password"
    assert await execute(["--redis-password-file", str(missing), "list"]) == 2
    assert "cannot read the Redis password" in capsys.readouterr().err


async def _length_is(redis: Redis, stream: str, n: int) -> bool:
    return bool(await redis.xlen(stream) == n)


async def _count_is(redis: Redis, n: int) -> bool:
    return len(await accepted_causes(redis)) == n
