"""Nomination windows on real databases: late entries flagged or refused, an extension for one unit,
reminders sent once to the units that have not nominated, and the office's API."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import select

from common.auth import Role
from common.dates import quarter_bounds, quarter_label, quarter_of, quarter_shift, vietnam_date
from common.db import Database
from common.errors import Unprocessable
from common.events import DeadlineNear, NominationFlagged, OutcomeKind, SubmissionOutcome, UnitReminded
from common.migrations import upgrade
from common.organisation import Organisation, default_organisation_path, load_organisation
from exemplars_tools.state import StateFolder
from nomination.adapters.orm import messaging, reminders
from nomination.adapters.repository import NominationStore
from nomination.config import MIGRATIONS
from nomination.domain.windows import Calendar, Extension, LatePolicy, Window
from nomination.integration import to_integration
from nomination.service.handlers import Intake, NominationUnitOfWork
from nomination.service.reminders import send_reminders
from nomination.service.windows import extend_deadline, owing
from tests.helpers import eventually, stream_events, units_of_work
from tests.nomination.support import processors, running_nomination, signed, stored_nomination
from tests.nomination.test_batches import outbox_events
from tests.nomination.test_intake import auth, client, service, submission  # noqa: F401  (fixtures)
from tests.nomination.test_registry import store

TODAY = vietnam_date(datetime.now(UTC))
THIS = quarter_of(TODAY)
LAST = quarter_shift(THIS, -1)


def organisation(state: Path) -> Organisation:
    return load_organisation(StateFolder(state).organisation)


def ended_last_quarter(late: LatePolicy) -> Calendar:
    """Last quarter's deadline was its last day; late entries either refused or taken for a month."""
    first, last = quarter_bounds(LAST)
    closes = TODAY + timedelta(days=30) if late is LatePolicy.FLAG else last
    return Calendar(quarters=(Window(LAST, first, last, late, closes, "kế hoạch"),))


def uow_of(db: Database) -> Callable[[], NominationUnitOfWork]:
    return units_of_work(db, "nomination", messaging, NominationStore, to_integration)


async def outcomes(db: Database) -> list[SubmissionOutcome]:
    return [e.payload for e in await outbox_events(db) if isinstance(e.payload, SubmissionOutcome)]


async def test_a_late_entry_is_taken_and_flagged(db: Database, state: Path) -> None:
    intake = processors(db, organisation(state), ended_last_quarter(LatePolicy.FLAG))["nomination.submissions"]
    _, delivery = signed(state, submission(quarter=LAST))
    assert await intake([delivery]) == []
    [told] = await outcomes(db)
    assert told.outcome is OutcomeKind.ACCEPTED
    [late] = told.reasons
    assert late.code == "late-entry"
    assert f"hồ sơ nhận ngày {TODAY.strftime('%d/%m/%Y')}" in late.message
    [flagged] = [e.payload for e in await outbox_events(db) if isinstance(e.payload, NominationFlagged)]
    assert flagged.warnings[0] == late  # the reviewer is told too


async def test_a_late_entry_refused_by_policy_until_the_office_extends_the_units_deadline(
    db: Database, state: Path
) -> None:
    calendar = ended_last_quarter(LatePolicy.REFUSE)
    found = organisation(state)
    intake = processors(db, found, calendar)["nomination.submissions"]
    _, delivery = signed(state, submission(quarter=LAST))
    assert await intake([delivery]) == []
    [refused] = await outcomes(db)
    assert refused.outcome is OutcomeKind.REFUSED
    assert [r.code for r in refused.reasons] == ["quarter-closed"]

    extension = Extension(
        LAST, "xa-ban-nguyen", TODAY + timedelta(days=3), "mất điện cả tuần", "Trần Văn Bình", datetime.now(UTC)
    )
    await extend_deadline(uow_of(db)(), Intake(found, calendar), extension)
    _, again = signed(state, submission(quarter=LAST))
    assert await intake([again]) == []
    accepted = (await outcomes(db))[-1]
    assert accepted.outcome is OutcomeKind.ACCEPTED and accepted.reasons == []
    # Another unit has no extension.
    _, other = signed(state, submission("xa-lam-thao", quarter=LAST), "xa-lam-thao")
    assert await intake([other]) == []
    assert (await outcomes(db))[-1].outcome is OutcomeKind.REFUSED


