"""The streams the awards service reads."""

from __future__ import annotations

from awards.adapters.orm import messaging
from awards.service.handlers import record_exemplars
from common.db import Database
from common.events import ExemplarApproved
from common.outbox import OutboxRelay
from common.processing import EventProcessor
from common.runtime import Subscription

__all__ = ["subscriptions"]


def subscriptions(db: Database, relay: OutboxRelay) -> list[Subscription]:
    processor = EventProcessor(
        db=db,
        tables=messaging,
        consumer="awards",
        batch_handlers={ExemplarApproved.TYPE: record_exemplars},
        after_commit=relay.publish_now,
    )
    return [
        Subscription(
            stream=ExemplarApproved.STREAM,
            handler=processor,
            title="review.events:awards",
            description="Approved exemplars become candidates for commendation; other decisions are ignored.",
        )
    ]
