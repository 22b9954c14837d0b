"""The composition root of the publishing service: the only place things are wired."""

from __future__ import annotations

from fastapi import FastAPI

from common.db import Database
from common.outbox import OutboxRelay
from common.runtime import Subscription, build_runtime, create_app
from publishing.adapters.orm import messaging
from publishing.config import Settings
from publishing.entrypoints import api, consumers, web
from publishing.rendering.site import Site

__all__ = ["bootstrap"]


def bootstrap(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    public_base = settings.public_base()

    def subscriptions(db: Database, relay: OutboxRelay) -> list[Subscription]:
        return consumers.subscriptions(db, relay, public_base)

    runtime = build_runtime("publishing", settings, messaging, subscriptions)
    app = create_app(
        runtime,
        title="Publishing (tuyên truyền gương điển hình tiên tiến)",
        description="Publishes stories about approved exemplars on the web and in an Atom feed, "
        "with the commendations they received.",
        routers=[web.router, api.router],
    )
    app.state.site = Site(title=settings.site_title, author=settings.site_author, base_url=public_base)
    app.state.page_size = settings.page_size
    return app