async def test_the_day_is_when_the_entry_reached_us_not_what_the_sender_wrote(db: Database, state: Path) -> None:
    calendar = ended_last_quarter(LatePolicy.REFUSE)
    intake = processors(db, organisation(state), calendar)["nomination.submissions"]
    # Signed with a time on last quarter's deadline; posted today.
    backdated = datetime.combine(quarter_bounds(LAST)[1], datetime.min.time(), UTC) + timedelta(hours=3)
    _, delivery = signed(state, submission(quarter=LAST), occurred_at=backdated)
    assert await intake([delivery]) == []
    [refused] = await outcomes(db)
    assert [r.code for r in refused.reasons] == ["quarter-closed"]


async def test_an_extension_must_extend_and_name_a_unit(db: Database, state: Path) -> None:
    intake = Intake(organisation(state), ended_last_quarter(LatePolicy.REFUSE))
    early = Extension(LAST, "xa-ban-nguyen", quarter_bounds(LAST)[1], "lý do", "B", datetime.now(UTC))
    with pytest.raises(Unprocessable, match="not-an-extension"):
        await extend_deadline(uow_of(db)(), intake, early)
    unknown = Extension(LAST, "xa-khong-co", TODAY + timedelta(days=3), "lý do", "B", datetime.now(UTC))
    with pytest.raises(Unprocessable, match="unknown-unit"):
        await extend_deadline(uow_of(db)(), intake, unknown)


def due_in_a_week() -> Calendar:
    """This quarter's deadline a week from today; last quarter's long past."""
    first, last = quarter_bounds(LAST)
    past = Window(LAST, first, last, LatePolicy.REFUSE, last)
    deadline = TODAY + timedelta(days=7)
    current = Window(THIS, quarter_bounds(THIS)[0], deadline, LatePolicy.REFUSE, deadline)
    return Calendar(quarters=(past, current))


async def test_units_that_have_not_nominated_are_reminded_once_at_each_stage(db: Database, state: Path) -> None:
    found = organisation(state)
    intake = Intake(found, due_in_a_week())
    in_being = {u.id for u in found.units if u.valid_on(TODAY)}
    await store(db, stored_nomination("xa-ban-nguyen", THIS, "Lê Thị Mai"))
    await store(db, stored_nomination("xa-cao-xa", THIS, "Nguyễn Văn An"))  # an ended unit's old row

    sent = await send_reminders(uow_of(db)(), intake)
    assert {r.unit_id for r in sent} == in_being - {"xa-ban-nguyen"}
    assert {r.days_left for r in sent} == {7}
    assert await send_reminders(uow_of(db)(), intake) == []  # once per stage
    in_two_days = datetime.now(UTC) + timedelta(days=2)
    assert await send_reminders(uow_of(db)(), intake, now=in_two_days) == []  # still the 7-day stage
    six_days_on = datetime.now(UTC) + timedelta(days=6)
    assert {r.days_left for r in await send_reminders(uow_of(db)(), intake, now=six_days_on)} == {1}

    reminded = [e.payload for e in await outbox_events(db) if isinstance(e.payload, UnitReminded)]
    assert len(reminded) == 2 * (len(in_being) - 1)
    xuan_lung = next(r for r in reminded if r.unit_id == "xa-xuan-lung" and r.days_left == 7)
    deadline = (TODAY + timedelta(days=7)).strftime("%d/%m/%Y")
    assert xuan_lung.message == (
        f"Xã Xuân Lũng chưa gửi hồ sơ giới thiệu điển hình tiên tiến {quarter_label(THIS)}; "
        f"hạn gửi là ngày {deadline} (còn 7 ngày)."
    )
    async with db.read() as conn:
        rows = (await conn.execute(select(reminders.c.unit_id, reminders.c.days_before))).all()
    assert len(rows) == len(reminded)


async def test_an_extension_brings_reminders_of_its_own(db: Database, state: Path) -> None:
    found = organisation(state)
    intake = Intake(found, due_in_a_week())
    six_days_on = datetime.now(UTC) + timedelta(days=6)
    assert "xa-xuan-lung" in {r.unit_id for r in await send_reminders(uow_of(db)(), intake, now=six_days_on)}
    later = TODAY + timedelta(days=20)
    await extend_deadline(
        uow_of(db)(), intake, Extension(THIS, "xa-xuan-lung", later, "Bão số 3", "B", datetime.now(UTC))
    )
    thirteen_days_on = datetime.now(UTC) + timedelta(days=13)  # a week before the new deadline
    [again] = await send_reminders(uow_of(db)(), intake, now=thirteen_days_on)
    assert (again.unit_id, again.deadline, again.days_left) == ("xa-xuan-lung", later, 7)


