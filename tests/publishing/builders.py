"""Events and deliveries the publishing tests feed the service, built from the one contract."""

from __future__ import annotations

import itertools
import uuid
from datetime import date, datetime
from functools import cache
from typing import Any

from common.consumer import Delivery
from common.events import AwardGranted, Event, ExemplarApproved, FieldOfWork, NomineeKind, new_event
from common.organisation import Organisation, default_organisation_path, load_organisation
from common.wire import EVENT_FIELD
from publishing.channels.site import Site
from publishing.domain.model import Story
from publishing.integration import story_from_approved

BASE = "https://cong.example.vn/guong"
SITE = Site(
    title="Gương điển hình tiên tiến", author="Ban biên tập", agency="Ủy ban nhân dân tỉnh Phú Thọ", base_url=BASE
)
_entry_ids = itertools.count(1)


@cache
def organisation() -> Organisation:
    return load_organisation(default_organisation_path())


def drafted(payload: ExemplarApproved, now: datetime) -> Story:
    """The story publishing drafts for the approval, with the default organisation."""
    return story_from_approved(payload, now, organisation())


def approved(
    *,
    name: str = "Nguyễn Thị Hoa",
    title: str = "Trưởng trạm Y tế xã",
    unit_id: str = "xa-lam-thao",
    unit_name: str = "Xã Lâm Thao",
    field: FieldOfWork = FieldOfWork.HEALTH,
    kind: NomineeKind = NomineeKind.INDIVIDUAL,
    quarter: str = "2026-Q4",
    achievements: str = "Mười năm liền đưa y tế đến từng thôn.\nTổ chức 40 buổi khám miễn phí cho người cao tuổi.",
    consent: bool = True,
    nomination_id: uuid.UUID | None = None,
) -> Event[ExemplarApproved]:
    nomination_id = nomination_id or uuid.uuid4()
    payload = ExemplarApproved(
        exemplar_id=uuid.uuid5(uuid.NAMESPACE_URL, f"exemplar:{nomination_id}"),
        nomination_id=nomination_id,
        unit_id=unit_id,
        unit_name=unit_name,
        quarter=quarter,
        field=field,
        nominee_kind=kind,
        nominee_name=name,
        nominee_title=title,
        achievements=achievements,
        consent_to_publish=consent,
        decided_by="Trần Văn Bình",
    )
    return new_event(payload, producer="review")


def granted(
    exemplar: ExemplarApproved,
    *,
    form_name: str = "Giấy khen",
    decision_number: str = "163/QĐ-UBND",
    signed_on: date = date(2027, 1, 5),
    signer: str = "Chủ tịch Ủy ban nhân dân xã Lâm Thao",
) -> Event[AwardGranted]:
    payload = AwardGranted(
        award_id=uuid.uuid4(),
        exemplar_id=exemplar.exemplar_id,
        nomination_id=exemplar.nomination_id,
        form="giay-khen",
        form_name=form_name,
        decision_number=decision_number,
        signed_on=signed_on,
        signer=signer,
        recipient_name=exemplar.nominee_name,
        recipient_kind=exemplar.nominee_kind,
        amount_vnd=710_000,
    )
    return new_event(payload, producer="awards")


def delivery(event: Event[Any]) -> Delivery:
    """A fresh delivery of the event, as a stream entry of the event's own stream."""
    return Delivery(
        stream=event.payload.STREAM,
        group="publishing",
        entry_id=f"{next(_entry_ids)}-0",
        fields={EVENT_FIELD: event.envelope.model_dump_json().encode()},
    )
