"""What the HTTP routes need from the running service, as ``Annotated`` dependencies."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from common.db import Database
from publishing.channels.site import Site

__all__ = ["DatabaseDep", "PageSizeDep", "SiteDep"]


def _database(request: Request) -> Database:
    db: Database = request.app.state.runtime.db
    return db


def _site(request: Request) -> Site:
    site: Site = request.app.state.site
    return site


def _page_size(request: Request) -> int:
    size: int = request.app.state.page_size
    return size


DatabaseDep = Annotated[Database, Depends(_database)]
SiteDep = Annotated[Site, Depends(_site)]
PageSizeDep = Annotated[int, Depends(_page_size)]
