"""The registry of exemplars (sổ theo dõi điển hình): who the system has seen before, across years and mergers.

A person, collective or household is known by the nominations made of them; the nominations of
one nominee share a ``person_id``. A new nomination is linked to a known nominee when it is the
same one beyond doubt:

- the same identity number (số định danh cá nhân), wherever and whenever nominated; or
- the same name **key** (case, diacritics, spacing and invisible characters ignored: "Nguyen Thi
  Hoa", "NGUYỄN  THỊ HOA" and "Nguyễn\u200b Thị Hoa" are one key), the same kind, nominated in the
  same area (the unit's lineage and the units under the same authority, with theirs), with no
  birth year or identity number that tells them apart, and only one such nominee.

Otherwise a new nominee is recorded. Names one letter apart, or the same key shared by several
nominees, from the same area and birth year, are offered to the reviewer as **possible** matches.
Nothing here refuses a nomination: the reviewer is warned (``warnings``), and decides.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from common.dates import quarter_label
from common.events import Reason
from common.organisation import lower_kind_word

__all__ = [
    "Candidate",
    "HeldTitle",
    "KnownNominee",
    "Recognition",
    "Seen",
    "one_edit_apart",
    "recognise",
    "registry_key",
    "warnings",
]

# Format characters (zero-width space and joiners, soft hyphen, BOM), controls and line separators.
_INVISIBLE = {"Cf", "Cc", "Zl", "Zp"}


def registry_key(name: str) -> str:
    """The name as the registry compares it: no case, diacritics, invisible characters or extra spaces."""
    kept = [
        " " if ch.isspace() else ch
        for ch in unicodedata.normalize("NFKD", name)
        if ch.isspace() or (unicodedata.category(ch) != "Mn" and unicodedata.category(ch) not in _INVISIBLE)
    ]
    text = "".join(kept).replace("đ", "d").replace("Đ", "D").casefold()
    return " ".join(text.split())


def one_edit_apart(a: str, b: str) -> bool:
    """Whether two different strings differ by one letter added, dropped or changed."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1 :] == b[i + 1 :]
    return a[i:] == b[i + 1 :]


@dataclass(frozen=True)
class Seen:
    """One nomination of a known nominee."""

    nomination_id: uuid.UUID
    unit_id: str
    quarter: str
    status: str
    name: str
    key: str  # registry_key(name), as stored beside it
    birth_year: int | None
    identity_number: str | None


@dataclass
class KnownNominee:
    """A nominee the registry knows, with every nomination made of them, oldest quarter first."""

    person_id: uuid.UUID
    kind: str
    seen: list[Seen] = field(default_factory=list)

    @property
    def keys(self) -> set[str]:
        return {s.key for s in self.seen}

    @property
    def birth_years(self) -> set[int]:
        return {s.birth_year for s in self.seen if s.birth_year is not None}

    @property
    def identity_numbers(self) -> set[str]:
        return {s.identity_number for s in self.seen if s.identity_number is not None}

    @property
    def units(self) -> set[str]:
        return {s.unit_id for s in self.seen}

    @property
    def name(self) -> str:
        return self.seen[-1].name if self.seen else ""


@dataclass(frozen=True)
class HeldTitle:
    """A title or form a nominee received: granted by the commendation office, or recorded by it as
    given elsewhere (``recorded``)."""

    entry_id: uuid.UUID  # the award's or the recorded title's id
    person_id: uuid.UUID
    nomination_id: uuid.UUID | None
    form: str
    form_name: str
    year: int
    decision_number: str
    signed_on: date
    granted_by: str
    amount_vnd: int | None
    recorded: bool


@dataclass(frozen=True)
class Candidate:
    """The nominee of a new nomination, and the area its unit belongs to."""

    nomination_id: uuid.UUID
    kind: str
    name: str
    key: str  # registry_key(name)
    birth_year: int | None
    identity_number: str | None
    unit_id: str
    quarter: str
    area: frozenset[str]  # unit ids: the unit's lineage and its authority's units, with theirs


