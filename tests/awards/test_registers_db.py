"""Decision registers (Decree 30/2020/NĐ-CP, art. 15), and who signs on which date, on real databases.

Each authority numbers its own decisions per calendar year from 01, in the order of their dates;
a decision is not dated before the approval it commends; where the document office numbers, the
number is entered at signing and checked.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from awards.adapters.orm import decisions
from awards.bootstrap import bootstrap
from awards.config import MIGRATIONS, Settings
from common.migrations import upgrade
from common.organisation import default_organisation_path
from tests.awards.support import OFFICER, approved, count, record
from tests.conftest import TEST_SECRET

IN_2024 = datetime(2024, 11, 5, 3, tzinfo=UTC)


async def exemplar(app: FastAPI, unit: str, *, at: datetime = IN_2024, kind: str = "individual") -> str:
    event = approved(kind, f"Người của {unit}", at=at, unit=unit)
    await record(app, event)
    return str(event.payload.exemplar_id)


async def sign(client: httpx.AsyncClient, ids: list[str], signed_on: str, **extra: str) -> httpx.Response:
    body = {"exemplar_ids": ids, "signed_on": signed_on, **extra}
    return await client.post("/decisions", json=body, headers=OFFICER)


async def test_cao_xa_is_commended_by_the_district_until_the_reform_and_by_ban_nguyen_after(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    before = await sign(client, [await exemplar(app, "xa-cao-xa")], "2025-06-30")
    after = await sign(client, [await exemplar(app, "xa-cao-xa")], "2026-09-15")

    assert before.status_code == 201, before.text
    assert after.status_code == 201, after.text
    assert {k: before.json()[k] for k in ("authority_id", "authority_name", "signer", "decision_number")} == {
        "authority_id": "ubnd-huyen-lam-thao",
        "authority_name": "Ủy ban nhân dân huyện Lâm Thao",
        "signer": "Chủ tịch Ủy ban nhân dân huyện Lâm Thao",
        "decision_number": "01/QĐ-UBND",
    }
    assert {k: after.json()[k] for k in ("authority_id", "authority_name", "signer", "decision_number")} == {
        "authority_id": "ubnd-xa-ban-nguyen",
        "authority_name": "Ủy ban nhân dân xã Bản Nguyên",
        "signer": "Chủ tịch Ủy ban nhân dân xã Bản Nguyên",
        "decision_number": "01/QĐ-UBND",
    }
    # Giấy khen of the district chairman, 0.3 × 2,340,000; of the commune chairman from 2026-07-01, 0.3 × 2,530,000.
    assert before.json()["total_amount_vnd"] == 710_000
    assert after.json()["total_amount_vnd"] == 760_000


async def test_each_authority_numbers_its_own_register_per_year(app: FastAPI, client: httpx.AsyncClient) -> None:
    numbers = []
    for unit, signed_on in [
        ("xa-ban-nguyen", "2025-12-30"),
        ("xa-ban-nguyen", "2026-01-05"),
        ("xa-lam-thao", "2026-01-05"),
        ("xa-ban-nguyen-hoi-phu-nu", "2026-01-06"),
        ("xa-lam-thao-mttq", "2026-01-07"),
    ]:
        response = await sign(client, [await exemplar(app, unit)], signed_on)
        assert response.status_code == 201, response.text
        numbers.append((response.json()["authority_id"], response.json()["decision_number"]))
    assert numbers == [
        ("ubnd-xa-ban-nguyen", "01/QĐ-UBND"),
        ("ubnd-xa-ban-nguyen", "01/QĐ-UBND"),  # a new year, a new register
        ("ubnd-xa-lam-thao", "01/QĐ-UBND"),
        ("ubnd-xa-ban-nguyen", "02/QĐ-UBND"),
        ("ubnd-xa-lam-thao", "02/QĐ-UBND"),
    ]
    one = await client.get("/decisions", params={"year": 2026, "authority": "ubnd-xa-lam-thao"}, headers=OFFICER)
    assert [d["decision_number"] for d in one.json()["items"]] == ["01/QĐ-UBND", "02/QĐ-UBND"]
    assert one.json()["total"] == 2


async def test_mixed_authorities_are_refused_in_one_decision(app: FastAPI, client: httpx.AsyncClient) -> None:
    ids = [await exemplar(app, "xa-ban-nguyen"), await exemplar(app, "xa-lam-thao")]
    response = await sign(client, ids, "2026-09-15")
    assert response.status_code == 422
    assert "one decision is signed by one authority" in response.json()["detail"]["reason"]
    assert await count(app.state.runtime.db, decisions) == 0


async def test_a_decision_is_not_dated_before_the_last_of_its_register(app: FastAPI, client: httpx.AsyncClient) -> None:
    first = await sign(client, [await exemplar(app, "xa-ban-nguyen")], "2026-09-15")
    assert first.status_code == 201, first.text

    earlier = await sign(client, [await exemplar(app, "xa-ban-nguyen")], "2026-09-10")
    other_register = await sign(client, [await exemplar(app, "xa-lam-thao")], "2026-09-10")
    same_day = await sign(client, [await exemplar(app, "xa-ban-nguyen")], "2026-09-15")

    assert earlier.status_code == 409
    assert earlier.json()["detail"]["reason"] == (
        "signed_on 2026-09-10 is before 2026-09-15, the date of decision 01/QĐ-UBND,"
        " the number before it in the register"
    )
    assert other_register.status_code == 201, other_register.text
    assert same_day.status_code == 201, same_day.text
    assert same_day.json()["decision_number"] == "02/QĐ-UBND"  # the refused one took no number


async def test_a_decision_is_not_dated_before_the_approval_it_commends(app: FastAPI, client: httpx.AsyncClient) -> None:
    approved_then = datetime(2026, 8, 31, 18, tzinfo=UTC)  # 01:00 on 1 September in Hà Nội
    late = await exemplar(app, "xa-ban-nguyen", at=approved_then)
    ready = await exemplar(app, "xa-ban-nguyen")

    refused = await sign(client, [ready, late], "2026-08-31")
    accepted = await sign(client, [ready, late], "2026-09-01")

    assert refused.status_code == 422
    assert refused.json()["detail"]["exemplar_ids"] == [late]
    assert "was approved on 2026-09-01" in refused.json()["detail"]["reason"]
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["decision_number"] == "01/QĐ-UBND"


async def test_a_generated_register_refuses_an_entered_number(app: FastAPI, client: httpx.AsyncClient) -> None:
    response = await sign(client, [await exemplar(app, "xa-ban-nguyen")], "2026-09-15", number="163/QĐ-UBND")
    assert response.status_code == 422
    assert "numbered here, at signing; leave the number out" in response.json()["detail"]["reason"]


@pytest.fixture
def entered_numbers(tmp_path: Path) -> Path:
    """The default organisation, with Lâm Thao commune's document office numbering its decisions."""
    text = default_organisation_path().read_text(encoding="utf-8")
    marker = 'id = "ubnd-xa-lam-thao"\n'
    assert marker in text
    path = tmp_path / "organisation.toml"
    path.write_text(text.replace(marker, marker + 'numbering = "entered"\n'), encoding="utf-8")
    return path


