"""The composition root of the nomination service: the only place things are wired."""

from __future__ import annotations

from fastapi import FastAPI

from common.organisation import default_organisation_path, load_organisation
from common.runtime import build_runtime, create_app
from nomination.adapters.orm import messaging
from nomination.config import Settings
from nomination.entrypoints import api, consumers

__all__ = ["bootstrap"]


def bootstrap(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    organisation = load_organisation(settings.organisation_file or default_organisation_path())
    runtime = build_runtime("nomination", settings, messaging, consumers.subscriptions_for(organisation))
    app = create_app(
        runtime,
        title="Nomination intake",
        description="Units propose exemplars every quarter: clerks over HTTP, unit systems on a Redis stream.",
        routers=[api.router],
    )
    app.state.organisation = organisation
    return app
