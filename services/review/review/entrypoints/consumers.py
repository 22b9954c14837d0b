"""The streams the review service reads."""

from __future__ import annotations

from collections.abc import Callable

from common.processing import Processor
from common.runtime import Subscription, subscriptions_of
from review.service.handlers import ReviewUnitOfWork, handlers

__all__ = ["subscriptions"]


def subscriptions(unit_of_work: Callable[[], ReviewUnitOfWork]) -> list[Subscription]:
    """Accepted nominations open review cases."""
    return subscriptions_of(Processor(group="review", handlers=handlers(), unit_of_work=unit_of_work))
