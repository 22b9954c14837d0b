"""Vietnam's calendar: dates and quarters are Vietnam's, whatever the server's clock says."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from common.dates import previous_quarter, quarter_label, quarter_of, vietnam_date


def test_the_first_hours_of_a_quarter_in_vietnam_belong_to_the_new_quarter() -> None:
    moment = datetime(2026, 9, 30, 17, 30, tzinfo=UTC)  # 00:30 on 1 October in Vietnam
    assert moment.date() == date(2026, 9, 30)
    assert vietnam_date(moment) == date(2026, 10, 1)
    assert quarter_of(vietnam_date(moment)) == "2026-Q4"
    assert quarter_of(vietnam_date(moment - timedelta(minutes=31))) == "2026-Q3"


def test_a_moment_in_any_zone_falls_on_its_vietnam_date() -> None:
    paris = timezone(timedelta(hours=1))
    assert vietnam_date(datetime(2026, 12, 31, 20, 0, tzinfo=paris)) == date(2027, 1, 1)


def test_a_moment_without_a_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        vietnam_date(datetime(2026, 1, 1, 12, 0))


@pytest.mark.parametrize(
    ("day", "quarter"),
    [
        (date(2026, 1, 1), "2026-Q1"),
        (date(2026, 3, 31), "2026-Q1"),
        (date(2026, 4, 1), "2026-Q2"),
        (date(2026, 12, 31), "2026-Q4"),
    ],
)
def test_quarter_of_a_day(day: date, quarter: str) -> None:
    assert quarter_of(day) == quarter


def test_previous_quarter_crosses_the_year() -> None:
    assert previous_quarter("2026-Q1") == "2025-Q4"
    assert previous_quarter("2026-Q4") == "2026-Q3"
    with pytest.raises(ValueError, match="not a quarter"):
        previous_quarter("2026-Q5")


def test_quarter_label_is_written_as_official_documents_write_it() -> None:
    assert quarter_label("2026-Q4") == "quý IV năm 2026"
    assert quarter_label("2027-Q1") == "quý I năm 2027"
