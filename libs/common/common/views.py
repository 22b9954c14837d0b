"""Response models the services' APIs share."""

from __future__ import annotations

import uuid

from pydantic import BaseModel

__all__ = ["PublicExemplarView"]


class PublicExemplarView(BaseModel):
    """What any staff page may show of a nominee: the facts that travel past nomination."""

    nomination_id: uuid.UUID
    unit_id: str
    unit_name: str
    quarter: str
    field: str
    nominee_kind: str
    nominee_name: str
    nominee_title: str
