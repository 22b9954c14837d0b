"""The streams the publishing service reads."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from common.db import Database
from common.events import AwardGranted, Event, ExemplarApproved
from common.outbox import OutboxRelay
from common.processing import EventProcessor
from common.runtime import Subscription
from publishing.adapters.orm import messaging
from publishing.service.handlers import batch_handlers

__all__ = ["CONSUMER", "event_processor", "subscriptions"]

CONSUMER = "publishing"


def event_processor(
    db: Database, public_base: str, after_commit: Callable[[Sequence[Event[Any]]], None] = lambda events: None
) -> EventProcessor:
    """One processor for both streams: one inbox, so an event is applied once whichever way it came."""
    return EventProcessor(
        db=db,
        tables=messaging,
        consumer=CONSUMER,
        batch_handlers=batch_handlers(public_base),
        after_commit=after_commit,
    )


def subscriptions(db: Database, relay: OutboxRelay, public_base: str) -> list[Subscription]:
    processor = event_processor(db, public_base, relay.publish_now)
    return [
        Subscription(
            stream=ExemplarApproved.STREAM,
            handler=processor,
            title="review.events:publishing",
            description="Approved exemplars become stories (published with consent, withheld without).",
        ),
        Subscription(
            stream=AwardGranted.STREAM,
            handler=processor,
            title="awards.events:publishing",
            description="Signed commendation decisions are cited on the exemplar's story.",
        ),
    ]
