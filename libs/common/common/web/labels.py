"""What the pages show for the system's codes and values, in Vietnamese: statuses, fields, kinds,
quarters, dates, times and amounts of money. Templates use them as filters (``{{ x | money }}``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeVar

from common.dates import VIETNAM_TIME, quarter_label, vn_date
from common.events import QUARTER_PATTERN, FieldOfWork, NomineeKind
from common.labels import FIELD_LABELS, KIND_LABELS, upper_first

__all__ = ["FIELDS", "FILTERS", "KINDS", "STATUS", "chosen", "money", "quarter_or_none", "status_label", "vn_time"]

_QUARTER = re.compile(QUARTER_PATTERN)

FIELDS: list[tuple[str, str]] = [(f.value, FIELD_LABELS[f]) for f in FieldOfWork]
KINDS: list[tuple[str, str]] = [(k.value, upper_first(KIND_LABELS[k])) for k in NomineeKind]

# Statuses across the services, as a tag on a page shows them: (label, tone). The tone picks
# the tag's colours (each pair passes WCAG AA contrast).
STATUS: dict[str, tuple[str, str]] = {
    "accepted": ("Chờ xét duyệt", "waiting"),
    "pending": ("Chờ xét duyệt", "waiting"),
    "approved": ("Được công nhận", "good"),
    "rejected": ("Không công nhận", "bad"),
    "returned": ("Trả lại để bổ sung", "attention"),
    "withdrawn": ("Đã rút", "neutral"),
    "refused": ("Không tiếp nhận", "bad"),
    "received": ("Đã gửi, đang tiếp nhận", "waiting"),
    "draft": ("Dự thảo", "attention"),
    "signed": ("Đã ký", "good"),
    "scheduled": ("Đã hẹn giờ", "waiting"),
    "published": ("Đã đăng", "good"),
    "retracted": ("Đã gỡ", "bad"),
    "failed": ("Lỗi", "bad"),
    "done": ("Xong", "good"),
    "running": ("Đang chạy", "waiting"),
}


E = TypeVar("E", bound=StrEnum)


def chosen(kind: type[E], value: str | None) -> E | None:
    """A filter's value from a page's query: its member, or None when empty or not one of them
    (a filter form sends every field, the empty ones as "")."""
    try:
        return kind(value) if value else None
    except ValueError:
        return None


def quarter_or_none(value: str | None) -> str | None:
    return value if value and _QUARTER.match(value) else None


def status_label(code: str) -> str:
    return STATUS.get(code, (code, "neutral"))[0]


def status_tone(code: str) -> str:
    return STATUS.get(code, (code, "neutral"))[1]


def money(amount: int | None) -> str:
    """``1800000`` → ``1.800.000 đồng``, as Vietnamese documents write amounts."""
    if amount is None:
        return "—"
    return f"{amount:,}".replace(",", ".") + " đồng"


def vn_time(moment: datetime | None) -> str:
    """``dd/mm/yyyy HH:MM`` in Vietnam's time."""
    if moment is None:
        return "—"
    return moment.astimezone(VIETNAM_TIME).strftime("%d/%m/%Y %H:%M")


def _date(value: date | datetime | None) -> str:
    return "—" if value is None else vn_date(value)


def _field(code: str) -> str:
    try:
        return FIELD_LABELS[FieldOfWork(code)]
    except ValueError:
        return code


def _kind(code: str) -> str:
    try:
        return upper_first(KIND_LABELS[NomineeKind(code)])
    except ValueError:
        return code


def _quarter(code: str) -> str:
    try:
        return upper_first(quarter_label(code))
    except ValueError:
        return code


def sentence(text: str) -> str:
    """A reason as a sentence: the services write them lower-case and without a full stop."""
    text = text.strip()
    if not text:
        return text
    return text[:1].upper() + text[1:] + ("" if text[-1] in ".!?…" else ".")


def vn_number(value: object) -> str:
    """``0.3`` → ``0,3``: a decimal comma, as Vietnamese writes numbers."""
    return str(value).replace(".", ",")


FILTERS: dict[str, Callable[..., Any]] = {
    "sentence": sentence,
    "vn_number": vn_number,
    "money": money,
    "vn_time": vn_time,
    "vn_date": _date,
    "field_label": _field,
    "kind_label": _kind,
    "quarter_label": _quarter,
    "status_label": status_label,
    "status_tone": status_tone,
}
