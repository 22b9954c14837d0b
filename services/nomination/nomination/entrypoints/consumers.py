"""The streams the nomination service reads."""

from __future__ import annotations

from collections.abc import Callable

from common.db import Database
from common.events import ExemplarApproved, ExemplarRejected, NominationReturned, NominationSubmitted
from common.organisation import Organisation
from common.outbox import OutboxRelay
from common.processing import EventProcessor
from common.runtime import Subscription
from nomination.adapters.orm import messaging
from nomination.service.handlers import record_outcomes
from nomination.service.intake import CONSUMER, SubmissionIntake

__all__ = ["subscriptions_for"]


def subscriptions_for(organisation: Organisation) -> Callable[[Database, OutboxRelay], list[Subscription]]:
    def subscriptions(db: Database, relay: OutboxRelay) -> list[Subscription]:
        outcomes = EventProcessor(
            db=db,
            tables=messaging,
            consumer=CONSUMER,
            batch_handlers={
                ExemplarApproved.TYPE: record_outcomes,
                ExemplarRejected.TYPE: record_outcomes,
                NominationReturned.TYPE: record_outcomes,
            },
            after_commit=relay.publish_now,
        )
        return [
            Subscription(
                stream=NominationSubmitted.STREAM,
                handler=SubmissionIntake(db=db, organisation=organisation, after_commit=relay.publish_now),
                title="nomination.submissions:nomination",
                description="Signed NominationSubmitted entries posted by unit systems.",
            ),
            Subscription(
                stream=ExemplarApproved.STREAM,
                handler=outcomes,
                title="review.events:nomination",
                description="Review outcomes, so each unit sees what became of its nominations.",
            ),
        ]

    return subscriptions
