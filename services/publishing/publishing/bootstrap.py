"""The composition root of the publishing service: the only place things are wired."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from common.db import Database
from common.organisation import Organisation, default_organisation_path, load_organisation
from common.registry import service
from common.runtime import Periodic, Runtime, build_runtime, create_app
from common.web.operator import DataFile, organisation_data, with_operator_page
from common.web.pages import staff_pages
from publishing.adapters.orm import messaging
from publishing.adapters.repository import PublishingStore
from publishing.channels import Channel, channels_for
from publishing.channels.facebook import FacebookChannel
from publishing.channels.print import PrintChannel
from publishing.channels.radio import Radio, RadioChannel
from publishing.channels.site import Site
from publishing.channels.zalo import ZaloChannel
from publishing.config import Settings
from publishing.domain.model import StoryEvent
from publishing.domain.occasions import default_calendar_path, load_calendar
from publishing.entrypoints import (
    api,
    consumers,
    editor_api,
    editor_pages,
    occasions_api,
    print_web,
    radio_web,
    web,
)
from publishing.integration import to_integration
from publishing.print.pdf import WeasyPrintRenderer
from publishing.radio.reading import default_abbreviations
from publishing.radio.speech import CommandSpeech, espeak_command
from publishing.radio.station import default_station_path, load_station
from publishing.service.editorial import Newsroom
from publishing.service.occasions import Occasions, draft_occasions
from publishing.service.placing import placing
from publishing.service.printing import Printing, leaflet_building, plan_leaflets
from publishing.service.radio import building, plan_rundowns
from publishing.social.accounts import load_social

__all__ = ["Publishing", "assemble", "bootstrap", "build", "site_of"]

# The editors' pages (common layout); the public site's own templates are one folder up.
STAFF_TEMPLATES = Path(__file__).resolve().parent / "templates" / "staff"


def site_of(settings: Settings) -> Site:
    return Site(
        title=settings.site_title,
        author=settings.site_author,
        agency=settings.site_agency,
        base_url=settings.public_base(),
    )


@dataclass(frozen=True)
class Publishing:
    """The service wired: its runtime, the newsroom's channels, the radio and the organisation."""

    runtime: Runtime[PublishingStore, StoryEvent]
    newsroom: Newsroom
    radio: Radio
    printing: Printing
    occasions: Occasions
    organisation: Organisation
    site: Site


def assemble(settings: Settings) -> Publishing:
    """Read the organisation, radio and channel settings now: a bad one stops the service before it serves."""
    organisation = load_organisation(settings.organisation_file or default_organisation_path())
    site = site_of(settings)
    db = Database.connect(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
    speech = CommandSpeech(settings.speech_command or espeak_command())
    radio = Radio(
        db=db,
        media=settings.media_dir,
        station=load_station(settings.radio_file),
        speech=speech,
        abbreviations=default_abbreviations(),
        site=site,
        agency=settings.site_agency,
        organisation=organisation,
    )
    accounts = load_social(settings.social_file)
    social: list[Channel] = []
    if accounts.zalo:
        social.append(ZaloChannel(accounts.zalo, db, site))
    if accounts.facebook:
        social.append(FacebookChannel(accounts.facebook, db, site))
    printing = Printing(WeasyPrintRenderer(), settings.media_dir, site, organisation)
    occasions = Occasions(load_calendar(settings.occasions_file), settings.site_agency)
    newsroom = Newsroom(
        channels_for(site, PrintChannel(site), RadioChannel(radio), *social), auto_approve=settings.auto_approve
    )
    runtime = build_runtime(
        service("publishing"),
        settings,
        tables=messaging,
        store=PublishingStore,
        translate=to_integration,
        subscriptions=consumers.subscriptions_for(newsroom, organisation),
        jobs=lambda uow: [placing(uow, newsroom.channels), building(uow, radio), leaflet_building(uow, printing)],
        periodic=lambda uow: [
            *(
                [Periodic("rundowns", settings.rundown_seconds, lambda: plan_rundowns(uow(), radio))]
                if settings.rundown_seconds
                else []
            ),
            *(
                [Periodic("leaflets", settings.leaflet_seconds, lambda: plan_leaflets(uow(), printing))]
                if settings.leaflet_seconds
                else []
            ),
            *(
                [Periodic("occasions", settings.occasion_seconds, lambda: draft_occasions(uow(), occasions, newsroom))]
                if settings.occasion_seconds
                else []
            ),
        ],
        db=db,
    )
    return Publishing(runtime, newsroom, radio, printing, occasions, organisation, site)


def build(settings: Settings) -> Runtime[PublishingStore, StoryEvent]:
    return assemble(settings).runtime


def bootstrap(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    wired = assemble(settings)
    app = create_app(
        wired.runtime,
        title="Publishing (tuyên truyền gương điển hình tiên tiến)",
        description="Drafts stories about approved exemplars; editors approve, correct and retract them on "
        "the web, the feeds, grassroots radio and the other channels, with the commendations they received.",
        routers=[
            web.router,
            radio_web.router,
            print_web.router,
            api.router,
            editor_api.router,
            print_web.editor_router,
            occasions_api.router,
            editor_pages.router,
        ],
        error_page=web.error_page(wired.site),
    )
    web.html_errors(app, wired.site)
    staff_pages(app, templates=STAFF_TEMPLATES, prefixes=(editor_pages.PREFIX,))
    with_operator_page(
        app,
        [
            DataFile("Đài truyền thanh: các buổi phát của từng xã", settings.radio_file or default_station_path()),
            DataFile("Lịch ngày lễ, sự kiện tuyên truyền", settings.occasions_file or default_calendar_path()),
            organisation_data(settings),
        ],
    )
    settings.media_dir.mkdir(parents=True, exist_ok=True)
    app.mount("/media", StaticFiles(directory=settings.media_dir, check_dir=False), name="media")
    app.state.site = wired.site
    app.state.page_size = settings.page_size
    app.state.newsroom = wired.newsroom
    app.state.organisation = wired.organisation
    app.state.radio = wired.radio
    app.state.printing = wired.printing
    app.state.occasions = wired.occasions
    return app
