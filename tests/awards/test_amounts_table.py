"""The amounts a commune's decisions pay, on the dates around each change of the law, as the system computes them.

Giấy khen of the commune chairman: 0.15 before 2025-07-01, 0.3 from then (Decree 152/2025);
base salary 1,800,000 (2023-07-01), 2,340,000 (2024-07-01), 2,530,000 (2026-07-01); collective
×2 and household ×1.5 (from 2025-07-01) before rounding up to 10,000 VND. "—" where the form is
not given to that kind, or no rule was in force (no household factor is recorded before 2025-07-01).
"""

from __future__ import annotations

from datetime import date

import pytest

from awards.adapters.rules_file import load_reward_rules
from awards.cli import amounts_table
from awards.domain.rewards import RewardRules

DAYS = [date(2024, 3, 1), date(2025, 6, 30), date(2025, 7, 1), date(2026, 6, 30), date(2026, 7, 1), date(2026, 9, 15)]
COMMUNE_FORMS = [
    "giay-khen",
    "lao-dong-tien-tien",
    "chien-si-thi-dua-co-so",
    "tap-the-lao-dong-tien-tien",
    "gia-dinh-van-hoa",
    "thon-to-dan-pho-van-hoa",
]
N = None  # not given to that kind / no rule in force
# individual, collective, household for each form above, in that order
EXPECTED: dict[date, list[tuple[int | None, int | None, int | None]]] = {
    date(2024, 3, 1): [
        (270_000, 540_000, N),  # 0.15 × 1,800,000; ×2
        (540_000, N, N),
        (1_800_000, N, N),
        (N, 1_440_000, N),  # 0.8 × 1,800,000
        (N, N, 180_000),  # 0.1 × 1,800,000
        (N, 2_700_000, N),  # 1.5 × 1,800,000
    ],
    date(2025, 6, 30): [
        (360_000, 710_000, N),  # 351,000 → 360,000; 702,000 → 710,000 (×2 before rounding)
        (710_000, N, N),
        (2_340_000, N, N),
        (N, 1_880_000, N),  # 1,872,000
        (N, N, 240_000),  # 234,000
        (N, 3_510_000, N),
    ],
    date(2025, 7, 1): [
        (710_000, 1_410_000, 1_060_000),  # 702,000; 1,404,000; 1,053,000
        (710_000, N, N),
        (2_340_000, N, N),
        (N, 1_880_000, N),
        (N, N, 240_000),
        (N, 3_510_000, N),
    ],
    date(2026, 6, 30): [
        (710_000, 1_410_000, 1_060_000),
        (710_000, N, N),
        (2_340_000, N, N),
        (N, 1_880_000, N),
        (N, N, 240_000),
        (N, 3_510_000, N),
    ],
    date(2026, 7, 1): [
        (760_000, 1_520_000, 1_140_000),  # 759,000; 1,518,000; 1,138,500
        (760_000, N, N),
        (2_530_000, N, N),
        (N, 2_030_000, N),  # 2,024,000
        (N, N, 260_000),  # 253,000
        (N, 3_800_000, N),  # 3,795,000
    ],
    date(2026, 9, 15): [
        (760_000, 1_520_000, 1_140_000),
        (760_000, N, N),
        (2_530_000, N, N),
        (N, 2_030_000, N),
        (N, N, 260_000),
        (N, 3_800_000, N),
    ],
}


@pytest.fixture(scope="module")
def rules() -> RewardRules:
    return load_reward_rules()


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_what_a_commune_authority_pays_on_each_date(rules: RewardRules, day: date) -> None:
    rows = {row.form.id: row for row in rules.amounts_on(day, grantor="commune")}
    found = [
        tuple(
            v if isinstance(v, int) else None
            for v in (rows[f].amounts[k] for k in ("individual", "collective", "household"))
        )
        for f in COMMUNE_FORMS
    ]
    assert found == EXPECTED[day]
    assert {rows[f].grantor for f in COMMUNE_FORMS} == {"commune"}


def test_a_missing_amount_says_why(rules: RewardRules) -> None:
    [giay_khen] = [r for r in rules.amounts_on(date(2025, 6, 30), grantor="commune") if r.form.id == "giay-khen"]
    assert giay_khen.amounts["household"] == "no reward factor for a household recipient is in force on 2025-06-30"
    [title] = [r for r in rules.amounts_on(date(2025, 6, 30), grantor="commune") if r.form.id == "lao-dong-tien-tien"]
    assert title.amounts["collective"] == "Lao động tiên tiến is given to individual recipients, not collective"


def test_what_the_commune_proposes_to_the_province(rules: RewardRules) -> None:
    rows = {row.form.id: row for row in rules.amounts_on(date(2026, 9, 15), grantor="commune")}
    assert rows["bang-khen-ubnd-tinh"].grantor == "province"
    assert rows["bang-khen-ubnd-tinh"].amounts == {
        "individual": 3_800_000,  # 1.5 × 2,530,000 = 3,795,000
        "collective": 7_590_000,
        "household": 5_700_000,  # 5,692,500
    }
    assert rows["chien-si-thi-dua-cap-tinh"].amounts["individual"] == 7_590_000  # 3.0
    assert rows["tap-the-lao-dong-xuat-sac"].amounts["collective"] == 3_800_000  # 1.5
    assert rows["co-thi-dua-ubnd-tinh"].amounts["collective"] == 20_240_000  # 8.0
    # The provincial Bằng khen was 1.0 before the reform (1,800,000 in March 2024) and 1.5 after.
    before = {row.form.id: row for row in rules.amounts_on(date(2024, 3, 1), grantor="commune")}
    assert before["bang-khen-ubnd-tinh"].amounts["individual"] == 1_800_000


def test_the_table_reads_as_the_office_writes_amounts(rules: RewardRules) -> None:
    table = amounts_table(rules, [date(2026, 9, 15)], "commune").splitlines()
    assert table[0] == "| signing date | form | granted at | individual | collective | household |"
    assert "| 2026-09-15 | Giấy khen | commune | 760,000 | 1,520,000 | 1,140,000 |" in table
    assert "| 2026-09-15 | Gia đình văn hóa | commune | — | — | 260,000 |" in table
