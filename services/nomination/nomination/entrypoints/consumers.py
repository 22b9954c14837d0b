"""The streams the nomination service reads: signed submissions from unit systems, and review outcomes.

Everything that can be wrong with an entry posted from outside is checked when it is read, and
each problem is an ``Unprocessable`` that dead-letters the entry with a precise reason: no
signature, a forged or unknown key, malformed JSON, missing fields, an unknown event type or
version, a unit that signs for another, an unknown unit, an oversized entry; a replayed event id
is refused when applied. A well-formed submission that breaks an intake rule is not a dead
letter: the unit gets a ``NominationRejected`` with the reasons.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from common.consumer import Delivery
from common.errors import Unprocessable
from common.events import Event, EventPayload, NominationSubmitted, parse_event
from common.organisation import Organisation
from common.processing import Processor
from common.runtime import Subscription, subscriptions_of
from common.signing import UnitKeyring
from common.wire import SIGNED_FIELD, parse_entry_id
from nomination.service.handlers import (
    Intake,
    NominationUnitOfWork,
    intake_handlers,
    outcome_handlers,
    title_handlers,
)

__all__ = ["GROUP", "SignedSubmissions", "subscriptions_for"]

GROUP = "nomination"


class SignedSubmissions:
    """Reads an entry a unit system posted: a compact JWS over a NominationSubmitted envelope."""

    def __init__(self, organisation: Organisation) -> None:
        self._organisation = organisation
        self._keyring = UnitKeyring(organisation)

    def __call__(self, delivery: Delivery) -> Event[EventPayload]:
        token = delivery.fields.get(SIGNED_FIELD)
        if token is None:
            raise Unprocessable(
                "missing-signature", f"post the signed envelope as field {SIGNED_FIELD!r} (a compact JWS)"
            )
        try:
            signed = self._keyring.verify(token.decode("ascii"))
        except UnicodeDecodeError as error:
            raise Unprocessable("malformed-signature", "a compact JWS is ASCII text") from error
        event = parse_event(signed.payload)
        submission = event.payload
        if not isinstance(submission, NominationSubmitted):
            raise Unprocessable(
                "unexpected-type", f"{event.envelope.type} does not belong on {NominationSubmitted.STREAM}"
            )
        if submission.unit_id != signed.unit_id:
            raise Unprocessable(
                "unit-mismatch", f"key {signed.kid} belongs to {signed.unit_id}, not to {submission.unit_id}"
            )
        if self._organisation.unit(submission.unit_id) is None:
            raise Unprocessable("unknown-unit", f"unit {submission.unit_id!r} is not in the organisation")
        # An id the sender chose (XADD with an explicit id) may lie ahead: never later than now.
        milliseconds = min(parse_entry_id(delivery.entry_id)[0], time.time_ns() // 1_000_000)
        return event.model_copy(update={"received_at": datetime.fromtimestamp(milliseconds / 1000, UTC)})


def subscriptions_for(intake: Intake) -> Callable[[Callable[[], NominationUnitOfWork]], list[Subscription]]:
    def subscriptions(unit_of_work: Callable[[], NominationUnitOfWork]) -> list[Subscription]:
        submissions = Processor(
            group=GROUP,
            handlers=intake_handlers(intake),
            unit_of_work=unit_of_work,
            read=SignedSubmissions(intake.organisation),
            refuse_replays=True,
        )
        outcomes = Processor(group=GROUP, handlers=outcome_handlers(), unit_of_work=unit_of_work)
        titles = Processor(group=GROUP, handlers=title_handlers(), unit_of_work=unit_of_work)
        return subscriptions_of(submissions) + subscriptions_of(outcomes) + subscriptions_of(titles)

    return subscriptions
