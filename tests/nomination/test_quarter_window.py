"""Intake takes a nomination for the current quarter in Vietnam and the one before, nothing older."""

from __future__ import annotations

from datetime import date

import pytest

from common.events import NominationSubmitted
from nomination.domain.model import intake_problems
from tests.nomination.test_intake import submission

TODAY = date(2026, 11, 25)  # quý IV năm 2026


def codes(quarter: str, today: date = TODAY) -> list[str]:
    data = NominationSubmitted.model_validate(submission(quarter=quarter))
    return [r.code for r in intake_problems(data, today=today, already_nominated=False)]


@pytest.mark.parametrize("quarter", ["2026-Q4", "2026-Q3"])
def test_the_current_and_the_previous_quarter_are_open(quarter: str) -> None:
    assert codes(quarter) == []


@pytest.mark.parametrize("quarter", ["2026-Q2", "2025-Q4", "2020-Q1"])
def test_an_older_quarter_is_closed_and_the_reason_names_the_open_ones(quarter: str) -> None:
    data = NominationSubmitted.model_validate(submission(quarter=quarter))
    [reason] = intake_problems(data, today=TODAY, already_nominated=False)
    assert reason.code == "quarter-closed"
    assert reason.message.endswith("nay chỉ nhận giới thiệu cho quý III năm 2026 và quý IV năm 2026")


def test_a_future_quarter_is_refused() -> None:
    assert codes("2027-Q1") == ["quarter-in-future"]


def test_in_january_the_last_quarter_of_the_year_before_is_still_open() -> None:
    assert codes("2025-Q4", today=date(2026, 1, 5)) == []
    assert codes("2025-Q3", today=date(2026, 1, 5)) == ["quarter-closed"]


@pytest.mark.parametrize("quarter", ["2000-Q1", "9999-Q4", "2026-Q5"])
def test_a_quarter_outside_the_programme_years_is_not_even_a_submission(quarter: str) -> None:
    with pytest.raises(ValueError, match="quarter"):
        NominationSubmitted.model_validate(submission(quarter=quarter))
