"""A draft commendation decision (dự thảo quyết định khen thưởng): prepared by an emulation officer
with its recipients, the form and the citation; it takes no number and grants nothing until a
signer signs it, which issues the numbered decision (``awards.service.drafting``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

__all__ = ["Draft", "DraftState"]


class DraftState(StrEnum):
    DRAFT = "draft"  # chờ ký
    SIGNED = "signed"  # đã ký, thành quyết định có số
    DISCARDED = "discarded"  # đã hủy


@dataclass(frozen=True)
class Draft:
    draft_id: uuid.UUID
    form: str
    exemplar_ids: tuple[uuid.UUID, ...]
    citation: str
    drafted_by: str
    drafted_at: datetime
    state: DraftState = DraftState.DRAFT
    decision_id: uuid.UUID | None = None
    closed_by: str | None = None
    closed_at: datetime | None = None
