"""Exemplars and awards translated to and from integration events, in one place."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from awards.domain.history import TitleKept
from awards.domain.model import AwardsEvent, Exemplar
from common.events import AwardGranted, Envelope, Event, ExemplarApproved, NomineeKind, TitleRecorded, new_event

__all__ = ["PRODUCER", "exemplar_from_approved", "to_integration"]

PRODUCER = "awards"


def exemplar_from_approved(event: Event[ExemplarApproved]) -> Exemplar:
    payload = event.payload
    return Exemplar(
        exemplar_id=payload.exemplar_id,
        nomination_id=payload.nomination_id,
        unit_id=payload.unit_id,
        unit_name=payload.unit_name,
        quarter=payload.quarter,
        field=payload.field.value,
        nominee_kind=payload.nominee_kind.value,
        nominee_name=payload.nominee_name,
        nominee_title=payload.nominee_title,
        approved_at=event.envelope.occurred_at,
        correlation_id=event.envelope.correlation_id,
        person_id=payload.person_id,
    )


def to_integration(event: AwardsEvent, cause: Envelope | None) -> Sequence[Event[Any]]:
    """AwardGranted for each recipient of a signed decision, following the exemplar's correlation;
    TitleRecorded for a title the office recorded as given elsewhere."""
    if isinstance(event, TitleKept):
        held = event.held
        assert held.title_id is not None
        recorded = TitleRecorded(
            title_id=held.title_id,
            person_id=held.person_id,
            form=held.form,
            form_name=held.form_name,
            year=held.year,
            decision_number=held.decision_number,
            signed_on=held.signed_on,
            authority_name=held.authority_name,
            recorded_by=event.recorded_by,
        )
        return [new_event(recorded, producer=PRODUCER, causation=cause)]
    award, exemplar = event.award, event.exemplar
    payload = AwardGranted(
        award_id=award.award_id,
        exemplar_id=award.exemplar_id,
        nomination_id=exemplar.nomination_id,
        form=award.form,
        form_name=award.form_name,
        decision_number=award.decision_number,
        signed_on=award.signed_on,
        signer=award.signer,
        recipient_name=award.recipient_name,
        recipient_kind=NomineeKind(award.recipient_kind),
        amount_vnd=award.amount_vnd,
        person_id=exemplar.person_id,
        year=exemplar.year,
    )
    return [new_event(payload, producer=PRODUCER, correlation_id=exemplar.correlation_id, causation=cause)]
