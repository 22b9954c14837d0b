"""The streams the awards service reads."""

from __future__ import annotations

from collections.abc import Callable

from awards.service.handlers import AwardsUnitOfWork, handlers
from common.processing import Processor
from common.runtime import Subscription, subscriptions_of

__all__ = ["subscriptions"]


def subscriptions(unit_of_work: Callable[[], AwardsUnitOfWork]) -> list[Subscription]:
    """Approved exemplars become candidates for commendation; other decisions are left alone."""
    return subscriptions_of(Processor(group="awards", handlers=handlers(), unit_of_work=unit_of_work))
