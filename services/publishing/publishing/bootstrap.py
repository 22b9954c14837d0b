"""The composition root of the publishing service: the only place things are wired."""

from __future__ import annotations

from fastapi import FastAPI

from common.organisation import Organisation, default_organisation_path, load_organisation
from common.registry import service
from common.runtime import Runtime, build_runtime, create_app
from publishing.adapters.orm import messaging
from publishing.adapters.repository import PublishingStore
from publishing.channels import channels_for
from publishing.channels.site import Site
from publishing.config import Settings
from publishing.domain.model import StoryEvent
from publishing.entrypoints import api, consumers, editor_api, web
from publishing.integration import to_integration
from publishing.service.editorial import Newsroom
from publishing.service.placing import placing

__all__ = ["bootstrap", "build", "newsroom_of", "site_of"]


def site_of(settings: Settings) -> Site:
    return Site(
        title=settings.site_title,
        author=settings.site_author,
        agency=settings.site_agency,
        base_url=settings.public_base(),
    )


def newsroom_of(settings: Settings) -> Newsroom:
    """The channels, and those the office lets stories reach on their own (refused if unknown)."""
    return Newsroom(channels_for(site_of(settings)), auto_approve=settings.auto_approve)


def build(
    settings: Settings, newsroom: Newsroom | None = None, organisation: Organisation | None = None
) -> Runtime[PublishingStore, StoryEvent]:
    newsroom = newsroom or newsroom_of(settings)
    organisation = organisation or load_organisation(settings.organisation_file or default_organisation_path())
    return build_runtime(
        service("publishing"),
        settings,
        tables=messaging,
        store=PublishingStore,
        translate=to_integration,
        subscriptions=consumers.subscriptions_for(newsroom, organisation),
        jobs=lambda unit_of_work: [placing(unit_of_work, newsroom.channels)],
    )


def bootstrap(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    newsroom = newsroom_of(settings)
    organisation = load_organisation(settings.organisation_file or default_organisation_path())
    app = create_app(
        build(settings, newsroom, organisation),
        title="Publishing (tuyên truyền gương điển hình tiên tiến)",
        description="Drafts stories about approved exemplars; editors approve, correct and retract them on "
        "the web, the feeds and the other channels, with the commendations they received.",
        routers=[web.router, api.router, editor_api.router],
        error_page=web.error_page(site_of(settings)),
    )
    web.html_errors(app, site_of(settings))
    app.state.site = site_of(settings)
    app.state.page_size = settings.page_size
    app.state.newsroom = newsroom
    app.state.organisation = organisation
    return app
