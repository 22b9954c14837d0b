"""The streams the publishing service reads."""

from __future__ import annotations

from collections.abc import Callable

from common.organisation import Organisation
from common.processing import Processor
from common.runtime import Subscription, subscriptions_of
from publishing.service.editorial import Newsroom
from publishing.service.handlers import handlers
from publishing.service.placing import PublishingUnitOfWork

__all__ = ["GROUP", "subscriptions_for"]

GROUP = "publishing"


def subscriptions_for(
    newsroom: Newsroom, organisation: Organisation
) -> Callable[[Callable[[], PublishingUnitOfWork]], list[Subscription]]:
    """Approved exemplars become draft stories; signed commendations are cited on them."""

    def subscriptions(unit_of_work: Callable[[], PublishingUnitOfWork]) -> list[Subscription]:
        group = handlers(newsroom, organisation)
        return subscriptions_of(Processor(group=GROUP, handlers=group, unit_of_work=unit_of_work))

    return subscriptions
