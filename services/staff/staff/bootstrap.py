"""The composition root of the staff service: the only place things are wired."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from common.events import Envelope, Event
from common.organisation import default_organisation_path, load_organisation
from common.registry import service
from common.runtime import Runtime, build_runtime, create_app
from common.web.pages import staff_pages
from staff.adapters.accounts import AccountStore
from staff.adapters.oidc import OidcClient
from staff.adapters.orm import messaging
from staff.config import Settings
from staff.domain.accounts import Passwords
from staff.entrypoints import console_web, signin_web
from staff.service.accounts import Accounts

__all__ = ["bootstrap", "build"]

TEMPLATES = Path(__file__).resolve().parent / "templates"
PREFIXES = ("/signin", "/signin/", "/signout", "/staff", "/staff/operator/")


def _no_events(_domain: object, _cause: Envelope | None) -> list[Event[Any]]:
    return []  # the staff service announces nothing on the bus


def build(settings: Settings) -> Runtime[AccountStore, object]:
    return build_runtime(
        service("staff"),
        settings,
        tables=messaging,
        store=AccountStore,
        translate=_no_events,
        subscriptions=lambda uow: [],
    )


def bootstrap(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    organisation = load_organisation(settings.organisation_file or default_organisation_path())
    runtime = build(settings)
    http = httpx.AsyncClient(timeout=10, follow_redirects=False)

    async def close_http() -> None:
        await http.aclose()

    app = create_app(
        runtime,
        title="Staff sign-in",
        description="Sign-in (local accounts or the operator's OpenID Connect provider) and each role's home page.",
        routers=[signin_web.router, console_web.router],
        on_stop=close_http,
    )
    staff_pages(app, templates=TEMPLATES, prefixes=PREFIXES, globals={"unit_name": organisation.name_of})
    app.state.accounts = Accounts(runtime.db, Passwords())
    app.state.http = http
    app.state.service_addresses = settings.service_addresses()
    app.state.local_accounts = settings.local_accounts
    app.state.session_cookie_secure = settings.session_cookie_secure
    app.state.public_base = settings.public_base()
    app.state.unit_exists = lambda unit_id: organisation.unit(unit_id) is not None
    app.state.claim_mapping = settings.claim_mapping()
    app.state.oidc_label = settings.oidc_label
    app.state.oidc_sign_out_at_provider = settings.oidc_sign_out_at_provider
    app.state.oidc = (
        OidcClient(
            issuer=settings.oidc_issuer,
            client_id=settings.oidc_client_id,
            client_secret=settings.client_secret(),
            scopes=settings.oidc_scopes,
            http=http,
        )
        if settings.oidc_issuer
        else None
    )
    return app
