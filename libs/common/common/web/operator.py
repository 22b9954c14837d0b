"""Each service's page for operators (``/staff/operator/<service>/``): whether its database and
Redis answer, how far behind its consumer groups are, its failed jobs with a retry, and the data
files it runs on (read-only). The staff service's console links the services' pages together."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from common.auth import Role
from common.jobs import JobState, list_jobs, retry_jobs
from common.organisation import default_organisation_path
from common.runtime import Runtime
from common.settings import ServiceSettings
from common.web.pages import Pages
from common.web.people import Person, form_of, signed_in

__all__ = [
    "DataFile",
    "GroupLag",
    "group_lag",
    "operator_router",
    "organisation_data",
    "unread",
    "with_operator_page",
]

log = logging.getLogger(__name__)

Operator = Annotated[Person, signed_in(Role.OPERATOR)]
OperatorForm = Annotated[FormData, form_of(signed_in(Role.OPERATOR))]
MAX_SHOWN_BYTES = 200_000


@dataclass(frozen=True)
class DataFile:
    """A file the service runs on, shown as it is in force (the organisation, the law's amounts)."""

    title: str
    path: Path


@dataclass(frozen=True)
class GroupLag:
    stream: str
    group: str
    length: int
    lag: int | None  # entries not yet delivered to the group (None: Redis cannot tell)
    pending: int  # delivered, not yet acknowledged
    consumers: int


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _entry_id(value: bytes | str) -> tuple[int, int]:
    text = value.decode() if isinstance(value, bytes) else value
    milliseconds, _, sequence = text.partition("-")
    return int(milliseconds), int(sequence or 0)


def unread(group: Mapping[str, Any], stream: Mapping[str, Any]) -> int | None:
    """How many entries of ``stream`` (a reply of XINFO STREAM) ``group`` (of XINFO GROUPS) has
    still to be given.

    A group whose last delivered entry is the stream's last has read everything, whatever its lag
    says: Redis 7.0 does not carry a group's read counter to its replicas, so after a failover
    the promoted master reports a lag as large as the reads it missed, for good. Otherwise the
    lag Redis estimates (``None`` when it cannot tell), never more than the entries there are.
    """
    length = int(stream["length"])
    if length == 0:
        return 0
    last_entry = stream.get("last-entry")
    last_id = last_entry[0] if last_entry else stream["last-generated-id"]
    if _entry_id(group["last-delivered-id"]) >= _entry_id(last_id):
        return 0
    lag = _int(group.get("lag"))
    return None if lag is None else min(lag, length)


async def group_lag(redis: Any, streams: Sequence[str]) -> list[GroupLag]:
    """Every consumer group of ``streams``, with how much it has still to do."""
    out: list[GroupLag] = []
    for stream in streams:
        try:
            info = await redis.xinfo_stream(stream)
            groups = await redis.xinfo_groups(stream)
        except Exception as error:  # no such stream yet: nothing was ever written to it
            if "no such key" in str(error).lower():
                continue
            raise
        for group in groups:
            name = group.get("name")
            out.append(
                GroupLag(
                    stream=stream,
                    group=name.decode() if isinstance(name, bytes) else str(name),
                    length=int(info["length"]),
                    lag=unread(group, info),
                    pending=int(group.get("pending", 0)),
                    consumers=int(group.get("consumers", 0)),
                )
            )
    return out


def operator_router(service: str, files: Sequence[DataFile]) -> APIRouter:
    """The operator's page of ``service``, at ``/staff/operator/<service>/``."""
    router = APIRouter(prefix=f"/staff/operator/{service}", include_in_schema=False)

    def _runtime(request: Request) -> Runtime[Any, Any]:
        runtime: Runtime[Any, Any] = request.app.state.runtime
        return runtime

    @router.get("/", response_class=HTMLResponse)
    async def page(request: Request, person: Operator) -> Response:
        runtime = _runtime(request)
        checks: dict[str, str] = {}
        for name, check in (("Cơ sở dữ liệu", runtime.db.ping), ("Redis", runtime.ping_redis)):
            try:
                await check()
                checks[name] = ""
            except Exception as error:  # shown to the operator, whatever it is
                checks[name] = f"{type(error).__name__}: {error}"[:300]
        lags = await group_lag(runtime.redis, [c.stream for c in runtime.consumers]) if not any(checks.values()) else []
        failed = await list_jobs(runtime.db, runtime.tables, state=JobState.FAILED, limit=200)
        recent = await list_jobs(runtime.db, runtime.tables, state=None, limit=20)
        shown = []
        for data in files:
            try:
                text = data.path.read_bytes()[:MAX_SHOWN_BYTES].decode("utf-8", "replace")
            except OSError as error:
                text = f"(không đọc được tệp: {error})"
            shown.append((data.title, str(data.path), text))
        pages: Pages = request.app.state.pages
        return pages.render(
            request,
            "operator_service.html",
            title=f"Vận hành: {service}",
            service=service,
            checks=checks,
            lags=[lag for lag in lags if lag.group == service],
            failed=failed,
            recent=recent,
            files=shown,
            retried=request.query_params.get("retried", ""),
        )

    @router.post("/jobs/retry", response_class=HTMLResponse)
    async def retry(request: Request, person: Operator, form: OperatorForm) -> Response:
        try:
            ids = [int(str(v)) for v in form.getlist("job")]
        except ValueError:
            raise HTTPException(status.HTTP_400_BAD_REQUEST) from None
        everything = form.get("all") == "yes"
        runtime = _runtime(request)
        count = await retry_jobs(runtime.db, runtime.tables, None if everything else ids) if ids or everything else 0
        log.warning("%s jobs retry by %s: %d failed jobs sent back", service, person.name, count)
        return RedirectResponse(f"/staff/operator/{service}/?retried={count}", status_code=303)

    return router


def with_operator_page(app: Any, files: Sequence[DataFile] = ()) -> None:
    """Serve the operator's page of the service ``app`` runs (after ``staff_pages``)."""
    service = app.state.runtime.service
    app.include_router(operator_router(service, files))
    pages: Pages = app.state.pages
    pages.prefixes = (*pages.prefixes, f"/staff/operator/{service}/")


def organisation_data(settings: ServiceSettings) -> DataFile:
    """The organisation file a service runs on (units, authorities, mergers), as it is in force."""
    return DataFile(
        "Tệp tổ chức (đơn vị, cấp có thẩm quyền)", settings.organisation_file or default_organisation_path()
    )
