"""The streams the publishing service reads."""

from __future__ import annotations

from collections.abc import Callable

from common.processing import Processor
from common.runtime import Subscription, subscriptions_of
from publishing.service.handlers import PublishingUnitOfWork, handlers

__all__ = ["GROUP", "subscriptions"]

GROUP = "publishing"


def subscriptions(unit_of_work: Callable[[], PublishingUnitOfWork]) -> list[Subscription]:
    """Approved exemplars become stories; signed commendations are cited on them. One inbox for both."""
    return subscriptions_of(Processor(group=GROUP, handlers=handlers(), unit_of_work=unit_of_work))
