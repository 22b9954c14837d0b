"""Exemplars and awards translated to and from integration events, in one place."""

from __future__ import annotations

import uuid
from typing import Any

from awards.domain.model import Award, Exemplar
from common.events import AwardGranted, Envelope, Event, ExemplarApproved, NomineeKind, new_event

__all__ = ["PRODUCER", "exemplar_from_approved", "granted_event"]

PRODUCER = "awards"


def exemplar_from_approved(payload: ExemplarApproved, envelope: Envelope) -> Exemplar:
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
        approved_at=envelope.occurred_at,
    )


def granted_event(award: Award, exemplar: Exemplar, correlation_id: uuid.UUID) -> Event[Any]:
    """The event a signed decision announces; it follows the exemplar's correlation."""
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
    )
    return new_event(payload, producer=PRODUCER, correlation_id=correlation_id)
