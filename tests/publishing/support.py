"""What the publishing tests share: the service's event processor, without Redis."""

from __future__ import annotations

from common.consumer import EntryHandler
from common.db import Database
from publishing.adapters.orm import messaging
from publishing.adapters.repository import PublishingStore
from publishing.channels import channels_for
from publishing.entrypoints.consumers import subscriptions_for
from publishing.integration import to_integration
from publishing.service.editorial import Newsroom
from tests.helpers import units_of_work
from tests.publishing.builders import SITE, organisation

__all__ = ["AUTO", "event_processor"]

# An office that lets stories reach its own site without an editor: what most tests look at.
AUTO = frozenset({"web", "feeds"})


def event_processor(db: Database, auto: frozenset[str] = AUTO) -> EntryHandler:
    """What the running service does with both its streams (one processor, one inbox; no Redis used)."""
    uow = units_of_work(db, "publishing", messaging, PublishingStore, to_integration)
    newsroom = Newsroom(channels_for(SITE), auto_approve=auto)
    handlers = {sub.handler for sub in subscriptions_for(newsroom, organisation())(uow)}
    [processor] = handlers
    return processor
