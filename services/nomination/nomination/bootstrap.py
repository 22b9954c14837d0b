"""The composition root of the nomination service: the only place things are wired."""

from __future__ import annotations

from fastapi import FastAPI

from common.organisation import Organisation, default_organisation_path, load_organisation
from common.registry import service
from common.runtime import Runtime, build_runtime, create_app
from nomination.adapters.orm import messaging
from nomination.adapters.repository import NominationStore
from nomination.config import Settings
from nomination.domain.model import NominationEvent
from nomination.entrypoints import api, consumers
from nomination.integration import to_integration

__all__ = ["bootstrap", "build"]


def build(settings: Settings, organisation: Organisation | None = None) -> Runtime[NominationStore, NominationEvent]:
    organisation = organisation or load_organisation(settings.organisation_file or default_organisation_path())
    return build_runtime(
        service("nomination"),
        settings,
        tables=messaging,
        store=NominationStore,
        translate=to_integration,
        subscriptions=consumers.subscriptions_for(organisation),
    )


def bootstrap(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    organisation = load_organisation(settings.organisation_file or default_organisation_path())
    app = create_app(
        build(settings, organisation),
        title="Nomination intake",
        description="Units propose exemplars every quarter: clerks over HTTP, unit systems on a Redis stream.",
        routers=[api.router],
    )
    app.state.organisation = organisation
    return app
