"""The operator amends the law as data: a new base salary, multiplier or factor, from a date, with who and when."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from awards.__main__ import main
from awards.adapters.rules_file import load_reward_rules
from awards.domain.rewards import Amendment, AmendmentKind, AmendmentRefused, RewardRules
from common.auth import Role
from tests.awards.support import OFFICER, approved, record, token
from tests.conftest import TEST_SECRET

OPERATOR = token(Role.OPERATOR)
NOW = datetime(2026, 11, 20, 3, tzinfo=UTC)


def amendment(kind: AmendmentKind, value: str, day: date, **extra: str | None) -> Amendment:
    return Amendment(
        kind=kind,
        value=Decimal(value),
        effective_from=day,
        source="Nghị định thử",
        recorded_by="Lê Văn An",
        recorded_at=NOW,
        **extra,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def rules() -> RewardRules:
    return load_reward_rules()


def test_an_amendment_takes_effect_from_its_date(rules: RewardRules) -> None:
    raised = rules.amended([amendment(AmendmentKind.BASE_SALARY, "2700000", date(2027, 1, 1))])
    assert raised.base_salary_on(date(2026, 12, 31)).amount_vnd == 2_530_000
    assert raised.base_salary_on(date(2027, 1, 1)).amount_vnd == 2_700_000
    assert raised.reward("giay-khen", "household", date(2027, 1, 1), grantor="commune").amount_vnd == 1_220_000
    multiplied = rules.amended([amendment(AmendmentKind.MULTIPLIER, "0.5", date(2027, 1, 1), form="giay-khen")])
    assert multiplied.reward("giay-khen", "individual", date(2027, 1, 1), grantor="commune").amount_vnd == 1_270_000
    assert multiplied.reward("giay-khen", "individual", date(2026, 12, 31), grantor="commune").amount_vnd == 760_000
    household = rules.amended(
        [amendment(AmendmentKind.KIND_FACTOR, "1.5", date(2024, 1, 1), recipient_kind="household")]
    )
    assert household.reward("giay-khen", "household", date(2025, 6, 30), grantor="commune").amount_vnd == 530_000
    assert rules.amended([]) is rules


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        (amendment(AmendmentKind.BASE_SALARY, "2340000", date(2024, 7, 1)), "a base salary already takes effect"),
        (amendment(AmendmentKind.BASE_SALARY, "2530000.5", date(2027, 1, 1)), "a whole number of đồng"),
        (amendment(AmendmentKind.BASE_SALARY, "0", date(2027, 1, 1)), "the value must be positive"),
        (amendment(AmendmentKind.MULTIPLIER, "1", date(2027, 1, 1), form="bang-khen"), "unknown form 'bang-khen'"),
        (amendment(AmendmentKind.MULTIPLIER, "1", date(2027, 1, 1)), "unknown form ''"),
        (
            amendment(AmendmentKind.MULTIPLIER, "0.2", date(2025, 7, 1), form="giay-khen"),
            "a multiplier of Giấy khen already takes effect on that day",
        ),
        (
            amendment(AmendmentKind.MULTIPLIER, "0.2", date(2027, 1, 1), form="giay-khen", grantor="ward"),
            "the grantor level is commune, district or province",
        ),
        (amendment(AmendmentKind.KIND_FACTOR, "2", date(2027, 1, 1)), "individual, collective or household"),
        (
            amendment(AmendmentKind.KIND_FACTOR, "2", date(2019, 7, 1), recipient_kind="collective"),
            "a factor for collective recipients already takes effect",
        ),
    ],
)
def test_an_amendment_that_would_make_the_rules_wrong_is_refused(rules: RewardRules, bad: Amendment, why: str) -> None:
    with pytest.raises(AmendmentRefused, match=why):
        rules.amended([bad])


def test_a_blank_legal_basis_is_refused(rules: RewardRules) -> None:
    blank = Amendment(AmendmentKind.BASE_SALARY, Decimal(2_700_000), date(2027, 1, 1), "  ", "Lê Văn An", NOW)
    with pytest.raises(AmendmentRefused, match="the legal basis is required"):
        rules.amended([blank])


async def test_the_operator_amends_and_the_next_decision_uses_it_without_a_restart(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    household = approved("household", "Hộ ông Lò Văn Páo", at=datetime(2025, 4, 10, 3, tzinfo=UTC))
    await record(app, household)
    body = {"exemplar_ids": [str(household.payload.exemplar_id)], "signed_on": "2025-06-30"}
    before = await client.post("/decisions", json=body, headers=OFFICER)
    assert before.status_code == 422
    assert "no reward factor for a household recipient is in force on 2025-06-30" in before.text

    factor = {
        "kind": "kind-factor",
        "value": "1.5",
        "recipient_kind": "household",
        "effective_from": "2024-01-01",
        "source": "Nghị định 98/2023/NĐ-CP",
        "verify": True,
    }
    refused = await client.post("/rules/amendments", json=factor, headers=OFFICER)
    recorded = await client.post("/rules/amendments", json=factor, headers=OPERATOR)
    again = await client.post("/rules/amendments", json=factor, headers=OPERATOR)
    after = await client.post("/decisions", json=body, headers=OFFICER)

    assert refused.status_code == 403  # only an operator amends the law
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["amendment"]["recorded_by"] == "Trần Văn Bình"
    assert recorded.json()["signed_since"] == 0
    assert again.status_code == 422
    assert "already takes effect on that day" in again.json()["detail"]["reason"]
    assert after.status_code == 201, after.text
    assert after.json()["total_amount_vnd"] == 1_060_000  # the district chairman's: 0.3 × 2,340,000 × 1.5
    assert after.json()["signer"] == "Chủ tịch Ủy ban nhân dân huyện Lâm Thao"
    listed = (await client.get("/rules/amendments", headers=OFFICER)).json()
    assert [(a["kind"], a["value"], a["recorded_by"]) for a in listed] == [("kind-factor", "1.5", "Trần Văn Bình")]
    in_force = (await client.get("/rules")).json()
    assert {"kind": "household", "effective_from": "2024-01-01"}.items() <= in_force["kind_factors"][-1].items()
    shown = (await client.get("/rules/amounts", params={"on": "2025-06-30"})).json()
    assert [r["amounts"]["household"] for r in shown if r["form"] == "giay-khen"] == [530_000]


async def test_bad_amendments_over_http_say_why(client: httpx.AsyncClient) -> None:
    cases = [
        {"kind": "base-salary", "value": "-1", "effective_from": "2027-01-01", "source": "Nghị định"},
        {"kind": "base-salary", "value": "2700000", "effective_from": "2027-13-01", "source": "Nghị định"},
        {"kind": "salary", "value": "2700000", "effective_from": "2027-01-01", "source": "Nghị định"},
        {"kind": "base-salary", "value": "2700000", "effective_from": "2027-01-01"},
        {"kind": "multiplier", "value": "1", "effective_from": "2027-01-01", "source": "Nghị định", "form": "x"},
    ]
    for body in cases:
        response = await client.post("/rules/amendments", json=body, headers=OPERATOR)
        assert response.status_code == 422, body
    assert (await client.get("/rules/amendments", headers=OFFICER)).json() == []


def test_the_operator_amends_from_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'awards.db'}")
    monkeypatch.setenv("AUTH_SECRET", TEST_SECRET)
    assert main(["migrate"]) == 0
    amend = ["rules", "amend", "--from", "2027-01-01", "--source", "Nghị định 9/2027/NĐ-CP", "--operator", "Lê Văn An"]

    assert main([*amend, "--base-salary", "2700000"]) == 0
    assert "recorded #1: base salary 2700000 VND from 2027-01-01" in capsys.readouterr().out
    assert main([*amend, "--base-salary", "2800000"]) == 1
    assert "refused: base salary 2800000 VND from 2027-01-01" in capsys.readouterr().out
    assert main([*amend, "--multiplier", "0.5", "--form", "giay-khen", "--grantor", "commune"]) == 0
    capsys.readouterr()

    assert main(["rules", "amendments"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert len(listing) == 2 and all("Lê Văn An" in line for line in listing)
    assert "multiplier 0.5 for giay-khen (commune) from 2027-01-01" in listing[1]

    assert main(["rules", "amounts", "--on", "2026-09-15", "--on", "2027-01-01"]) == 0
    table = capsys.readouterr().out
    assert "| 2026-09-15 | Giấy khen | commune | 760,000 | 1,520,000 | 1,140,000 |" in table
    assert "| 2027-01-01 | Giấy khen | commune | 1,350,000 | 2,700,000 | 2,030,000 |" in table
    with pytest.raises(SystemExit):
        main(["rules", "amend", "--base-salary", "abc", "--from", "2027-01-01", "--source", "x"])
