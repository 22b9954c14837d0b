"""The composition root of the review service: the only place things are wired."""

from __future__ import annotations

from fastapi import FastAPI

from common.runtime import build_runtime, create_app
from review.adapters.orm import messaging
from review.config import Settings
from review.entrypoints import api, consumers

__all__ = ["bootstrap"]


def bootstrap(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    runtime = build_runtime("review", settings, messaging, consumers.subscriptions)
    return create_app(
        runtime,
        title="Review office (phòng Nội vụ)",
        description="Checks accepted nominations against the criteria and decides on them.",
        routers=[api.router],
    )
