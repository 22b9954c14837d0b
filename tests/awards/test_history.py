"""Titles that need earlier ones, and titles held once a year, read from the registry's history."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from awards.adapters.rules_file import RulesFileError, default_rules_path, load_reward_rules
from awards.domain.history import Held, history_problems
from awards.domain.rewards import RewardRules
from common.auth import Role
from common.events import AwardGranted, TitleRecorded
from tests.awards.support import OFFICER, approved, record, token
from tests.helpers import outbox_events_of

RULES = load_reward_rules()
PERSON = uuid.uuid4()
IN_2026 = datetime(2026, 9, 1, 3, tzinfo=UTC)


def held(form: str, year: int, person: uuid.UUID = PERSON) -> Held:
    return Held(person, form, RULES.form(form).name, year, f"{year - 2000}/QĐ-UBND", date(year, 12, 20), "UBND", False)


def problems(form: str, history: list[Held], *, year: int = 2026, person: uuid.UUID | None = PERSON) -> list[str]:
    return list(
        history_problems(
            RULES, RULES.form(form), [(uuid.uuid4(), "Lê Thị Mai", person, year)], {PERSON: history}
        ).values()
    )


def test_the_provincial_emulation_fighter_needs_three_years_running_as_a_grassroots_one() -> None:
    three = [held("chien-si-thi-dua-co-so", y) for y in (2024, 2025, 2026)]
    assert problems("chien-si-thi-dua-cap-tinh", three) == []
    [gap] = problems("chien-si-thi-dua-cap-tinh", [held("chien-si-thi-dua-co-so", y) for y in (2023, 2025, 2026)])
    assert gap == (
        "Lê Thị Mai: cần đạt “Chiến sĩ thi đua cơ sở” 03 lần liên tục (các năm 2024–2026); "
        "sổ theo dõi ghi nhận: 2025, 2026"
    )
    [none] = problems("chien-si-thi-dua-cap-tinh", [])
    assert none.endswith("sổ theo dõi ghi nhận: chưa có năm nào")


def test_the_grassroots_emulation_fighter_needs_the_advanced_worker_title_of_the_year() -> None:
    assert problems("chien-si-thi-dua-co-so", [held("lao-dong-tien-tien", 2026)]) == []
    [missing] = problems("chien-si-thi-dua-co-so", [held("lao-dong-tien-tien", 2025)])
    assert "cần đạt “Lao động tiên tiến” năm 2026" in missing
    [unknown] = problems("chien-si-thi-dua-co-so", [], person=None)
    assert unknown.startswith("Lê Thị Mai (chưa có trong sổ theo dõi điển hình): ")


def test_a_title_is_held_once_for_a_year_and_a_certificate_as_often_as_given() -> None:
    [twice] = problems("lao-dong-tien-tien", [held("lao-dong-tien-tien", 2026)])
    assert (
        twice == "Lê Thị Mai đã được công nhận “Lao động tiên tiến” năm 2026 (Quyết định số 26/QĐ-UBND ngày 20/12/2026)"
    )
    assert problems("lao-dong-tien-tien", [held("lao-dong-tien-tien", 2025)]) == []
    assert problems("giay-khen", [held("giay-khen", 2026)]) == []
    # The same nominee twice in one decision for a yearly title.
    recipients = [(uuid.uuid4(), "Lê Thị Mai", PERSON, 2026), (uuid.uuid4(), "Lê Thị Mai", PERSON, 2026)]
    refused = history_problems(RULES, RULES.form("lao-dong-tien-tien"), recipients, {})
    assert list(refused) == [recipients[1][0]]


def test_a_requirement_must_name_a_form(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    text = default_rules_path().read_text(encoding="utf-8")
    path.write_text(
        text.replace('form = "lao-dong-tien-tien"\nyears = 1', 'form = "lao-dong-xuat-sac"\nyears = 1'),
        encoding="utf-8",
    )
    with pytest.raises(RulesFileError, match="requires lao-dong-xuat-sac, which is not a form"):
        load_reward_rules(path)


def test_the_shipped_requirements() -> None:
    wanted = {f.id: [(r.form, r.years) for r in f.requires] for f in RULES.forms if f.requires}
    assert wanted == {
        "chien-si-thi-dua-co-so": [("lao-dong-tien-tien", 1)],
        "chien-si-thi-dua-cap-tinh": [("chien-si-thi-dua-co-so", 3)],
        "tap-the-lao-dong-xuat-sac": [("tap-the-lao-dong-tien-tien", 1)],
        "co-thi-dua-ubnd-tinh": [("tap-the-lao-dong-xuat-sac", 1)],
    }
    assert isinstance(RULES, RewardRules)
    assert not RULES.form("giay-khen").once_a_year and RULES.form("lao-dong-tien-tien").once_a_year


# --- through the API, on real databases ------------------------------------------------------


async def exemplar_of(app: FastAPI, person: uuid.UUID, quarter: str = "2026-Q3") -> str:
    event = approved(name="Lê Thị Mai", at=IN_2026, quarter=quarter, person_id=person)
    await record(app, event)
    return str(event.payload.exemplar_id)


async def grant(client: httpx.AsyncClient, ids: list[str], form: str, **extra: str) -> httpx.Response:
    body = {"exemplar_ids": ids, "form": form, "signed_on": "2026-12-01", **extra}
    return await client.post("/decisions", json=body, headers=OFFICER)


async def test_titles_are_granted_in_the_order_the_law_needs_them(app: FastAPI, client: httpx.AsyncClient) -> None:
    person = uuid.uuid4()
    first = await exemplar_of(app, person, "2026-Q2")
    refused = await grant(client, [first], "chien-si-thi-dua-co-so")
    assert refused.status_code == 422, refused.text
    assert refused.json()["detail"]["exemplar_ids"] == [first]
    assert "cần đạt “Lao động tiên tiến” năm 2026" in refused.json()["detail"]["message"]

    assert (await grant(client, [first], "lao-dong-tien-tien")).status_code == 201
    assert (await grant(client, [first], "chien-si-thi-dua-co-so")).status_code == 201
    # Another exemplar of the same person in the same year: the yearly title is held already.
    second = await exemplar_of(app, person, "2026-Q3")
    again = await grant(client, [second], "lao-dong-tien-tien")
    assert again.status_code == 422
    assert "đã được công nhận “Lao động tiên tiến” năm 2026" in again.json()["detail"]["message"]
    assert (await grant(client, [second], "giay-khen")).status_code == 201  # a certificate may come again

    titles = (await client.get(f"/people/{person}/titles", headers=OFFICER)).json()
    assert [(t["form"], t["year"], t["recorded"]) for t in titles] == [
        ("lao-dong-tien-tien", 2026, False),
        ("chien-si-thi-dua-co-so", 2026, False),
        ("giay-khen", 2026, False),
    ]
    granted = [e.payload for e in await outbox_events_of(app) if isinstance(e.payload, AwardGranted)]
    assert {(g.person_id, g.year) for g in granted} == {(person, 2026)}


async def test_titles_given_before_the_system_count_once_the_office_records_them(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    person = uuid.uuid4()
    current = await exemplar_of(app, person)
    for form in ("lao-dong-tien-tien", "chien-si-thi-dua-co-so"):
        assert (await grant(client, [current], form)).status_code == 201
    province = {"authority": "ubnd-tinh-phu-tho", "number": "1523/QĐ-UBND"}
    refused = await grant(client, [current], "chien-si-thi-dua-cap-tinh", **province)
    assert refused.status_code == 422
    assert "sổ theo dõi ghi nhận: 2026" in refused.json()["detail"]["message"]

    for year, number in ((2024, "45/QĐ-UBND"), (2025, "38/QĐ-UBND")):
        body = {
            "form": "chien-si-thi-dua-co-so",
            "year": year,
            "decision_number": number,
            "signed_on": f"{year}-12-25",
            "authority_name": "Ủy ban nhân dân huyện Lâm Thao",
        }
        assert (
            await client.post(f"/people/{person}/titles", json=body, headers=token(Role.REVIEWER))
        ).status_code == 403
        kept = await client.post(f"/people/{person}/titles", json=body, headers=OFFICER)
        assert kept.status_code == 201, kept.text
        assert kept.json()["form_name"] == "Chiến sĩ thi đua cơ sở" and kept.json()["recorded"] is True
    twice = await client.post(f"/people/{person}/titles", json=body, headers=OFFICER)
    assert twice.status_code == 422  # a yearly title already recorded for 2025
    same_decision = await client.post(f"/people/{person}/titles", json={**body, "form": "giay-khen"}, headers=OFFICER)
    assert same_decision.status_code == 201
    assert (
        await client.post(f"/people/{person}/titles", json={**body, "form": "giay-khen"}, headers=OFFICER)
    ).status_code == 409
    unknown = await client.post(f"/people/{person}/titles", json={**body, "form": "huan-chuong"}, headers=OFFICER)
    assert unknown.status_code == 422
    early = await client.post(f"/people/{person}/titles", json={**body, "year": 2026}, headers=OFFICER)
    assert early.status_code == 422 and early.json()["detail"]["code"] == "signed-before-year"

    provincial = await grant(client, [current], "chien-si-thi-dua-cap-tinh", **province)
    assert provincial.status_code == 201, provincial.text
    assert provincial.json()["signer"] == "Chủ tịch Ủy ban nhân dân tỉnh Phú Thọ"
    recorded = [e.payload for e in await outbox_events_of(app) if isinstance(e.payload, TitleRecorded)]
    assert sorted(r.year for r in recorded) == [2024, 2025, 2025]
    assert all(r.person_id == person and r.recorded_by == "Trần Văn Bình" for r in recorded)
    listed = (await client.get("/exemplars", params={"person": str(person)}, headers=OFFICER)).json()
    assert [e["person_id"] for e in listed["items"]] == [str(person)]


async def test_two_decisions_at_once_grant_a_yearly_title_once(app: FastAPI, client: httpx.AsyncClient) -> None:
    person = uuid.uuid4()
    spring, summer = await exemplar_of(app, person, "2026-Q2"), await exemplar_of(app, person, "2026-Q3")
    answers = await asyncio.gather(
        grant(client, [spring], "lao-dong-tien-tien"), grant(client, [summer], "lao-dong-tien-tien")
    )
    assert sorted(a.status_code for a in answers) == [201, 422]
    titles = (await client.get(f"/people/{person}/titles", headers=OFFICER)).json()
    assert [(t["form"], t["year"]) for t in titles] == [("lao-dong-tien-tien", 2026)]


async def test_a_title_is_recorded_only_for_a_known_nominee_of_its_kind_and_a_past_decision(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    person = uuid.uuid4()
    await exemplar_of(app, person)
    body = {
        "form": "lao-dong-tien-tien",
        "year": 2025,
        "decision_number": "45/QĐ-UBND",
        "signed_on": "2025-12-25",
        "authority_name": "Ủy ban nhân dân huyện Lâm Thao",
    }
    unknown = await client.post(f"/people/{uuid.uuid4()}/titles", json=body, headers=OFFICER)
    assert unknown.status_code == 404 and unknown.json()["detail"]["code"] == "unknown-nominee"
    collective = await client.post(
        f"/people/{person}/titles", json={**body, "form": "tap-the-lao-dong-tien-tien"}, headers=OFFICER
    )
    assert collective.status_code == 422 and "không tặng cho cá nhân" in collective.json()["detail"]["message"]
    future = await client.post(f"/people/{person}/titles", json={**body, "signed_on": "2099-01-02"}, headers=OFFICER)
    assert future.status_code == 422 and "chưa đến" in future.json()["detail"]["message"]
    too_long = await client.post(
        f"/people/{person}/titles", json={**body, "decision_number": "9" * 61}, headers=OFFICER
    )
    assert too_long.status_code == 422
    assert (await client.post(f"/people/{person}/titles", json=body, headers=OFFICER)).status_code == 201