@pytest.fixture
async def entered(
    db_url: str, redis_url: str, entered_numbers: Path
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    upgrade(MIGRATIONS, db_url)
    settings = Settings(
        database_url=db_url,
        redis_url=redis_url,
        auth_secret=SecretStr(TEST_SECRET),
        organisation_file=entered_numbers,
    )
    application = bootstrap(settings)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://awards") as http:
            yield application, http


async def test_where_the_document_office_numbers_the_number_is_entered_and_checked(
    entered: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = entered

    async def lam_thao() -> list[str]:
        return [await exemplar(app, "xa-lam-thao")]

    missing = await sign(client, await lam_thao(), "2026-09-15")
    wrong_register = await sign(client, await lam_thao(), "2026-09-15", number="163/QĐ-CT")
    first = await sign(client, await lam_thao(), "2026-09-15", number="163/QĐ-UBND")
    taken = await sign(client, await lam_thao(), "2026-09-16", number="163/QĐ-UBND")
    lower_but_later = await sign(client, await lam_thao(), "2026-09-16", number="150/QĐ-UBND")
    higher_but_earlier = await sign(client, await lam_thao(), "2026-09-14", number="170/QĐ-UBND")
    lower_and_earlier = await sign(client, await lam_thao(), "2026-09-14", number="150/QĐ-UBND")
    small_number_late = await sign(client, await lam_thao(), "2026-11-02", number="09/QĐ-UBND")
    generated_elsewhere = await sign(client, [await exemplar(app, "xa-ban-nguyen")], "2026-09-15")

    assert missing.status_code == 422
    assert "numbers its decisions in its own register: enter the number" in missing.json()["detail"]["reason"]
    assert wrong_register.status_code == 422
    assert "its numbers end in /QĐ-UBND" in wrong_register.json()["detail"]["reason"]
    assert first.status_code == 201, first.text
    assert first.json()["decision_number"] == "163/QĐ-UBND"
    assert (first.json()["year"], first.json()["seq"]) == (2026, 163)
    assert taken.status_code == 409
    assert (
        "163/QĐ-UBND of 2026 is already in the register of Ủy ban nhân dân xã Lâm Thao"
        in taken.json()["detail"]["reason"]
    )
    assert lower_but_later.status_code == 409
    assert "the number after it in the register" in lower_but_later.json()["detail"]["reason"]
    assert higher_but_earlier.status_code == 409
    assert "the number before it in the register" in higher_but_earlier.json()["detail"]["reason"]
    assert lower_and_earlier.status_code == 201, lower_and_earlier.text
    assert small_number_late.status_code == 409  # 09 comes before 150, so cannot be dated after it
    assert generated_elsewhere.json()["decision_number"] == "01/QĐ-UBND"
    assert await count(app.state.runtime.db, decisions) == 3


async def test_the_provinces_decision_on_the_communes_proposal_is_recorded_with_its_number(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    ids = [await exemplar(app, "xa-ban-nguyen")]
    bang_khen = {"form": "bang-khen-ubnd-tinh"}

    own = await sign(client, ids, "2026-09-15", **bang_khen)
    peer = await sign(client, ids, "2026-09-15", **bang_khen, authority="ubnd-xa-lam-thao")
    unknown = await sign(client, ids, "2026-09-15", **bang_khen, authority="ubnd-tinh-vinh-phuc")
    unnumbered = await sign(client, ids, "2026-09-15", **bang_khen, authority="ubnd-tinh-phu-tho")
    recorded = await sign(client, ids, "2026-09-15", **bang_khen, authority="ubnd-tinh-phu-tho", number="2150/QĐ-UBND")

    assert own.status_code == 422
    assert "Ủy ban nhân dân xã Bản Nguyên may not grant Bằng khen" in own.json()["detail"]["reason"]
    assert peer.status_code == 422
    assert "does not stand above Ủy ban nhân dân xã Bản Nguyên" in peer.json()["detail"]["reason"]
    assert unknown.status_code == 422
    assert unnumbered.status_code == 422
    assert (
        "Ủy ban nhân dân tỉnh Phú Thọ numbers its decisions in its own register"
        in unnumbered.json()["detail"]["reason"]
    )
    assert recorded.status_code == 201, recorded.text
    decision = recorded.json()
    assert (decision["authority_id"], decision["decision_number"]) == ("ubnd-tinh-phu-tho", "2150/QĐ-UBND")
    assert decision["signer"] == "Chủ tịch Ủy ban nhân dân tỉnh Phú Thọ"
    assert decision["total_amount_vnd"] == 3_800_000  # 1.5 × 2,530,000 = 3,795,000


async def test_a_communes_exemplars_roll_up_those_of_the_communes_merged_into_it(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    cao_xa = await exemplar(app, "xa-cao-xa")  # 2024, before the merger
    ban_nguyen = await exemplar(app, "xa-ban-nguyen", at=datetime(2026, 9, 1, 3, tzinfo=UTC))
    await exemplar(app, "xa-lam-thao", at=datetime(2026, 9, 1, 3, tzinfo=UTC))
    alone = (await client.get("/exemplars", params={"unit": "xa-ban-nguyen"}, headers=OFFICER)).json()
    rolled = (
        await client.get("/exemplars", params={"unit": "xa-ban-nguyen", "lineage": "true"}, headers=OFFICER)
    ).json()
    assert [e["exemplar_id"] for e in alone["items"]] == [ban_nguyen]
    assert [e["exemplar_id"] for e in rolled["items"]] == [cao_xa, ban_nguyen]