@dataclass(frozen=True)
class Recognition:
    """Whom a candidate is (``known``, with how), and whom it may be (``possible``)."""

    known: KnownNominee | None
    by: str | None  # "identity" or "name"
    possible: tuple[KnownNominee, ...] = ()


def _compatible(candidate: Candidate, known: KnownNominee) -> bool:
    """Nothing tells them apart: birth years and identity numbers agree where both are given."""
    if candidate.birth_year is not None and known.birth_years and candidate.birth_year not in known.birth_years:
        return False
    return not (
        candidate.identity_number is not None
        and known.identity_numbers
        and candidate.identity_number not in known.identity_numbers
    )


def recognise(candidate: Candidate, registry: Iterable[KnownNominee]) -> Recognition:
    """Link a candidate to a known nominee, or not, and say whom else it might be."""
    same_kind = [k for k in registry if k.kind == candidate.kind]
    if candidate.identity_number is not None:
        by_identity = [k for k in same_kind if candidate.identity_number in k.identity_numbers]
        if by_identity:
            return Recognition(by_identity[0], "identity")
    nearby = [k for k in same_kind if k.units & candidate.area]
    same_key = [k for k in nearby if candidate.key in k.keys and _compatible(candidate, k)]
    if len(same_key) == 1:
        return Recognition(same_key[0], "name")
    similar = [
        k
        for k in nearby
        if candidate.birth_year is not None
        and candidate.birth_year in k.birth_years
        and any(one_edit_apart(candidate.key, key) for key in k.keys)
        and _compatible(candidate, k)
    ]
    return Recognition(None, None, tuple(same_key) + tuple(similar))


_STATUS = {
    "accepted": "đang chờ xét duyệt",
    "approved": "được công nhận",
    "rejected": "không được công nhận",
    "returned": "được trả lại để bổ sung",
}


def _seen_text(seen: Seen, unit_name: Callable[[str], str]) -> str:
    return (
        f"{quarter_label(seen.quarter)}, {lower_kind_word(unit_name(seen.unit_id))} giới thiệu, {_STATUS[seen.status]}"
    )


def warnings(
    candidate: Candidate, recognition: Recognition, unit_name: Callable[[str], str], *, limit: int = 5
) -> list[Reason]:
    """What the reviewer should know about the nominee before deciding, in Vietnamese."""
    found: list[Reason] = []
    known = recognition.known
    if known is not None:
        earlier = [s for s in known.seen if s.nomination_id != candidate.nomination_id]
        this_quarter = [s for s in earlier if s.quarter == candidate.quarter]
        how = "trùng số định danh cá nhân" if recognition.by == "identity" else "trùng họ tên"
        if this_quarter:
            units = ", ".join(dict.fromkeys(lower_kind_word(unit_name(s.unit_id)) for s in this_quarter))
            found.append(
                Reason(
                    code="registry-same-quarter",
                    message=f"{known.name} ({how}) cũng được {units} giới thiệu trong "
                    f"{quarter_label(candidate.quarter)}",
                )
            )
        before = [s for s in earlier if s.quarter != candidate.quarter]
        if before:
            listed = "; ".join(_seen_text(s, unit_name) for s in before[-limit:])
            more = f" (và {len(before) - limit} lần trước nữa)" if len(before) > limit else ""
            found.append(
                Reason(
                    code="registry-known",
                    message=f"đã có trong sổ theo dõi điển hình ({how}): {known.name} đã được giới thiệu "
                    f"{len(before)} lần: {listed}{more}",
                )
            )
    for other in recognition.possible[:limit]:
        born = f", sinh năm {min(other.birth_years)}" if other.birth_years else ""
        last = other.seen[-1]
        found.append(
            Reason(
                code="registry-possible-match",
                message=f"có thể là {other.name}{born}, đã được giới thiệu {_seen_text(last, unit_name)}",
            )
        )
    return found
