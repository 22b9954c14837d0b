"""HTTP API of the nominees' titles: what each nominee of the registry holds, and titles given elsewhere."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError

from awards.adapters.repository import AwardsStore
from awards.domain.history import Held
from awards.domain.rewards import RuleError
from awards.entrypoints import deps
from awards.service.handlers import UnknownNominee, record_title
from common.auth import Principal, Role, require_roles
from common.dates import vietnam_date
from common.events import DecisionNumber, ShortText, Slug

__all__ = ["router"]

router = APIRouter(tags=["registry"])

Reader = Annotated[Principal, require_roles(Role.OFFICER, Role.SIGNER, Role.OPERATOR, Role.REVIEWER, Role.COUNCIL)]
Officer = Annotated[Principal, require_roles(Role.OFFICER)]


class HeldView(BaseModel):
    form: str
    form_name: str
    year: int
    decision_number: str
    signed_on: date
    authority_name: str
    recorded: bool = Field(description="recorded by the office as given elsewhere, not issued here")
    title_id: uuid.UUID | None

    @classmethod
    def of(cls, held: Held) -> HeldView:
        return cls.model_validate(held, from_attributes=True)


class TitleBody(BaseModel):
    form: Slug
    year: int = Field(ge=1990, le=2100, description="the year the title is for")
    decision_number: DecisionNumber = Field(description="163/QĐ-UBND")
    signed_on: date
    authority_name: ShortText = Field(description="Ủy ban nhân dân huyện Lâm Thao")


@router.get("/people/{person_id}/titles", response_model=list[HeldView])
async def titles(request: Request, person_id: uuid.UUID, _who: Reader) -> list[HeldView]:
    """What a nominee of the registry holds, oldest year first: awards issued here and titles recorded."""
    async with deps.runtime(request).db.read() as connection:
        found = await AwardsStore(connection).titles_of({person_id})
    return [HeldView.of(h) for h in found[person_id]]


@router.post("/people/{person_id}/titles", response_model=HeldView, status_code=status.HTTP_201_CREATED)
async def record(request: Request, person_id: uuid.UUID, body: TitleBody, who: Officer) -> HeldView:
    """Record a title the nominee received outside this system (before it, or from another authority).

    Titles that need earlier ones read it from then on. An unknown form, a title held once a year
    that is already recorded for the year (422), or the same decision twice (409) is refused.
    """
    if body.signed_on.year < body.year:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            {
                "code": "signed-before-year",
                "message": f"quyết định không thể ký trước năm được xét tặng danh hiệu ({body.year})",
            },
        )
    held = Held(
        person_id=person_id,
        form=body.form,
        form_name="",
        year=body.year,
        decision_number=body.decision_number,
        signed_on=body.signed_on,
        authority_name=body.authority_name,
        recorded=True,
    )
    office, today = deps.office(request), vietnam_date(datetime.now(UTC))
    try:
        kept = await record_title(deps.runtime(request).unit_of_work(), office, held, recorded_by=who.name, today=today)
    except UnknownNominee as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, {"code": "unknown-nominee", "message": str(error)}) from error
    except RuleError as error:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, {"code": "title-refused", "message": str(error)}
        ) from error
    except IntegrityError as error:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            {"code": "title-recorded", "message": f"Quyết định số {body.decision_number} đã được ghi cho người này"},
        ) from error
    return HeldView.of(kept)
