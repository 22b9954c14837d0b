"""What uvicorn runs: ``uvicorn --factory staff.main:create_app``."""

from __future__ import annotations

from fastapi import FastAPI

from staff.bootstrap import bootstrap

__all__ = ["create_app"]


def create_app() -> FastAPI:
    return bootstrap()
