"""Paging parameters every list endpoint takes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

__all__ = ["MAX_OFFSET", "Offset"]

# Far beyond any list kept here, and far below what a database integer holds.
MAX_OFFSET = 1_000_000_000

Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="how many items to skip")]
