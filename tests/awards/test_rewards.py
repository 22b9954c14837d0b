"""Unit tests of the reward rules: the shipped data, exact decimals, rounding and effective dates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from awards.adapters.rules_file import RulesFileError, default_rules_path, load_reward_rules
from awards.domain.rewards import NoRuleInForce, RecipientNotEligible, RewardRules, UnknownForm, round_up


@pytest.fixture(scope="module")
def rules() -> RewardRules:
    return load_reward_rules()


def amount(rules: RewardRules, form: str, kind: str, day: date, grantor: str = "district") -> int:
    return rules.reward(form, kind, day, grantor=grantor).amount_vnd


def test_giay_khen_individual_collective_household_in_2026(rules: RewardRules) -> None:
    signed = date(2026, 3, 2)
    individual = rules.reward("giay-khen", "individual", signed, grantor="district")
    assert individual.multiplier == Decimal("0.3")
    assert individual.base_salary_vnd == Decimal(2_340_000)
    assert individual.amount_vnd == 710_000  # 702,000 rounded up
    assert amount(rules, "giay-khen", "collective", signed) == 1_410_000  # 1,404,000 rounded up
    assert amount(rules, "giay-khen", "household", signed) == 1_060_000  # 1,053,000 rounded up


def test_amounts_are_exact_decimals(rules: RewardRules) -> None:
    reward = rules.reward("giay-khen", "household", date(2026, 3, 2), grantor="district")
    assert all(isinstance(v, Decimal) for v in (reward.multiplier, reward.kind_factor, reward.base_salary_vnd))
    assert reward.multiplier * reward.base_salary_vnd * reward.kind_factor == Decimal("1053000")


@pytest.mark.parametrize(
    ("raw", "rounded"),
    [
        (Decimal(700_000), 700_000),
        (Decimal(700_001), 710_000),
        (Decimal("709999.99"), 710_000),
        (Decimal(702_000), 710_000),
        (Decimal(0), 0),
    ],
)
def test_round_up_to_ten_thousand(raw: Decimal, rounded: int) -> None:
    assert round_up(raw, Decimal(10_000)) == rounded


def test_an_exact_multiple_is_not_rounded(rules: RewardRules) -> None:
    # 0.3 × 1,800,000 = 540,000 exactly (base salary of early 2024); 1.0 × 2,340,000 likewise.
    assert amount(rules, "lao-dong-tien-tien", "individual", date(2024, 3, 1)) == 540_000
    assert amount(rules, "chien-si-thi-dua-co-so", "individual", date(2026, 3, 2)) == 2_340_000


@pytest.mark.parametrize(
    ("day", "base"),
    [
        (date(2019, 7, 1), 1_490_000),
        (date(2023, 6, 30), 1_490_000),
        (date(2023, 7, 1), 1_800_000),
        (date(2024, 6, 30), 1_800_000),
        (date(2024, 7, 1), 2_340_000),
        (date(2026, 6, 30), 2_340_000),
        (date(2026, 7, 1), 2_530_000),  # Decree 161/2026/NĐ-CP
        (date(2026, 12, 31), 2_530_000),
    ],
)
def test_base_salary_in_force_on_the_signing_date(rules: RewardRules, day: date, base: int) -> None:
    assert rules.base_salary_on(day).amount_vnd == base


def test_the_signing_date_decides_not_the_grant_date(rules: RewardRules) -> None:
    assert amount(rules, "lao-dong-tien-tien", "individual", date(2024, 6, 30)) == 540_000
    assert amount(rules, "lao-dong-tien-tien", "individual", date(2024, 7, 1)) == 710_000


def test_before_any_base_salary_period_is_a_clear_error(rules: RewardRules) -> None:
    with pytest.raises(NoRuleInForce, match=r"no base salary is recorded for 2019-06-30.*2019-07-01"):
        rules.base_salary_on(date(2019, 6, 30))


def test_no_multiplier_before_the_law_took_effect(rules: RewardRules) -> None:
    with pytest.raises(NoRuleInForce, match="Giấy khen has no multiplier in force on 2023-12-31"):
        rules.reward("giay-khen", "individual", date(2023, 12, 31), grantor="district")


def test_household_factor_only_from_1_july_2025(rules: RewardRules) -> None:
    with pytest.raises(NoRuleInForce, match="household"):
        rules.reward("giay-khen", "household", date(2025, 6, 30), grantor="district")
    assert amount(rules, "giay-khen", "household", date(2025, 7, 1)) == 1_060_000


def test_commune_chairmans_giay_khen_paid_half_before_1_july_2025(rules: RewardRules) -> None:
    # 0.15 × 2,340,000 = 351,000 → 360,000
    assert amount(rules, "giay-khen", "individual", date(2025, 6, 30), grantor="commune") == 360_000
    assert amount(rules, "giay-khen", "individual", date(2025, 6, 30), grantor="district") == 710_000
    assert amount(rules, "giay-khen", "individual", date(2025, 7, 1), grantor="commune") == 710_000


def test_collective_title_is_not_doubled(rules: RewardRules) -> None:
    reward = rules.reward("tap-the-lao-dong-tien-tien", "collective", date(2026, 3, 2), grantor="district")
    assert reward.kind_factor == 1
    assert reward.amount_vnd == 1_880_000  # 0.8 × 2,340,000 = 1,872,000 → 1,880,000


def test_a_form_for_one_kind_refuses_another(rules: RewardRules) -> None:
    with pytest.raises(RecipientNotEligible, match="Tập thể lao động tiên tiến is given to collective"):
        rules.reward("tap-the-lao-dong-tien-tien", "individual", date(2026, 3, 2), grantor="district")


def test_unknown_form_lists_the_known_ones(rules: RewardRules) -> None:
    with pytest.raises(UnknownForm) as caught:
        rules.form("bang-khen")
    assert "giay-khen" in str(caught.value)
    assert set(caught.value.known) == {
        # granted by a commune's chairman
        "giay-khen",
        "lao-dong-tien-tien",
        "chien-si-thi-dua-co-so",
        "tap-the-lao-dong-tien-tien",
        "gia-dinh-van-hoa",
        "thon-to-dan-pho-van-hoa",
        # granted by the province's chairman, on the commune's proposal
        "bang-khen-ubnd-tinh",
        "chien-si-thi-dua-cap-tinh",
        "tap-the-lao-dong-xuat-sac",
        "co-thi-dua-ubnd-tinh",
    }


def test_shipped_rules_flag_what_is_unverified(rules: RewardRules) -> None:
    assert [f.name for f in rules.forms if f.id == "giay-khen"] == ["Giấy khen"]
    assert any(f.verify for f in rules.forms)
    text = default_rules_path().read_text(encoding="utf-8")
    assert "# reported by several sources" in text
    assert rules.base_salary_on(date(2026, 7, 1)).verify  # the 2026 rise, not yet seen in the gazette


def test_a_misspelt_key_is_refused(tmp_path: Path) -> None:
    text = default_rules_path().read_text(encoding="utf-8").replace("verify = true  # who grants", "verfy = true", 1)
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesFileError, match=r"unknown keys forms\[1\]\.verfy"):
        load_reward_rules(path)


def test_two_base_salaries_on_one_day_are_refused(tmp_path: Path) -> None:
    text = default_rules_path().read_text(encoding="utf-8").replace("2023-07-01", "2019-07-01", 1)
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesFileError, match="two base salary periods start on the same day"):
        load_reward_rules(path)
