"""Every forbidden act on the bus, tried by each kind of Redis user, is refused by Redis itself.

The services run as ``make run`` starts them (their own Redis, the ACL file ``exemplars-setup``
wrote). A whole nomination goes through first, so that every stream exists and the services are
seen to need nothing beyond their grants (Redis's ACL log stays empty). Then each act of the table
is tried; the table, with its results, is the one in docs/security.md.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis

from common.auth import Role
from common.events import (
    EventPayload,
    ExemplarApproved,
    ExemplarRejected,
    NominationAccepted,
    OutcomeKind,
    Reason,
    StoryPublished,
    SubmissionOutcome,
    new_event,
)
from tests.e2e.conftest import STORIES_OUT
from tests.e2e.stack import Driver, driving, wait_for
from tests.publishing.builders import approved, granted

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
UNIT, OTHER = "xa-ban-nguyen", "xa-lam-thao"


def _forged(payload: EventPayload, producer: str) -> dict[Any, Any]:
    return {"event": new_event(payload, producer=producer).envelope.model_dump_json()}


def _approved() -> ExemplarApproved:
    return approved(name="Người chưa từng được giới thiệu", unit_name="Xã Bản Nguyên").payload


FORGERIES: dict[str, tuple[str, EventPayload, str]] = {
    "NominationAccepted": (
        "nomination.events",
        NominationAccepted(**_approved().model_dump(exclude={"exemplar_id", "decided_by", "note"})),
        "nomination",
    ),
    "ExemplarApproved": ("review.events", _approved(), "review"),
    "ExemplarRejected": (
        "review.events",
        ExemplarRejected(
            nomination_id=uuid.uuid4(),
            unit_id=UNIT,
            decided_by="Kẻ giả mạo",
            reasons=[Reason(code="gia-mao", message="Giả mạo")],
        ),
        "review",
    ),
    "StoryPublished": (
        "publishing.events",
        StoryPublished(
            story_id=uuid.uuid4(),
            exemplar_id=uuid.uuid4(),
            nomination_id=uuid.uuid4(),
            channel="web",
            title="Tin giả",
            url="http://127.0.0.1/gia",
        ),
        "publishing",
    ),
    "AwardGranted": (
        "awards.events",
        granted(_approved(), decision_number="9999/QĐ-GIẢ", signer="Kẻ giả mạo").payload,
        "awards",
    ),
    "SubmissionOutcome": (
        f"nomination.outcomes.{OTHER}",
        SubmissionOutcome(unit_id=OTHER, submission_event_id=uuid.uuid4(), outcome=OutcomeKind.APPROVED),
        "nomination",
    ),
}

Command = Callable[[redis.Redis], Any]


@dataclass(frozen=True)
class Act:
    who: str  # unit, service (review), tools, anonymous
    what: str
    command: Command
    allowed: bool = False


def _xadd(stream: str, fields: dict[Any, Any]) -> Command:
    return lambda r: r.xadd(stream, fields)


def _acts() -> list[Act]:
    acts: list[Act] = []
    for name, (stream, payload, producer) in FORGERIES.items():
        acts.append(Act("unit", f"forge {name} (XADD {stream})", _xadd(stream, _forged(payload, producer))))
    acts += [
        Act(
            "unit",
            "post a submission (XADD nomination.submissions)",
            lambda r: r.xadd("nomination.submissions", {"jws": "x.y.z"}),
            allowed=True,
        ),
        Act(
            "unit",
            "read its own outcomes (XRANGE nomination.outcomes.<own>)",
            lambda r: r.xrange(f"nomination.outcomes.{UNIT}"),
            allowed=True,
        ),
        Act(
            "unit",
            "read another unit's outcomes (XRANGE nomination.outcomes.<other>)",
            lambda r: r.xrange(f"nomination.outcomes.{OTHER}"),
        ),
        Act("unit", "follow another unit's outcomes (XREAD)", lambda r: r.xread({f"nomination.outcomes.{OTHER}": "0"})),
        Act(
            "unit",
            "read every unit's submissions (XRANGE nomination.submissions)",
            lambda r: r.xrange("nomination.submissions"),
        ),
        Act(
            "unit",
            "read refused entries (XRANGE nomination.submissions.dead)",
            lambda r: r.xrange("nomination.submissions.dead"),
        ),
        Act(
            "unit",
            "read as a service's group (XREADGROUP)",
            lambda r: r.xreadgroup("nomination", "x", {"nomination.submissions": ">"}),
        ),
        Act("unit", "trim the submissions (XTRIM)", lambda r: r.xtrim("nomination.submissions", maxlen=0)),
        Act("unit", "delete entries (XDEL)", lambda r: r.xdel("nomination.submissions", "0-1")),
        Act("unit", "delete a stream (DEL)", lambda r: r.delete("review.events")),
        Act(
            "unit", "drop a group (XGROUP DESTROY)", lambda r: r.xgroup_destroy("nomination.submissions", "nomination")
        ),
        Act("unit", "list the keys (KEYS, SCAN)", lambda r: r.keys("*")),
        Act("unit", "change the configuration (CONFIG SET)", lambda r: r.config_set("appendonly", "no")),
        Act("unit", "read the configuration (CONFIG GET)", lambda r: r.config_get("*")),
        Act("unit", "empty the database (FLUSHALL)", lambda r: r.flushall()),
        Act("unit", "switch database (SELECT 5)", lambda r: r.execute_command("SELECT", 5)),
        Act("unit", "run a script (EVAL)", lambda r: r.eval("return 1", 0)),
        Act("unit", "see the users (ACL LIST)", lambda r: r.acl_list()),
        Act("unit", "see other clients (CLIENT LIST)", lambda r: r.client_list()),
        Act("unit", "stop Redis (SHUTDOWN)", lambda r: r.execute_command("SHUTDOWN", "NOSAVE")),
        Act(
            "service",
            "look at its own stream (XINFO STREAM review.events)",
            lambda r: r.xinfo_stream("review.events"),
            allowed=True,
        ),
        Act(
            "service",
            "write another service's stream (XADD awards.events)",
            lambda r: r.xadd("awards.events", _forged(FORGERIES["AwardGranted"][1], "awards")),
        ),
        Act(
            "service",
            "write a stream it reads (XADD nomination.events)",
            lambda r: r.xadd("nomination.events", {"event": "{}"}),
        ),
        Act(
            "service",
            "read a stream it does not read (XRANGE nomination.submissions)",
            lambda r: r.xrange("nomination.submissions"),
        ),
        Act(
            "service",
            "read another's stream as a group (XREADGROUP awards.events)",
            lambda r: r.xreadgroup("review", "x", {"awards.events": ">"}),
        ),
        Act(
            "service",
            "read a unit's outcomes (XRANGE nomination.outcomes.<unit>)",
            lambda r: r.xrange(f"nomination.outcomes.{UNIT}"),
        ),
        Act(
            "service",
            "trim a stream it reads (XTRIM nomination.events)",
            lambda r: r.xtrim("nomination.events", maxlen=0),
        ),
        Act("service", "delete a stream (DEL review.events)", lambda r: r.delete("review.events")),
        Act("service", "empty the database (FLUSHALL)", lambda r: r.flushall()),
        Act("service", "change the configuration (CONFIG SET)", lambda r: r.config_set("appendonly", "no")),
        Act(
            "tools",
            "read a dead-letter stream (XRANGE nomination.submissions.dead)",
            lambda r: r.xrange("nomination.submissions.dead"),
            allowed=True,
        ),
        Act(
            "tools",
            "write a stream no dead letter comes from (XADD publishing.events)",
            lambda r: r.xadd("publishing.events", {"event": "{}"}),
        ),
        Act("tools", "delete a stream (DEL)", lambda r: r.delete("review.events")),
        Act("tools", "empty the database (FLUSHALL)", lambda r: r.flushall()),
        Act("tools", "change the configuration (CONFIG SET)", lambda r: r.config_set("appendonly", "no")),
        Act("anonymous", "anything without a user (PING)", lambda r: r.ping()),
        Act("default", "log in as the default user (AUTH default …)", lambda r: r.ping()),
    ]
    return acts


def _client(driver: Driver, who: str) -> redis.Redis:
    server = driver.server
    if who == "unit":
        return server.client(f"unit-{UNIT}", UNIT)
    if who == "service":
        return server.client("svc-review")
    if who == "tools":
        return server.client("tools")
    if who == "default":
        return redis.Redis(host=server.host, port=server.port, username="default", password="")
    return redis.Redis(host=server.host, port=server.port)


def _try(client: redis.Redis, act: Act) -> str:
    try:
        act.command(client)
    except redis.exceptions.NoPermissionError:
        return "refused (NOPERM)"
    except redis.AuthenticationError as error:
        return "refused (WRONGPASS)" if "invalid username-password" in str(error) else "refused (NOAUTH)"
    except redis.ResponseError as error:
        if "WRONGPASS" in str(error) or "NOPERM" in str(error):
            return "refused (" + str(error).split()[0] + ")"
        raise
    return "allowed"


def render_table(rows: list[tuple[Act, str]]) -> str:
    lines = ["| who | act | result |", "|---|---|---|"]
    lines += [f"| {act.who} | {act.what} | {result} |" for act, result in rows]
    return "\n".join(lines)


@pytest.fixture
def driver(tmp_path: Path) -> Iterator[Driver]:
    with driving(tmp_path / "state", {}, auto_approve=STORIES_OUT) as d:
        yield d


def test_every_forbidden_act_is_refused_and_the_services_need_nothing_more(driver: Driver) -> None:
    clerk = driver.token(Role.CLERK, UNIT)
    reviewer = driver.token(Role.REVIEWER)
    event_id = driver.post_signed(UNIT, 1)
    status = wait_for(lambda: driver.submission_status(event_id, clerk), what="taken in")
    nomination_id = status["nomination"]["nomination_id"]
    wait_for(
        lambda: driver.post("review", f"/reviews/{nomination_id}/approve", {}, reviewer).status_code == 200,
        what="approved",
    )
    wait_for(lambda: driver.stream_events("publishing.events"), what="story published")
    wait_for(lambda: driver.stream_events(f"nomination.outcomes.{UNIT}")[1:], what="the unit told of the approval")
    assert driver.redis.acl_log() == [], "a service was refused something it needs"

    rows = []
    for act in _acts():
        with contextlib.closing(_client(driver, act.who)) as client:
            rows.append((act, _try(client, act)))
    wrong = [(a.who, a.what, r) for a, r in rows if (r == "allowed") != a.allowed]
    assert not wrong, wrong
    table = render_table(rows)
    documented = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    assert table in documented, "docs/security.md must carry this table:\n" + table

    # Nothing forged reached anyone: one story, for the real nomination; no award.
    stories = driver.get("publishing", "/api/stories").json()
    items = stories["items"] if isinstance(stories, dict) else stories
    assert [s["nomination_id"] for s in items] == [nomination_id]
    assert driver.stream_events("awards.events") == []
    outcomes = [e["data"]["outcome"] for e in driver.stream_events(f"nomination.outcomes.{UNIT}")]
    assert outcomes == ["accepted", "approved"]
    assert not driver.redis.exists(f"nomination.outcomes.{OTHER}")
