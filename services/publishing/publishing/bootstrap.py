"""The composition root of the publishing service: the only place things are wired."""

from __future__ import annotations

from fastapi import FastAPI

from common.registry import service
from common.runtime import Runtime, build_runtime, create_app
from publishing.adapters.orm import messaging
from publishing.adapters.repository import PublishingStore
from publishing.config import Settings
from publishing.domain.model import StoryReleased
from publishing.entrypoints import api, consumers, web
from publishing.integration import translator
from publishing.rendering.site import Site

__all__ = ["bootstrap", "build"]


def build(settings: Settings) -> Runtime[PublishingStore, StoryReleased]:
    return build_runtime(
        service("publishing"),
        settings,
        tables=messaging,
        store=PublishingStore,
        translate=translator(settings.public_base()),
        subscriptions=consumers.subscriptions,
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
    app.state.site = Site(title=settings.site_title, author=settings.site_author, base_url=settings.public_base())
    app.state.page_size = settings.page_size
    return app
