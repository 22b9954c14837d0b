"""What a recipient already holds, and the titles that need it (danh hiệu đòi hỏi danh hiệu trước đó).

The registry of exemplars names each nominee with a ``person_id`` across quarters, units and
mergers. The titles and forms a nominee holds are those this office granted to any exemplar of
that person, and those it recorded as given elsewhere (before this system, or by another
authority). An emulation title is held at most once for a year, and some titles need earlier ones
(``Requirement``): both are read from that history, as the rules file says.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from awards.domain.rewards import Form, RewardRules, RuleError
from common.dates import vn_date

__all__ = ["Held", "NotEligible", "TitleKept", "history_problems"]


@dataclass(frozen=True)
class Held:
    """A title or form a nominee holds for a year, and the decision that gave it."""

    person_id: uuid.UUID
    form: str
    form_name: str
    year: int
    decision_number: str
    signed_on: date
    authority_name: str
    recorded: bool  # recorded by the office as given elsewhere, not issued here
    title_id: uuid.UUID | None = None  # a recorded one's id


@dataclass(frozen=True)
class TitleKept:
    """The office recorded a title given elsewhere: the event it announces, and its own aggregate."""

    held: Held
    recorded_by: str

    @property
    def events(self) -> list[TitleKept]:
        return [self]


class NotEligible(RuleError):
    """Some recipients' history does not allow the form; ``refused`` says why for each (in Vietnamese)."""

    def __init__(self, form_name: str, refused: Mapping[uuid.UUID, str]) -> None:
        super().__init__(f"chưa thể tặng “{form_name}”: " + "; ".join(refused.values()))
        self.exemplar_ids = list(refused)


def _years(years: Sequence[int]) -> str:
    return ", ".join(str(y) for y in sorted(years)) if years else "chưa có năm nào"


def history_problems(
    rules: RewardRules,
    form: Form,
    recipients: Sequence[tuple[uuid.UUID, str, uuid.UUID | None, int]],
    held: Mapping[uuid.UUID, Sequence[Held]],
) -> dict[uuid.UUID, str]:
    """Why each recipient (exemplar id, name, person id, year) may not receive ``form``; empty if all may.

    A recipient without a person id (approved before the registry) has no history: a form that
    needs one is refused with that reason.
    """
    problems: dict[uuid.UUID, str] = {}
    in_this_decision: set[tuple[uuid.UUID, int]] = set()
    for exemplar_id, name, person_id, year in recipients:
        history = held.get(person_id, ()) if person_id is not None else ()
        if form.once_a_year:
            same = [h for h in history if h.form == form.id and h.year == year]
            if same:
                problems[exemplar_id] = (
                    f"{name} đã được công nhận “{form.name}” năm {year} "
                    f"(Quyết định số {same[0].decision_number} ngày {vn_date(same[0].signed_on)})"
                )
                continue
            if person_id is not None and (person_id, year) in in_this_decision:
                problems[exemplar_id] = f"{name} có tên hai lần trong quyết định tặng “{form.name}” năm {year}"
                continue
            if person_id is not None:
                in_this_decision.add((person_id, year))
        missing = []
        for needed in form.requires:
            wanted = range(year - needed.years + 1, year + 1)
            have = sorted({h.year for h in history if h.form == needed.form and h.year in wanted})
            if len(have) < needed.years:
                title = rules.form(needed.form).name
                span = (
                    f"năm {year}"
                    if needed.years == 1
                    else f"{needed.years:02d} lần liên tục (các năm {wanted[0]}–{year})"
                )
                missing.append(f"cần đạt “{title}” {span}; sổ theo dõi ghi nhận: {_years(have)}")
        if missing:
            unknown = " (chưa có trong sổ theo dõi điển hình)" if person_id is None else ""
            problems[exemplar_id] = f"{name}{unknown}: " + "; ".join(missing)
    return problems
