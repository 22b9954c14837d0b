"""The streams the publishing service reads."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from common.processing import Processor
from common.runtime import Subscription, subscriptions_of
from publishing.channels import Channel
from publishing.service.handlers import PublishingUnitOfWork, handlers

__all__ = ["GROUP", "subscriptions_for"]

GROUP = "publishing"


def subscriptions_for(
    channels: Sequence[Channel],
) -> Callable[[Callable[[], PublishingUnitOfWork]], list[Subscription]]:
    """Approved exemplars become stories on every channel; signed commendations are cited on them."""

    def subscriptions(unit_of_work: Callable[[], PublishingUnitOfWork]) -> list[Subscription]:
        return subscriptions_of(Processor(group=GROUP, handlers=handlers(channels), unit_of_work=unit_of_work))

    return subscriptions