async def test_two_replicas_at_once_send_each_reminder_once(db: Database, state: Path) -> None:
    intake = Intake(organisation(state), due_in_a_week())
    first, second = await asyncio.gather(send_reminders(uow_of(db)(), intake), send_reminders(uow_of(db)(), intake))
    both = [r.unit_id for r in first + second]
    assert both and len(both) == len(set(both))
    reminded = [e.payload for e in await outbox_events(db) if isinstance(e.payload, UnitReminded)]
    told_units = [e.payload for e in await outbox_events(db) if isinstance(e.payload, DeadlineNear)]
    assert sorted(r.unit_id for r in reminded) == sorted(both) == sorted(r.unit_id for r in told_units)
    assert told_units[0].stream() == f"nomination.outcomes.{told_units[0].unit_id}"  # the unit's own stream


async def test_across_the_merger_a_commune_owes_what_its_predecessors_owed(db: Database, state: Path) -> None:
    """Quý II năm 2025 ended on 30/06/2025; its deadline, 15/07/2025, came after the four communes were formed."""
    found = organisation(state)
    intake = Intake(found, Calendar())
    await store(db, stored_nomination("tt-lam-thao", "2025-Q2", "Nguyễn Văn Bình"))  # before the merger
    week_before = datetime(2025, 7, 8, 3, tzinfo=UTC)
    sent = {r.unit_id for r in await send_reminders(uow_of(db)(), intake, now=week_before)}
    assert "xa-lam-thao" not in sent  # Lâm Thao town, one of the three it was formed from, nominated
    assert {"xa-ban-nguyen", "xa-xuan-lung", "xa-phung-nguyen"} <= sent


def test_a_body_formed_after_the_quarter_from_nothing_owes_nothing(tmp_path: Path) -> None:
    new_body = (
        '\n[[units]]\nid = "xa-ban-nguyen-hoi-khuyen-hoc"\nname = "Hội Khuyến học xã Bản Nguyên"\n'
        'kind = "mass-organisation"\nlevel = "commune"\nblock = "khoi-doan-the-xa-ban-nguyen"\n'
        'authority = "ubnd-xa-ban-nguyen"\nfrom = 2025-07-01\n'
    )
    path = tmp_path / "organisation.toml"
    path.write_text(default_organisation_path().read_text(encoding="utf-8") + new_body, encoding="utf-8")
    found = load_organisation(path)
    assert "xa-ban-nguyen-hoi-khuyen-hoc" not in owing(found, "2025-Q2", date(2025, 7, 8))
    assert "xa-ban-nguyen-hoi-khuyen-hoc" in owing(found, "2025-Q3", date(2025, 10, 8))
    assert "xa-ban-nguyen-hoi-phu-nu" in owing(found, "2025-Q2", date(2025, 7, 8))  # formed from the district's


async def test_the_running_service_reminds_on_its_own(
    db_url: str, redis_url: str, redis_client: Redis, state: Path, tmp_path: Path
) -> None:
    deadline = TODAY + timedelta(days=1)
    windows = tmp_path / "windows.toml"
    windows.write_text(
        f'[rule]\nlate = "refuse"\n\n[[quarters]]\nquarter = "{THIS}"\nopens = {quarter_bounds(THIS)[0]}\n'
        f'deadline = {deadline}\nlate = "refuse"\n\n[[quarters]]\nquarter = "{LAST}"\n'
        f'opens = {quarter_bounds(LAST)[0]}\ndeadline = {quarter_bounds(LAST)[1]}\nlate = "refuse"\n',
        encoding="utf-8",
    )
    in_being = len({u.id for u in organisation(state).units if u.valid_on(TODAY)})
    upgrade(MIGRATIONS, db_url)
    async with running_nomination(db_url, redis_url, state, windows_file=windows, reminder_seconds=0.2):

        async def reminded() -> list[dict[str, Any]]:
            found = [e for e in await stream_events(redis_client, "nomination.events") if e["type"] == "UnitReminded"]
            return found if len(found) >= in_being else []

        found = await eventually(reminded)
        await asyncio.sleep(0.5)  # more rounds of the task: nothing more is sent
    assert len(await stream_events(redis_client, "nomination.events")) == len(found) == in_being
    assert {e["data"]["days_left"] for e in found} == {1}
    assert {e["data"]["deadline"] for e in found} == {deadline.isoformat()}
    [told] = await stream_events(redis_client, "nomination.outcomes.xa-ban-nguyen")  # the unit's own system
    assert (told["type"], told["data"]["days_left"]) == ("DeadlineNear", 1)


# --- the office's API -------------------------------------------------------------------------


