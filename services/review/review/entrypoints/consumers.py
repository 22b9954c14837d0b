"""The streams the review service reads."""

from __future__ import annotations

from common.db import Database
from common.events import NominationAccepted
from common.outbox import OutboxRelay
from common.processing import EventProcessor
from common.runtime import Subscription
from review.adapters.orm import messaging
from review.service.handlers import open_cases

__all__ = ["subscriptions"]


def subscriptions(db: Database, relay: OutboxRelay) -> list[Subscription]:
    processor = EventProcessor(
        db=db,
        tables=messaging,
        consumer="review",
        batch_handlers={NominationAccepted.TYPE: open_cases},
        after_commit=relay.publish_now,
    )
    return [
        Subscription(
            stream=NominationAccepted.STREAM,
            handler=processor,
            title="nomination.events:review",
            description="Accepted nominations open review cases.",
        )
    ]
