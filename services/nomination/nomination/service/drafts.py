"""A clerk's nomination form, checked as it is filled in: the same rules intake applies, said for
each field in Vietnamese, without taking anything in.

``read_form`` turns the form's fields into a ``NominationSubmitted`` or the problems of each field;
``check_draft`` adds what intake would refuse (the unit, the quarter's window, a nominee already
proposed, achievements too short), so that the form says so before it is sent.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pydantic import ValidationError

from common.dates import vietnam_date
from common.events import QUARTER_PATTERN, NominationSubmitted, Nominee, Reason
from nomination.adapters.repository import nominee_key
from nomination.domain.model import MIN_ACHIEVEMENTS_CHARS, intake_problems, unit_problems
from nomination.service.handlers import Intake, NominationUnitOfWork, calendar_in_force

__all__ = ["FIELDS", "Draft", "check_draft", "read_form"]

# The form's fields, in order, with their Vietnamese names (for "Xin nhập …").
FIELDS: dict[str, str] = {
    "quarter": "quý",
    "field": "lĩnh vực",
    "kind": "loại đối tượng",
    "nominee_name": "tên người, tập thể hoặc hộ gia đình được giới thiệu",
    "nominee_title": "chức vụ, nơi công tác",
    "birth_year": "năm sinh",
    "identity_number": "số định danh cá nhân",
    "phone": "số điện thoại",
    "address": "địa chỉ",
    "achievements": "thành tích",
    "consent": "sự đồng ý công khai",
}

# A pydantic location -> the form's field.
_LOCATIONS: dict[tuple[str, ...], str] = {
    ("quarter",): "quarter",
    ("field",): "field",
    ("nominee", "kind"): "kind",
    ("nominee", "name"): "nominee_name",
    ("nominee", "title"): "nominee_title",
    ("nominee", "birth_year"): "birth_year",
    ("nominee", "identity_number"): "identity_number",
    ("nominee", "phone"): "phone",
    ("nominee", "address"): "address",
    ("achievements",): "achievements",
    ("consent_to_publish",): "consent",
}

# What each field needs, said once for any way it can be wrong.
_NEEDS: dict[str, str] = {
    "quarter": "Xin chọn quý giới thiệu.",
    "field": "Xin chọn lĩnh vực.",
    "kind": "Xin chọn cá nhân, tập thể hoặc hộ gia đình.",
    "nominee_name": "Xin nhập tên người, tập thể hoặc hộ gia đình được giới thiệu (không quá 300 ký tự).",
    "nominee_title": "Chức vụ, nơi công tác không dài quá 300 ký tự.",
    "birth_year": "Năm sinh là một năm từ 1900 đến nay, ví dụ 1978.",
    "identity_number": "Số định danh cá nhân gồm 9 đến 12 chữ số (số căn cước 12 chữ số).",
    "phone": "Số điện thoại gồm 8 đến 20 chữ số, có thể có dấu cách, dấu chấm hoặc gạch ngang.",
    "address": "Địa chỉ không dài quá 500 ký tự.",
    "achievements": "Xin mô tả thành tích (không quá 20.000 ký tự).",
    "consent": "Xin cho biết người được giới thiệu có đồng ý công khai hay không.",
}

QUARTER = re.compile(QUARTER_PATTERN)


def _intake_says(code: str, *, name: str = "", quarter: str = "2026-Q1") -> Reason:
    """Intake's own wording of one of its rules (the one place it is written), for these values."""
    probe = NominationSubmitted.model_construct(
        achievements="", quarter=quarter, nominee=Nominee.model_construct(name=name)
    )
    [reason] = [r for r in intake_problems(probe, already_nominated=True) if r.code == code]
    return reason


# Intake's reasons, by code -> the field they are about ("" for the form as a whole).
_REASON_FIELDS: dict[str, str] = {
    "achievements-too-short": "achievements",
    "duplicate-nomination": "nominee_name",
    "unit-ended": "",
    "unit-not-yet": "",
}


