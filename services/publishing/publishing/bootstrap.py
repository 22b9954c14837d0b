"""The composition root of the publishing service: the only place things are wired."""

from __future__ import annotations

from fastapi import FastAPI

from common.registry import service
from common.runtime import Runtime, build_runtime, create_app
from publishing.adapters.orm import messaging
from publishing.adapters.repository import PublishingStore
from publishing.channels import channels_for
from publishing.channels.site import Site
from publishing.config import Settings
from publishing.domain.model import StoryPlaced
from publishing.entrypoints import api, consumers, web
from publishing.integration import to_integration
from publishing.service.handlers import placing

__all__ = ["bootstrap", "build", "site_of"]


def site_of(settings: Settings) -> Site:
    return Site(title=settings.site_title, author=settings.site_author, base_url=settings.public_base())


def build(settings: Settings) -> Runtime[PublishingStore, StoryPlaced]:
    channels = channels_for(site_of(settings))
    return build_runtime(
        service("publishing"),
        settings,
        tables=messaging,
        store=PublishingStore,
        translate=to_integration,
        subscriptions=consumers.subscriptions_for(channels),
        jobs=lambda unit_of_work: [placing(unit_of_work, channels)],
    )


def bootstrap(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = create_app(
        build(settings),
        title="Publishing (tuyên truyền gương điển hình tiên tiến)",
        description="Publishes stories about approved exemplars on the web and in an Atom feed, "
        "with the commendations they received.",
        routers=[web.router, api.router],
    )
    app.state.site = site_of(settings)
    app.state.page_size = settings.page_size
    return app
