"""The composition root of the nomination service: the only place things are wired."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from common.organisation import default_organisation_path, load_organisation
from common.registry import service
from common.runtime import Periodic, Runtime, build_runtime, create_app
from common.web.operator import DataFile, organisation_data, with_operator_page
from common.web.pages import staff_pages
from nomination.adapters.orm import messaging
from nomination.adapters.repository import NominationStore
from nomination.adapters.windows_file import default_windows_path, load_calendar
from nomination.config import Settings
from nomination.domain.model import NominationEvent
from nomination.entrypoints import api, consumers, pages, windows_api
from nomination.integration import to_integration
from nomination.service.handlers import Intake
from nomination.service.reminders import send_reminders

__all__ = ["bootstrap", "build", "intake_from"]

TEMPLATES = Path(__file__).resolve().parent / "templates"


def intake_from(settings: Settings) -> Intake:
    """The organisation and windows files, read now, so a bad one stops the service before it serves."""
    organisation = load_organisation(settings.organisation_file or default_organisation_path())
    return Intake(organisation=organisation, calendar=load_calendar(settings.windows_file))


def build(settings: Settings, intake: Intake | None = None) -> Runtime[NominationStore, NominationEvent]:
    intake = intake or intake_from(settings)
    return build_runtime(
        service("nomination"),
        settings,
        tables=messaging,
        store=NominationStore,
        translate=to_integration,
        subscriptions=consumers.subscriptions_for(intake),
        periodic=lambda uow: (
            [Periodic("reminders", settings.reminder_seconds, lambda: send_reminders(uow(), intake))]
            if settings.reminder_seconds
            else []
        ),
    )


def bootstrap(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    intake = intake_from(settings)
    app = create_app(
        build(settings, intake),
        title="Nomination intake",
        description="Units propose exemplars every quarter: clerks over HTTP, unit systems on a Redis stream.",
        routers=[api.router, windows_api.router, pages.router],
    )
    staff_pages(app, templates=TEMPLATES, prefixes=(pages.PREFIX,))
    with_operator_page(
        app,
        [
            organisation_data(settings),
            DataFile("Thời hạn giới thiệu theo quý", settings.windows_file or default_windows_path()),
        ],
    )
    app.state.intake = intake
    return app
