"""Nominations and refused submissions in the nomination datastore, over one open connection."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from common.events import NominationSubmitted, Nominee, Reason
from nomination.adapters.orm import nominations, rejected_submissions
from nomination.adapters.title_records import TitleRecords
from nomination.adapters.window_records import WindowRecords
from nomination.domain.model import Nomination, NominationStatus, RefusedSubmission, Round
from nomination.domain.registry import KnownNominee, Seen, registry_key

__all__ = ["NominationStore", "NomineeKey", "Outcome", "name_key", "nominee_key"]


# Built once: constructing a statement per call costs more than running it.
_SAVE_OUTCOME = (
    nominations.update()
    .where(nominations.c.nomination_id == bindparam("id"))
    .values(status=bindparam("status"), decided_by=bindparam("decided_by"), reasons=bindparam("reasons"))
)


def name_key(name: str) -> str:
    return " ".join(name.casefold().split())


def _to_nomination(row: Any) -> Nomination:
    submission = NominationSubmitted(
        unit_id=row.unit_id,
        quarter=row.quarter,
        field=row.field,
        nominee=Nominee(
            kind=row.nominee_kind,
            name=row.nominee_name,
            title=row.nominee_title,
            birth_year=row.birth_year,
            identity_number=row.identity_number,
            phone=row.phone,
            address=row.address,
        ),
        achievements=row.achievements,
        consent_to_publish=row.consent_to_publish,
    )
    return Nomination(
        nomination_id=row.nomination_id,
        submission_event_id=row.submission_event_id,
        correlation_id=row.correlation_id,
        submission=submission,
        channel=row.channel,
        submitted_by=row.submitted_by,
        submitted_at=row.submitted_at,
        status=NominationStatus(row.status),
        decided_by=row.decided_by,
        reasons=[Reason.model_validate(r) for r in row.reasons],
        person_id=row.person_id,
        registry_warnings=[Reason.model_validate(r) for r in row.registry_warnings],
        notes=[Reason.model_validate(r) for r in row.notes],
        round=row.round,
        previous_nomination_id=row.previous_nomination_id,
    )


def _row(nomination: Nomination) -> dict[str, Any]:
    s = nomination.submission
    return dict(
        nomination_id=nomination.nomination_id,
        submission_event_id=nomination.submission_event_id,
        unit_id=s.unit_id,
        quarter=s.quarter,
        field=s.field.value,
        nominee_kind=s.nominee.kind.value,
        nominee_name=s.nominee.name,
        nominee_name_key=name_key(s.nominee.name),
        nominee_title=s.nominee.title,
        birth_year=s.nominee.birth_year,
        identity_number=s.nominee.identity_number,
        phone=s.nominee.phone,
        address=s.nominee.address,
        achievements=s.achievements,
        consent_to_publish=s.consent_to_publish,
        channel=nomination.channel,
        submitted_by=nomination.submitted_by,
        submitted_at=nomination.submitted_at,
        status=nomination.status.value,
        decided_by=None,
        reasons=[],
        correlation_id=nomination.correlation_id,
        person_id=nomination.person_id,
        registry_key=registry_key(s.nominee.name),
        registry_warnings=[r.model_dump() for r in nomination.registry_warnings],
        notes=[r.model_dump() for r in nomination.notes],
        round=nomination.round,
        previous_nomination_id=nomination.previous_nomination_id,
    )


NomineeKey = tuple[str, str, str]  # unit, quarter, name key

# At most this many nominees per look-up: three parameters each stays far below every driver's limit.
_TAKEN_CHUNK = 500


def nominee_key(unit_id: str, quarter: str, name: str) -> NomineeKey:
    return unit_id, quarter, name_key(name)


@functools.lru_cache(maxsize=64)
def _taken_query(count: int) -> Select[tuple[str, str, str]]:
    """Which of ``count`` nominees are stored (not withdrawn), as an OR of exact keys: both databases search
    the unique index.

    A row-value ``IN`` reads more simply, but SQLite scans the whole index for it.
    """
    c = nominations.c
    return select(c.unit_id, c.quarter, c.nominee_name_key).where(
        c.status != NominationStatus.WITHDRAWN.value,
        or_(
            *(
                and_(
                    c.unit_id == bindparam(f"u{i}"),
                    c.quarter == bindparam(f"q{i}"),
                    c.nominee_name_key == bindparam(f"k{i}"),
                )
                for i in range(count)
            )
        ),
    )


Outcome = tuple[uuid.UUID, NominationStatus, str, list[Reason]]  # nomination, status, decided by, reasons


class NominationStore(WindowRecords, TitleRecords):
    """Loading and saving nominations and refused submissions (and the windows' and titles' records)."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def add_nominations(self, accepted: Sequence[Nomination]) -> None:
        """Insert nominations in one statement."""
        if accepted:
            await self.connection.execute(nominations.insert(), [_row(n) for n in accepted])

    async def known_nominees(
        self,
        *,
        identity_numbers: Collection[str],
        keys: Collection[str],
        birth_years: Collection[int],
        area: Collection[str],
    ) -> list[KnownNominee]:
        """The nominees the registry knows with one of these identity numbers or name keys, or born in
        one of these years in the area, each with every nomination made of them (two queries)."""
        c = nominations.c
        matches = [
            *([c.identity_number.in_(sorted(identity_numbers))] if identity_numbers else []),
            *([c.registry_key.in_(sorted(keys))] if keys else []),
            *(
                [and_(c.birth_year.in_(sorted(birth_years)), c.unit_id.in_(sorted(area)))]
                if birth_years and area
                else []
            ),
        ]
        if not matches:
            return []
        people = select(c.person_id).where(or_(*matches), c.person_id.is_not(None)).distinct()
        ids = [row.person_id for row in await self.connection.execute(people)]
        return await self.nominees(ids)

    async def nominees(self, person_ids: Collection[uuid.UUID]) -> list[KnownNominee]:
        """The registry's nominees with these ids, with their nominations, oldest quarter first."""
        if not person_ids:
            return []
        c = nominations.c
        columns = (c.person_id, c.nominee_kind, c.nomination_id, c.unit_id, c.quarter, c.status, c.nominee_name)
        query = (
            select(*columns, c.registry_key, c.birth_year, c.identity_number)
            .where(c.person_id.in_(list(person_ids)))
            .order_by(c.quarter, c.submitted_at)
        )
        found: dict[uuid.UUID, KnownNominee] = {}
        for row in await self.connection.execute(query):
            known = found.setdefault(row.person_id, KnownNominee(row.person_id, row.nominee_kind))
            known.seen.append(
                Seen(
                    row.nomination_id,
                    row.unit_id,
                    row.quarter,
                    row.status,
                    row.nominee_name,
                    row.registry_key,
                    row.birth_year,
                    row.identity_number,
                )
            )
        return list(found.values())

    async def nominees_taken(self, nominees: Sequence[tuple[str, str, str]]) -> set[NomineeKey]:
        """Of (unit, quarter, nominee name), the keys already nominated."""
        keys = sorted({nominee_key(*nominee) for nominee in nominees})
        taken: set[NomineeKey] = set()
        for start in range(0, len(keys), _TAKEN_CHUNK):
            chunk = keys[start : start + _TAKEN_CHUNK]
            params: dict[str, str] = {}
            for i, (unit_id, quarter, key) in enumerate(chunk):
                params[f"u{i}"], params[f"q{i}"], params[f"k{i}"] = unit_id, quarter, key
            rows = await self.connection.execute(_taken_query(len(chunk)), params)
            taken.update((row.unit_id, row.quarter, row.nominee_name_key) for row in rows)
        return taken

    async def rounds_of(self, nominees: Sequence[tuple[str, str, str]]) -> dict[NomineeKey, list[Round]]:
        """Of (unit, quarter, nominee name), every nomination of that nominee, by key."""
        keys = sorted({nominee_key(*nominee) for nominee in nominees})
        found: dict[NomineeKey, list[Round]] = {}
        c = nominations.c
        for start in range(0, len(keys), _TAKEN_CHUNK):
            chunk = keys[start : start + _TAKEN_CHUNK]
            query = select(c.nomination_id, c.unit_id, c.quarter, c.nominee_name_key, c.round, c.status).where(
                or_(*(and_(c.unit_id == u, c.quarter == q, c.nominee_name_key == k) for u, q, k in chunk))
            )
            for row in await self.connection.execute(query):
                key = (row.unit_id, row.quarter, row.nominee_name_key)
                found.setdefault(key, []).append(
                    Round(row.nomination_id, row.unit_id, row.quarter, row.round, NominationStatus(row.status))
                )
        return found

    async def rounds_by_id(self, nomination_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Round]:
        """The nominations named, as rounds; with whether another already completes each."""
        if not nomination_ids:
            return {}
        c = nominations.c
        query = select(c.nomination_id, c.unit_id, c.quarter, c.round, c.status).where(
            c.nomination_id.in_(list(set(nomination_ids)))
        )
        return {
            row.nomination_id: Round(
                row.nomination_id, row.unit_id, row.quarter, row.round, NominationStatus(row.status)
            )
            for row in await self.connection.execute(query)
        }

    async def completed(self, nomination_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
        """Of these, the nominations a later round already completes."""
        if not nomination_ids:
            return set()
        c = nominations.c
        query = select(c.previous_nomination_id).where(c.previous_nomination_id.in_(list(set(nomination_ids))))
        return {row.previous_nomination_id for row in await self.connection.execute(query)}

    async def completion_of(self, nomination_id: uuid.UUID) -> uuid.UUID | None:
        """The later round that completes this (returned) nomination, if any."""
        c = nominations.c
        query = select(c.nomination_id).where(c.previous_nomination_id == nomination_id)
        return (await self.connection.execute(query)).scalar_one_or_none()

    async def save_withdrawal(self, nomination: Nomination) -> None:
        await self.connection.execute(
            nominations.update()
            .where(nominations.c.nomination_id == nomination.nomination_id)
            .values(
                status=nomination.status.value,
                decided_by=nomination.decided_by,
                reasons=[r.model_dump() for r in nomination.reasons],
            )
        )

    async def get(self, nomination_id: uuid.UUID, *, for_update: bool = False) -> Nomination | None:
        query = select(nominations).where(nominations.c.nomination_id == nomination_id)
        if for_update and self.connection.dialect.name == "postgresql":
            query = query.with_for_update()
        row = (await self.connection.execute(query)).first()
        return _to_nomination(row) if row else None

    async def get_by_submission(self, event_id: uuid.UUID) -> Nomination | None:
        query = select(nominations).where(nominations.c.submission_event_id == event_id)
        row = (await self.connection.execute(query)).first()
        return _to_nomination(row) if row else None

    async def units_of(self, nomination_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, tuple[str, uuid.UUID]]:
        """For each nomination stored here: its unit and the submission event it came from."""
        query = select(nominations.c.nomination_id, nominations.c.unit_id, nominations.c.submission_event_id).where(
            nominations.c.nomination_id.in_(list(set(nomination_ids)))
        )
        rows = await self.connection.execute(query)
        return {row.nomination_id: (row.unit_id, row.submission_event_id) for row in rows}

    async def save_outcomes(self, outcomes: Sequence[Outcome]) -> None:
        """Record decisions, in order, with one statement."""
        if not outcomes:
            return
        params = [
            {"id": i, "status": status.value, "decided_by": by, "reasons": [r.model_dump() for r in reasons]}
            for i, status, by, reasons in outcomes
        ]
        await self.connection.execute(_SAVE_OUTCOME, params)

    async def record_refusals(self, refused: Sequence[RefusedSubmission]) -> None:
        """Keep why submissions were refused, in one statement."""
        if not refused:
            return
        now = datetime.now(UTC)
        rows = [
            {
                "submission_event_id": r.submission_event_id,
                "unit_id": r.unit_id,
                "reasons": [reason.model_dump() for reason in r.reasons],
                "received_at": now,
            }
            for r in refused
        ]
        await self.connection.execute(rejected_submissions.insert(), rows)

    async def get_refusal(self, event_id: uuid.UUID) -> RefusedSubmission | None:
        query = select(rejected_submissions).where(rejected_submissions.c.submission_event_id == event_id)
        row = (await self.connection.execute(query)).first()
        if row is None:
            return None
        return RefusedSubmission(row.submission_event_id, row.unit_id, [Reason.model_validate(r) for r in row.reasons])

    async def list_nominations(
        self,
        *,
        unit_ids: Sequence[str] | None,
        quarter: str | None,
        status: NominationStatus | None,
        limit: int,
        offset: int,
    ) -> tuple[int, list[Nomination]]:
        """A page of nominations, newest first; ``unit_ids`` narrows it to those units (a lineage)."""
        conditions: list[ColumnElement[bool]] = []
        if unit_ids is not None:
            conditions.append(nominations.c.unit_id.in_(list(unit_ids)))
        if quarter is not None:
            conditions.append(nominations.c.quarter == quarter)
        if status is not None:
            conditions.append(nominations.c.status == status.value)
        count = select(func.count()).select_from(nominations).where(*conditions)
        total = (await self.connection.execute(count)).scalar_one()
        query = (
            select(nominations)
            .where(*conditions)
            .order_by(nominations.c.submitted_at.desc(), nominations.c.nomination_id)
            .limit(limit)
            .offset(offset)
        )
        return int(total), [_to_nomination(row) for row in (await self.connection.execute(query)).all()]
