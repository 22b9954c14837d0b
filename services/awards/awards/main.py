"""What uvicorn runs: ``uvicorn --factory awards.main:create_app``."""

from __future__ import annotations

from fastapi import FastAPI

from awards.bootstrap import bootstrap

__all__ = ["create_app"]


def create_app() -> FastAPI:
    return bootstrap()
