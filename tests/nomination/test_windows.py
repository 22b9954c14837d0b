"""Nomination windows as data: each quarter's opening, deadline and late policy, the office's changes and
extensions, and when a unit is reminded (pure: no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from common.dates import quarter_bounds, quarter_shift
from nomination.adapters.windows_file import WindowsFileError, default_windows_path, load_calendar
from nomination.domain.windows import (
    Calendar,
    Extension,
    LatePolicy,
    Timing,
    Window,
    WindowChange,
    WindowRule,
)

SHIPPED = load_calendar()
AT = datetime(2026, 10, 20, 2, 0, tzinfo=UTC)


def test_quarters_have_their_days_and_neighbours() -> None:
    assert quarter_bounds("2026-Q1") == (date(2026, 1, 1), date(2026, 3, 31))
    assert quarter_bounds("2024-Q4") == (date(2024, 10, 1), date(2024, 12, 31))
    assert quarter_shift("2026-Q1", -1) == "2025-Q4"
    assert quarter_shift("2026-Q4", 1) == "2027-Q1"
    assert quarter_shift("2026-Q3", -6) == "2025-Q1"


@pytest.mark.parametrize(
    ("quarter", "opens", "deadline", "closes"),
    [
        ("2026-Q3", date(2026, 7, 1), date(2026, 10, 15), date(2026, 12, 31)),
        ("2026-Q4", date(2026, 10, 1), date(2027, 1, 15), date(2027, 3, 31)),
        ("2027-Q1", date(2027, 1, 1), date(2027, 4, 15), date(2027, 6, 30)),
    ],
)
def test_the_shipped_rule_draws_every_quarter(quarter: str, opens: date, deadline: date, closes: date) -> None:
    window = SHIPPED.window(quarter)
    assert (window.opens, window.deadline, window.late, window.closes) == (opens, deadline, LatePolicy.FLAG, closes)
    assert SHIPPED.rule.reminder_days == (7, 1)


def test_on_time_late_closed_and_not_yet_open() -> None:
    unit = "xa-ban-nguyen"
    assert SHIPPED.judge("2026-Q3", unit, date(2026, 10, 15)) == ([], [])  # the deadline itself is on time
    refusals, [late] = SHIPPED.judge("2026-Q3", unit, date(2026, 10, 20))
    assert refusals == []
    assert late.code == "late-entry"
    assert (
        late.message
        == "giới thiệu muộn: hạn giới thiệu quý III năm 2026 là ngày 15/10/2026, hồ sơ nhận ngày 20/10/2026"
    )
    [closed], notes = SHIPPED.judge("2026-Q2", unit, date(2026, 12, 2))
    assert notes == []
    assert closed.code == "quarter-closed"
    assert closed.message == (
        "đã hết hạn giới thiệu quý II năm 2026 (hạn chót ngày 15/07/2026, nhận muộn đến hết ngày 30/09/2026); "
        "nay nhận giới thiệu cho quý III năm 2026 và quý IV năm 2026"
    )
    [future], _ = SHIPPED.judge("2027-Q1", unit, date(2026, 12, 2))
    assert future.code == "quarter-in-future"
    assert future.message.startswith("chưa đến thời hạn giới thiệu quý I năm 2027: nhận từ ngày 01/01/2027")
    # In January the quarter before is still on time (its deadline is 15 January).
    assert SHIPPED.timing("2025-Q4", unit, date(2026, 1, 5)) is Timing.ON_TIME
    assert SHIPPED.timing("2025-Q3", unit, date(2026, 1, 5)) is Timing.CLOSED


def test_a_window_that_opens_late_in_its_quarter() -> None:
    calendar = Calendar(rule=WindowRule(opens_after_start_days=45))
    [refusal], _ = calendar.judge("2026-Q4", "xa-ban-nguyen", date(2026, 10, 10))
    assert refusal.code == "quarter-not-open"
    assert "nhận từ ngày 15/11/2026" in refusal.message


def test_late_entries_refused_by_policy() -> None:
    calendar = Calendar(rule=WindowRule(late=LatePolicy.REFUSE))
    assert calendar.window("2026-Q3").closes == date(2026, 10, 15)
    [refusal], _ = calendar.judge("2026-Q3", "xa-ban-nguyen", date(2026, 10, 16))
    assert refusal.code == "quarter-closed"
    assert refusal.message.startswith("đã hết hạn giới thiệu quý III năm 2026 (hạn chót ngày 15/10/2026)")


def test_the_office_changes_a_window_and_extends_one_units_deadline() -> None:
    first = Window("2026-Q4", date(2026, 10, 1), date(2026, 12, 20), LatePolicy.REFUSE, date(2026, 12, 20), "tổng kết")
    second = Window("2026-Q4", date(2026, 10, 1), date(2026, 12, 25), LatePolicy.REFUSE, date(2026, 12, 25), "lùi")
    changes = [WindowChange(first, "tổng kết năm sớm", "Trần Văn Bình", AT), WindowChange(second, "lùi", "B", AT)]
    extension = Extension("2026-Q4", "xa-xuan-lung", date(2026, 12, 31), "mất điện", "Trần Văn Bình", AT)
    calendar = SHIPPED.with_records(changes, [extension])
    assert calendar.window("2026-Q4") == second  # the latest change counts
    assert calendar.window("2026-Q3") == SHIPPED.window("2026-Q3")
    assert calendar.deadline("2026-Q4", "xa-xuan-lung") == date(2026, 12, 31)
    assert calendar.timing("2026-Q4", "xa-xuan-lung", date(2026, 12, 30)) is Timing.ON_TIME
    assert calendar.timing("2026-Q4", "xa-ban-nguyen", date(2026, 12, 30)) is Timing.CLOSED
    [refusal], _ = calendar.judge("2026-Q4", "xa-xuan-lung", date(2027, 1, 2))
    assert "hạn chót ngày 31/12/2026" in refusal.message


@pytest.mark.parametrize(
    ("opens", "deadline", "late", "closes", "says"),
    [
        (date(2026, 12, 1), date(2026, 11, 30), LatePolicy.FLAG, date(2026, 12, 31), "không được sau hạn chót"),
        (date(2026, 9, 1), date(2026, 9, 30), LatePolicy.FLAG, date(2026, 12, 31), "không thể trước ngày đầu quý"),
        (date(2026, 10, 1), date(2026, 12, 20), LatePolicy.FLAG, date(2026, 12, 19), "không được trước hạn chót"),
        (date(2026, 10, 1), date(2026, 12, 20), LatePolicy.REFUSE, date(2026, 12, 31), "phải trùng hạn chót"),
    ],
)
def test_a_window_is_checked_wherever_it_comes_from(
    opens: date, deadline: date, late: LatePolicy, closes: date, says: str
) -> None:
    with pytest.raises(ValueError, match=says):
        Window("2026-Q4", opens, deadline, late, closes)


@pytest.mark.parametrize(
    ("day", "due"),
    [
        (date(2027, 1, 7), None),  # 8 days before
        (date(2027, 1, 8), 7),
        (date(2027, 1, 13), 7),  # 2 days before: still the 7-day reminder, sent once
        (date(2027, 1, 14), 1),
        (date(2027, 1, 15), 1),  # the deadline itself
        (date(2027, 1, 16), None),
    ],
)
def test_reminders_come_at_their_stages(day: date, due: int | None) -> None:
    assert SHIPPED.reminders_due("2026-Q4", "xa-ban-nguyen", day) == due


def test_an_extension_moves_the_reminders() -> None:
    extension = Extension("2026-Q4", "xa-ban-nguyen", date(2027, 1, 25), "lý do", "B", AT)
    calendar = SHIPPED.with_records([], [extension])
    assert calendar.reminders_due("2026-Q4", "xa-ban-nguyen", date(2027, 1, 14)) is None
    assert calendar.reminders_due("2026-Q4", "xa-ban-nguyen", date(2027, 1, 18)) == 7


def test_the_shipped_file_is_the_default_rule() -> None:
    assert default_windows_path().is_file()
    assert SHIPPED.rule == WindowRule()


def test_a_quarter_of_its_own_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "windows.toml"
    path.write_text(
        '[rule]\nlate = "refuse"\n\n[[quarters]]\nquarter = "2026-Q4"\nopens = 2026-10-01\n'
        'deadline = 2026-12-20\nlate = "flag"\ncloses = 2027-01-10\n',
        encoding="utf-8",
    )
    calendar = load_calendar(path)
    assert calendar.window("2026-Q4").deadline == date(2026, 12, 20)
    assert calendar.window("2026-Q4").closes == date(2027, 1, 10)
    assert calendar.window("2027-Q1").late is LatePolicy.REFUSE


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[rule]\n\n[[quarters]]\nquarter = "2026-Q4"\nopens = 2026-10-01\ndeadline = 2026-12-20\nlate = "flag"\n'
            '\n[[quarters]]\nquarter = "2026-Q4"\nopens = 2026-10-01\ndeadline = 2026-12-21\nlate = "flag"\n',
            r"line 9, \[\[quarters\]\] #2: 2026-Q4 is given a window twice",
        ),
        (
            '[[quarters]]\nquarter = "2026-Q4"\nopens = 2026-10-01\ndeadline = 2026-12-20\nlate = "refuse"\n'
            "closes = 2027-01-10\n",
            r"line 1, \[\[quarters\]\] #1: khi không nhận hồ sơ muộn, ngày kết thúc nhận hồ sơ phải trùng hạn chót",
        ),
        (
            '[[quarters]]\nquarter = "2026-Q4"\nopens = 2026-12-21\ndeadline = 2026-12-20\nlate = "flag"\n',
            r"line 1, \[\[quarters\]\] #1: ngày bắt đầu nhận hồ sơ \(21/12/2026\) không được sau hạn chót",
        ),
        ('[rule]\nlate = "maybe"\n', r"rule.late"),
        ("[rule]\ndeadline_after_end_day = 3\n", r"rule.deadline_after_end_day: Extra inputs are not permitted"),
        ("[rule]\nreminder_days = [7, -1]\n", r"rule: a reminder comes before the deadline"),
        ("[rule\n", r"is not valid TOML"),
    ],
)
def test_a_wrong_windows_file_says_where(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "windows.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(WindowsFileError, match=expected):
        load_calendar(path)


def test_a_missing_windows_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(WindowsFileError, match="does not exist"):
        load_calendar(tmp_path / "nowhere.toml")
