"""What the portal's index shows: the filters a reader chose, their Vietnamese names, and the
addresses of the pages before and after (the filters kept)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from common.events import FieldOfWork, NomineeKind
from common.labels import FIELD_LABELS, KIND_LABELS, quarter_label, upper_first

__all__ = ["Choice", "Listing"]


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Listing:
    """A page of the index: the filters, the page, and the choices the form offers."""

    field: str | None
    kind: str | None
    quarter: str | None
    unit: str | None
    words: str
    page: int
    pages: int
    total: int
    units: Sequence[Choice]  # the communes and units a reader may narrow to
    quarters: Sequence[str]  # the quarters stories exist for, newest first

    @property
    def fields(self) -> list[Choice]:
        return [Choice(f.value, FIELD_LABELS[f]) for f in FieldOfWork]

    @property
    def kinds(self) -> list[Choice]:
        return [Choice(k.value, upper_first(KIND_LABELS[k])) for k in NomineeKind]

    @property
    def quarter_choices(self) -> list[Choice]:
        return [Choice(q, upper_first(quarter_label(q))) for q in self.quarters]

    @property
    def narrowed(self) -> bool:
        return any((self.field, self.kind, self.quarter, self.unit, self.words))

    @property
    def described(self) -> str:
        """The filters in words, for the heading and the title: "Lĩnh vực Y tế · quý IV năm 2026"."""
        parts = []
        if self.field:
            parts.append(f"Lĩnh vực {FIELD_LABELS[FieldOfWork(self.field)].lower()}")
        if self.kind:
            parts.append(upper_first(KIND_LABELS[NomineeKind(self.kind)]))
        if self.quarter:
            parts.append(quarter_label(self.quarter))
        if self.unit:
            parts.append(next((u.label for u in self.units if u.value == self.unit), self.unit))
        if self.words:
            parts.append(f"tìm “{self.words}”")
        return " · ".join(parts)

    def page_query(self, page: int) -> str:
        """The query string of another page of the same listing ("" for the first page unfiltered)."""
        params = {
            name: value
            for name, value in (
                ("q", self.words),
                ("field", self.field),
                ("kind", self.kind),
                ("quarter", self.quarter),
                ("unit", self.unit),
            )
            if value
        }
        if page > 1:
            params["page"] = str(page)
        return f"?{urlencode(params)}" if params else ""
