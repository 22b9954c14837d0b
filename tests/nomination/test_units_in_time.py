"""Intake asks the organisation about a unit as of the day of the submission."""

from __future__ import annotations

from datetime import date

from common.organisation import default_organisation_path, load_organisation
from nomination.domain.model import unit_problems

ORG = load_organisation(default_organisation_path())


def problems(unit_id: str, day: date) -> list[tuple[str, str]]:
    return [(r.code, r.message) for r in unit_problems(ORG.standing(unit_id, day), unit_id, day)]


def test_a_unit_nominates_while_it_exists() -> None:
    assert problems("xa-cao-xa", date(2025, 6, 30)) == []
    assert problems("xa-ban-nguyen", date(2025, 6, 30)) == []
    assert problems("xa-ban-nguyen", date(2025, 7, 1)) == []


def test_a_merged_town_names_the_commune_it_became() -> None:
    assert problems("tt-hung-son", date(2026, 1, 5)) == [
        (
            "unit-ended",
            "thị trấn Hùng Sơn không còn là đơn vị giới thiệu từ ngày 01/07/2025; nay giới thiệu qua xã Lâm Thao",
        )
    ]


def test_a_district_office_names_the_four_communes_offices() -> None:
    [(code, message)] = problems("hoi-nong-dan-huyen", date(2026, 1, 5))
    assert code == "unit-ended"
    assert message.startswith(
        "Hội Nông dân huyện không còn là đơn vị giới thiệu từ ngày 01/07/2025; nay giới thiệu qua "
    )
    assert "Hội Nông dân xã Bản Nguyên" in message


def test_a_unit_without_successor_just_ended() -> None:
    assert problems("ban-tuyen-giao-huyen-uy", date(2026, 1, 5)) == [
        ("unit-ended", "Ban Tuyên giáo Huyện ủy không còn là đơn vị giới thiệu từ ngày 01/07/2025")
    ]


def test_a_commune_formed_in_2025_did_not_exist_before() -> None:
    assert problems("xa-lam-thao", date(2025, 6, 30)) == [
        ("unit-not-yet", "đơn vị xa-lam-thao chưa được thành lập vào ngày 30/06/2025")
    ]
