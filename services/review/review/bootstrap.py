"""The composition root of the review service: the only place things are wired."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from common.organisation import default_organisation_path, load_organisation
from common.registry import service
from common.runtime import Runtime, build_runtime, create_app
from common.web.operator import organisation_data, with_operator_page
from common.web.pages import staff_pages
from review.adapters.orm import messaging
from review.adapters.repository import ReviewStore
from review.config import Settings
from review.domain.model import CaseDecided
from review.entrypoints import api, consumers, pages
from review.integration import to_integration

__all__ = ["bootstrap", "build"]

TEMPLATES = Path(__file__).resolve().parent / "templates"


def build(settings: Settings) -> Runtime[ReviewStore, CaseDecided]:
    return build_runtime(
        service("review"),
        settings,
        tables=messaging,
        store=ReviewStore,
        translate=to_integration,
        subscriptions=consumers.subscriptions,
    )


def bootstrap(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    # Read now, so a bad file stops the service before it serves: lists roll units up along it.
    organisation = load_organisation(settings.organisation_file or default_organisation_path())
    app = create_app(
        build(settings),
        title="Review office (phòng Nội vụ)",
        description="Checks accepted nominations against the criteria and decides on them.",
        routers=[api.router, pages.router],
    )
    staff_pages(app, templates=TEMPLATES, prefixes=(pages.PREFIX,))
    with_operator_page(
        app,
        [organisation_data(settings)],
    )
    app.state.organisation = organisation
    return app