async def test_the_office_sets_a_window_extends_a_deadline_and_sees_who_is_missing(
    client: httpx.AsyncClient,  # noqa: F811
) -> None:
    reviewer = auth(Role.REVIEWER)
    deadline = TODAY + timedelta(days=10)
    body = {
        "opens": quarter_bounds(THIS)[0].isoformat(),
        "deadline": deadline.isoformat(),
        "late": "refuse",
        "reason": "Tổng kết năm sớm theo Kế hoạch số 12/KH-UBND",
    }
    assert (await client.put(f"/windows/{THIS}", json=body, headers=auth())).status_code == 403  # a clerk
    changed = await client.put(f"/windows/{THIS}", json=body, headers=reviewer)
    assert changed.status_code == 200, changed.text
    assert changed.json()["deadline"] == deadline.isoformat()
    assert changed.json()["closes"] == deadline.isoformat()
    assert changed.json()["basis"] == body["reason"]

    wrong = await client.put(
        f"/windows/{THIS}", json={**body, "closes": (deadline + timedelta(days=1)).isoformat()}, headers=reviewer
    )
    assert wrong.status_code == 422 and wrong.json()["detail"]["code"] == "invalid-window"
    backwards = await client.put(f"/windows/{THIS}", json={**body, "deadline": "2020-01-01"}, headers=reviewer)
    assert backwards.status_code == 422
    assert backwards.json()["detail"]["message"].startswith(f"hạn giới thiệu {quarter_label(THIS)} không thể trước")
    late_open = {**body, "opens": (deadline + timedelta(days=1)).isoformat()}
    inverted = await client.put(f"/windows/{THIS}", json=late_open, headers=reviewer)
    assert inverted.status_code == 422 and "không được sau hạn chót" in inverted.json()["detail"]["message"]

    later = {"unit_id": "xa-xuan-lung", "deadline": (deadline + timedelta(days=5)).isoformat(), "reason": "Bão số 3"}
    extended = await client.post(f"/windows/{THIS}/extensions", json=later, headers=reviewer)
    assert extended.status_code == 201, extended.text
    assert extended.json()["recorded_by"] == "Cán bộ"
    not_later = await client.post(
        f"/windows/{THIS}/extensions", json={**later, "deadline": TODAY.isoformat()}, headers=reviewer
    )
    assert not_later.status_code == 422 and not_later.json()["detail"]["code"] == "not-an-extension"
    assert "phải sau ngày đó" in not_later.json()["detail"]["message"]

    assert (await client.post("/nominations", json=submission(), headers=auth())).status_code == 201
    report = (await client.get(f"/windows/{THIS}", headers=reviewer)).json()
    missing = {u["unit_id"]: u for u in report["missing"]}
    assert "xa-ban-nguyen" not in missing and [u["unit_id"] for u in report["done"]] == ["xa-ban-nguyen"]
    assert report["nominated"] == 1 and report["units"] == 1 + len(missing)
    assert missing["xa-xuan-lung"]["extended"] is True
    assert missing["xa-xuan-lung"]["deadline"] == later["deadline"]
    assert (await client.get(f"/windows/{THIS}", headers=auth())).status_code == 403  # the office's list

    # A clerk sees the windows, and only its own unit's extensions.
    seen = (await client.get(f"/windows?quarter={THIS}", headers=auth(unit="xa-xuan-lung"))).json()
    assert seen[0]["deadline"] == deadline.isoformat() and len(seen[0]["extensions"]) == 1
    other = (await client.get(f"/windows?quarter={THIS}", headers=auth())).json()
    assert other[0]["extensions"] == []
    three = (await client.get("/windows", headers=auth())).json()
    assert [w["quarter"] for w in three] == [LAST, THIS, quarter_shift(THIS, 1)]
    assert (await client.get("/windows?quarter=2026-Q9", headers=auth())).status_code == 422
    many = "&".join(f"quarter=2026-Q{1 + i % 4}" for i in range(13))
    assert (await client.get(f"/windows?{many}", headers=auth())).status_code == 422
    for role in (Role.CLERK, Role.COUNCIL, Role.OPERATOR, Role.EDITOR):
        refused = await client.post(f"/windows/{THIS}/extensions", json=later, headers=auth(role))
        assert refused.status_code == 403, role


async def test_a_submission_after_the_offices_deadline_is_refused_over_http(
    client: httpx.AsyncClient,  # noqa: F811
) -> None:
    first, last = quarter_bounds(LAST)
    body = {"opens": first.isoformat(), "deadline": last.isoformat(), "late": "refuse", "reason": "Theo kế hoạch"}
    assert (await client.put(f"/windows/{LAST}", json=body, headers=auth(Role.OFFICER))).status_code == 200
    refused = await client.post("/nominations", json=submission(quarter=LAST), headers=auth())
    assert refused.status_code == 422
    [reason] = refused.json()["detail"]["reasons"]
    assert reason["code"] == "quarter-closed"
    assert f"nay nhận giới thiệu cho {quarter_label(THIS)}" in reason["message"]
