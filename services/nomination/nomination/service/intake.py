"""Signed submissions posted by unit systems on ``nomination.submissions``.

Everything that can be wrong with an entry posted from outside is checked here, and each
problem becomes a dead letter with a precise reason: no signature, a forged or unknown key,
malformed JSON, missing fields, an unknown event type or version, a unit that signs for another,
an unknown unit, a replayed event id, an oversized entry. A well-formed submission that breaks an
intake rule is not a dead letter: the unit gets a ``NominationRejected`` with the reasons.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import IntegrityError

from common.consumer import Delivery, PermanentFailure
from common.db import Database
from common.events import Event, InvalidEvent, NominationSubmitted, parse_event
from common.inbox import already_processed, record_processed
from common.organisation import Organisation
from common.outbox import stage
from common.processing import check_size
from common.signing import SignatureError, UnitKeyring
from common.wire import SIGNED_FIELD
from nomination.adapters.orm import messaging
from nomination.service.handlers import UnknownUnit, take_in

__all__ = ["CONSUMER", "SubmissionIntake"]

CONSUMER = "nomination"


class SubmissionIntake:
    def __init__(
        self, *, db: Database, organisation: Organisation, after_commit: Callable[[], None] = lambda: None
    ) -> None:
        self._db = db
        self._organisation = organisation
        self._keyring = UnitKeyring(organisation)
        self._after_commit = after_commit

    async def __call__(self, delivery: Delivery) -> None:
        check_size(delivery)
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
        try:
            await self._apply(event, submission, delivery)
        except IntegrityError:
            async with self._db.read() as session:
                if await already_processed(session, messaging, CONSUMER, event.event_id) == delivery.entry_id:
                    return
            raise

    async def _apply(self, event: Event[Any], submission: NominationSubmitted, delivery: Delivery) -> None:
        async with self._db.transaction() as session:
            seen = await already_processed(session, messaging, CONSUMER, event.event_id)
            if seen == delivery.entry_id:
                return  # the same entry delivered again: already applied
            if seen is not None:
                raise PermanentFailure("replayed-event", f"event {event.event_id} was already received as entry {seen}")
            await record_processed(session, messaging, CONSUMER, event.event_id, delivery.stream, delivery.entry_id)
            try:
                result = await take_in(
                    session,
                    self._organisation,
                    submission,
                    event.envelope,
                    channel="stream",
                    submitted_by=f"system:{submission.unit_id}",
                )
            except UnknownUnit as error:
                raise PermanentFailure("unknown-unit", str(error)) from error
            await stage(session, messaging, *result.events)
        self._after_commit()
