"""Signed submissions posted by unit systems on ``nomination.submissions``.

Everything that can be wrong with an entry posted from outside is checked here, and each
problem becomes a dead letter with a precise reason: no signature, a forged or unknown key,
malformed JSON, missing fields, an unknown event type or version, a unit that signs for another,
an unknown unit, a replayed event id, an oversized entry. A well-formed submission that breaks an
intake rule is not a dead letter: the unit gets a ``NominationRejected`` with the reasons.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncConnection

from common.consumer import Delivery, PermanentFailure
from common.db import Database
from common.events import Event, InvalidEvent, NominationSubmitted, parse_event
from common.organisation import Organisation
from common.processing import BatchProcessor, Refusal
from common.signing import SignatureError, UnitKeyring
from common.wire import SIGNED_FIELD
from nomination.adapters.orm import messaging
from nomination.service.handlers import Incoming, UnknownUnit, take_in_many

__all__ = ["CONSUMER", "SubmissionIntake"]

CONSUMER = "nomination"


class SubmissionIntake(BatchProcessor):
    def __init__(
        self,
        *,
        db: Database,
        organisation: Organisation,
        after_commit: Callable[[Sequence[Event[Any]]], None] = lambda events: None,
    ) -> None:
        super().__init__(db=db, tables=messaging, consumer=CONSUMER, after_commit=after_commit)
        self._organisation = organisation
        self._keyring = UnitKeyring(organisation)

    def read(self, delivery: Delivery) -> Event[Any]:
        token = delivery.fields.get(SIGNED_FIELD)
        if token is None:
            raise PermanentFailure(
                "missing-signature", f"post the signed envelope as field {SIGNED_FIELD!r} (a compact JWS)"
            )
        try:
            signed = self._keyring.verify(token.decode("ascii"))
        except UnicodeDecodeError as error:
            raise PermanentFailure("malformed-signature", "a compact JWS is ASCII text") from error
        except SignatureError as error:
            raise PermanentFailure(error.code, error.message) from error
        try:
            event = parse_event(signed.payload)
        except InvalidEvent as error:
            raise PermanentFailure(error.code, error.message) from error
        submission = event.payload
        if not isinstance(submission, NominationSubmitted):
            raise PermanentFailure(
                "unexpected-type", f"{event.envelope.type} does not belong on {NominationSubmitted.STREAM}"
            )
        if submission.unit_id != signed.unit_id:
            raise PermanentFailure(
                "unit-mismatch", f"key {signed.kid} belongs to {signed.unit_id}, not to {submission.unit_id}"
            )
        return event

    def on_duplicate(self, event: Event[Any], delivery: Delivery, first_entry_id: str) -> Refusal | None:
        if first_entry_id == delivery.entry_id:
            return None  # the same entry delivered again: already applied
        return Refusal(
            delivery, "replayed-event", f"event {event.event_id} was already received as entry {first_entry_id}"
        )

    async def apply(self, session: AsyncConnection, event: Event[Any], delivery: Delivery) -> list[Event[Any]]:
        [outcome] = await self.apply_many(session, [(event, delivery)])
        if isinstance(outcome, Refusal):
            raise PermanentFailure(outcome.code, outcome.message)
        return outcome

    async def apply_many(
        self, session: AsyncConnection, items: Sequence[tuple[Event[Any], Delivery]]
    ) -> list[list[Event[Any]] | Refusal]:
        incoming = [
            Incoming(
                cast(NominationSubmitted, event.payload),
                event.envelope,
                channel="stream",
                submitted_by=f"system:{cast(NominationSubmitted, event.payload).unit_id}",
            )
            for event, _ in items
        ]
        outcomes = await take_in_many(session, self._organisation, incoming)
        return [
            Refusal(delivery, "unknown-unit", str(outcome)) if isinstance(outcome, UnknownUnit) else outcome.events
            for (_, delivery), outcome in zip(items, outcomes, strict=True)
        ]