@dataclass
class Draft:
    """What the form holds: the submission it makes, if it makes one, and each field's problem."""

    values: dict[str, str]
    submission: NominationSubmitted | None
    problems: dict[str, str] = field(default_factory=dict)  # field -> message; "" is the whole form
    notes: list[str] = field(default_factory=list)  # accepted, but the reviewer will be told (late)

    @property
    def ready(self) -> bool:
        return self.submission is not None and not self.problems


def _text(form: Mapping[str, object], name: str) -> str:
    value = form.get(name)
    return unicodedata.normalize("NFC", value).strip() if isinstance(value, str) else ""


def read_form(form: Mapping[str, object], unit_id: str, *, resubmits: uuid.UUID | None = None) -> Draft:
    """The submission the form makes for ``unit_id`` (completing ``resubmits``, a returned
    nomination), or the problem of each field that is wrong."""
    values = {name: _text(form, name) for name in FIELDS}
    values["consent"] = values["consent"] if values["consent"] in ("yes", "no") else ""
    birth_year: object = values["birth_year"] or None
    if isinstance(birth_year, str) and not birth_year.isdigit():
        return Draft(values, None, {"birth_year": _NEEDS["birth_year"]})
    try:
        submission = NominationSubmitted.model_validate(
            {
                "unit_id": unit_id,
                "quarter": values["quarter"],
                "field": values["field"],
                "nominee": {
                    "kind": values["kind"],
                    "name": values["nominee_name"],
                    "title": values["nominee_title"],
                    "birth_year": birth_year,
                    "identity_number": values["identity_number"] or None,
                    "phone": values["phone"] or None,
                    "address": values["address"] or None,
                },
                "achievements": values["achievements"],
                "consent_to_publish": {"yes": True, "no": False}.get(values["consent"]),
                "resubmits": resubmits,
            }
        )
    except ValidationError as error:
        problems: dict[str, str] = {}
        for item in error.errors():
            where = _LOCATIONS.get(tuple(str(p) for p in item["loc"]), "")
            problems.setdefault(where, _NEEDS.get(where, "Hồ sơ chưa hợp lệ."))
        return Draft(values, None, problems)
    return Draft(values, submission)


def _sentence(reason: Reason) -> str:
    message = reason.message
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


async def check_draft(
    uow: NominationUnitOfWork, intake: Intake, draft: Draft, unit_id: str, *, now: datetime | None = None
) -> Draft:
    """``draft`` with what intake would refuse added to its problems, as far as the fields filled in
    so far tell (nothing is written): the unit, the quarter's window, a nominee already proposed
    for the quarter, achievements too short."""
    values = draft.values
    day = vietnam_date(now or datetime.now(UTC))
    quarter = values["quarter"] if QUARTER.match(values["quarter"]) else ""
    name = values["nominee_name"]
    reasons = list(unit_problems(intake.organisation.standing(unit_id, day), unit_id, day))
    if 0 < len(values["achievements"]) < MIN_ACHIEVEMENTS_CHARS:
        reasons.append(_intake_says("achievements-too-short"))
    refusals: list[Reason] = []
    notes: list[Reason] = []
    if quarter:
        async with uow:
            calendar = await calendar_in_force(uow.store, intake.calendar, {quarter})
            taken = await uow.store.nominees_taken([(unit_id, quarter, name)]) if name else set()
        refusals, notes = calendar.judge(quarter, unit_id, day)
        # Completing a returned nomination is its next round, not a duplicate of it (intake checks it).
        resubmitting = draft.submission is not None and draft.submission.resubmits is not None
        if name and not resubmitting and nominee_key(unit_id, quarter, name) in taken:
            reasons.append(_intake_says("duplicate-nomination", name=name, quarter=quarter))
    for reason in reasons:
        draft.problems.setdefault(_REASON_FIELDS.get(reason.code, ""), _sentence(reason))
    for reason in refusals:
        draft.problems.setdefault("quarter", _sentence(reason))
    draft.notes = [_sentence(reason) for reason in notes]
    return draft
