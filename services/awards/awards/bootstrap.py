"""The composition root of the awards service: the only place things are wired."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from awards.adapters.orm import messaging
from awards.adapters.repository import AwardsStore
from awards.adapters.rules_file import default_rules_path, load_reward_rules
from awards.config import Settings
from awards.domain.model import AwardsEvent
from awards.entrypoints import api, consumers, pages, people_api
from awards.integration import to_integration
from awards.service.handlers import AwardsOffice
from common.organisation import default_organisation_path, load_organisation
from common.registry import service
from common.runtime import Runtime, build_runtime, create_app
from common.web.operator import DataFile, organisation_data, with_operator_page
from common.web.pages import staff_pages

__all__ = ["bootstrap", "build", "office_from"]

TEMPLATES = Path(__file__).resolve().parent / "templates"


def build(settings: Settings) -> Runtime[AwardsStore, AwardsEvent]:
    return build_runtime(
        service("awards"),
        settings,
        tables=messaging,
        store=AwardsStore,
        translate=to_integration,
        subscriptions=consumers.subscriptions,
    )


def office_from(settings: Settings) -> AwardsOffice:
    """The rules and organisation files, read now, so a bad one stops the service before it serves."""
    organisation = load_organisation(settings.organisation_file or default_organisation_path())
    return AwardsOffice(rules=load_reward_rules(settings.reward_rules_file), organisation=organisation)


def bootstrap(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    office = office_from(settings)
    app = create_app(
        build(settings),
        title="Commendations (thi đua – khen thưởng)",
        description="Issues commendation decisions and rewards to approved exemplars.",
        routers=[api.router, people_api.router, pages.router],
    )
    staff_pages(app, templates=TEMPLATES, prefixes=(pages.PREFIX,))
    with_operator_page(
        app,
        [
            DataFile(
                "Mức tiền thưởng theo quy định (theo ngày hiệu lực)", settings.reward_rules_file or default_rules_path()
            ),
            organisation_data(settings),
        ],
    )
    app.state.office = office
    return app
