"""Nomination use cases: take submissions in (a clerk's or a unit system's); record review outcomes."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TypeVar

from common.dates import vietnam_date
from common.errors import Unprocessable
from common.events import (
    AwardGranted,
    Envelope,
    Event,
    ExemplarApproved,
    ExemplarRejected,
    NominationReturned,
    NominationSubmitted,
    Reason,
    TitleRecorded,
)
from common.organisation import Organisation
from common.processing import Handlers
from common.unit_of_work import UnitOfWork
from nomination.adapters.repository import NominationStore, Outcome, nominee_key
from nomination.domain.model import (
    Decision,
    DecisionRecorded,
    Nomination,
    NominationEvent,
    NominationStatus,
    RefusedSubmission,
    Round,
    place,
    take_in,
    unit_problems,
)
from nomination.domain.registry import (
    Candidate,
    HeldTitle,
    KnownNominee,
    Seen,
    recognise,
    registry_key,
    warnings,
)
from nomination.domain.windows import Calendar

__all__ = [
    "Intake",
    "NominationUnitOfWork",
    "Submission",
    "calendar_in_force",
    "intake_handlers",
    "outcome_handlers",
    "record_outcomes",
    "record_titles",
    "take_in_posted",
    "take_in_submissions",
    "title_handlers",
    "withdraw_nomination",
]

NominationUnitOfWork = UnitOfWork[NominationStore, NominationEvent]


@dataclass(frozen=True)
class Intake:
    """What taking submissions in needs beyond the database: the organisation, and the windows'
    calendar as the files give it (the office's changes are read with each run)."""

    organisation: Organisation
    calendar: Calendar = field(default_factory=Calendar)


@dataclass(frozen=True)
class Submission:
    """A proposal to take in (command): what was submitted, under which envelope, and how it came."""

    payload: NominationSubmitted
    envelope: Envelope
    channel: str  # "http" (a clerk) or "stream" (the unit's own system)
    submitted_by: str
    keep_refusal: bool  # a unit system learns of a refusal by event; a clerk in the HTTP answer
    received_at: datetime  # when it reached this system: the stream entry's time, or the request's


async def calendar_in_force(store: NominationStore, calendar: Calendar, quarters: Collection[str]) -> Calendar:
    """The files' calendar with the office's changes to these quarters."""
    return calendar.with_records(*await store.window_records(quarters))


async def take_in_submissions(
    uow: NominationUnitOfWork, submissions: Sequence[Submission], *, intake: Intake
) -> list[Nomination | RefusedSubmission]:
    """Check submissions and store each as a nomination, or record why it was refused.

    One outcome per submission, in order. The duplicate check for the whole list is one query,
    and the rows are written with one statement per table: a batch of stream entries costs a
    few round trips, not two per entry. A nominee proposed twice in the list is a duplicate the
    second time, as if the two had come one after the other.
    """
    now = datetime.now(UTC)
    organisation = intake.organisation
    outcomes: list[Nomination | RefusedSubmission] = []
    async with uow:
        calendar = await calendar_in_force(uow.store, intake.calendar, {s.payload.quarter for s in submissions})
        rounds = await uow.store.rounds_of(
            [(s.payload.unit_id, s.payload.quarter, s.payload.nominee.name) for s in submissions]
        )
        completing = [s.payload.resubmits for s in submissions if s.payload.resubmits is not None]
        completes = await uow.store.rounds_by_id(completing)
        completed = await uow.store.completed(completing)
        accepted: list[Nomination] = []
        refused: list[RefusedSubmission] = []
        days: dict[uuid.UUID, date] = {}
        for item in submissions:
            payload = item.payload
            # The unit and the window as they were on the day the submission reached us, in
            # Vietnam: not the sender's own date, which it could set to suit itself.
            day = vietnam_date(min(item.received_at, now))
            standing = organisation.standing(payload.unit_id, day)
            if not standing.known:
                raise Unprocessable("unknown-unit", f"unit {payload.unit_id!r} is not in the organisation")
            unit = standing.unit or organisation.unit(payload.unit_id)  # known: it has a version
            assert unit is not None
            key = nominee_key(payload.unit_id, payload.quarter, payload.nominee.name)
            placement = place(
                payload,
                rounds.get(key, []),
                completes.get(payload.resubmits) if payload.resubmits else None,
                already_completed=payload.resubmits in completed,
                unit_lineage=organisation.lineage(payload.unit_id),
            )
            outcome = take_in(
                payload,
                submission_event_id=item.envelope.event_id,
                correlation_id=item.envelope.correlation_id,
                unit_name=unit.name,
                channel=item.channel,
                submitted_by=item.submitted_by,
                now=now,
                unit_problems=unit_problems(standing, payload.unit_id, day),
                timing=calendar.judge(payload.quarter, payload.unit_id, day),
                placement=placement,
            )
            outcomes.append(outcome)
            if isinstance(outcome, Nomination):
                # The next in the list sees this one, as if the two had come one after the other.
                rounds.setdefault(key, []).append(
                    Round(outcome.nomination_id, payload.unit_id, payload.quarter, outcome.round, outcome.status)
                )
                if outcome.previous_nomination_id is not None:
                    completed.add(outcome.previous_nomination_id)
                accepted.append(outcome)
                days[outcome.nomination_id] = day
            elif not item.keep_refusal:
                continue
            else:
                refused.append(outcome)
            uow.track(outcome, cause=item.envelope)
        await recognise_nominees(uow.store, accepted, days, organisation)
        await uow.store.add_nominations(accepted)
        await uow.store.record_refusals(refused)
    return outcomes


async def recognise_nominees(
    store: NominationStore, accepted: Sequence[Nomination], days: dict[uuid.UUID, date], organisation: Organisation
) -> None:
    """Link each accepted nomination to its nominee in the registry of exemplars, and warn the reviewer.

    One look-up for the whole run; a nominee twice in the run is recognised the second time.
    """
    if not accepted:
        return
    areas: dict[tuple[str, date], frozenset[str]] = {}  # a run is mostly a few units on one day
    candidates = []
    for nomination in accepted:
        s = nomination.submission
        place = (s.unit_id, days[nomination.nomination_id])
        if place not in areas:
            areas[place] = organisation.neighbourhood(*place)
        candidates.append(
            Candidate(
                nomination_id=nomination.nomination_id,
                kind=s.nominee.kind.value,
                name=s.nominee.name,
                key=registry_key(s.nominee.name),
                birth_year=s.nominee.birth_year,
                identity_number=s.nominee.identity_number,
                unit_id=s.unit_id,
                quarter=s.quarter,
                area=areas[place],
            )
        )
    registry = await store.known_nominees(
        identity_numbers={c.identity_number for c in candidates if c.identity_number},
        keys={c.key for c in candidates},
        birth_years={c.birth_year for c in candidates if c.birth_year is not None},
        area=set().union(*(c.area for c in candidates if c.birth_year is not None)),
    )
    for nomination, candidate in zip(accepted, candidates, strict=True):
        recognition = recognise(candidate, registry)
        known = recognition.known
        if known is None:
            known = KnownNominee(uuid.uuid4(), candidate.kind)
            registry.append(known)
        nomination.person_id = known.person_id
        nomination.possible_person_ids = [p.person_id for p in recognition.possible]
        nomination.registry_warnings = warnings(candidate, recognition, organisation.name_of)
        known.seen.append(
            Seen(
                candidate.nomination_id,
                candidate.unit_id,
                candidate.quarter,
                nomination.status.value,
                candidate.name,
                candidate.key,
                candidate.birth_year,
                candidate.identity_number,
            )
        )


async def take_in_posted(
    uow: NominationUnitOfWork, events: Sequence[Event[NominationSubmitted]], *, intake: Intake
) -> None:
    """NominationSubmitted posted by unit systems (signed, checked when read)."""
    submissions = [
        Submission(
            e.payload,
            e.envelope,
            "stream",
            f"system:{e.payload.unit_id}",
            keep_refusal=True,
            received_at=e.received_at or datetime.now(UTC),  # never the sender's own date
        )
        for e in events
    ]
    await take_in_submissions(uow, submissions, intake=intake)


Decided = TypeVar("Decided", ExemplarApproved, ExemplarRejected, NominationReturned)

_STATUS: dict[type, NominationStatus] = {
    ExemplarApproved: NominationStatus.APPROVED,
    ExemplarRejected: NominationStatus.REJECTED,
    NominationReturned: NominationStatus.RETURNED,
}


async def withdraw_nomination(
    uow: NominationUnitOfWork, nomination_id: uuid.UUID, *, units: Collection[str] | None, by: str, reason: str = ""
) -> Nomination:
    """The unit takes back a nomination waiting for review; ``units``: those the caller acts for
    (a clerk's unit and its predecessors), None for the office."""
    async with uow:
        found = await uow.store.get(nomination_id, for_update=True)
        if found is None or (units is not None and found.submission.unit_id not in units):
            raise Unprocessable("no-such-nomination", "Không có hồ sơ này.")
        found.withdraw(by=by, reason=reason)
        await uow.store.save_withdrawal(found)
        uow.track(found)
    return found


async def record_outcomes(uow: NominationUnitOfWork, events: Sequence[Event[Decided]]) -> None:
    """ExemplarApproved / ExemplarRejected / NominationReturned: the unit sees each outcome.

    A run of decisions costs one look-up and one statement. A decision on a nomination not
    stored here can never be recorded: it is refused, and the run applied entry by entry.
    """
    outcomes: list[Outcome] = []
    for event in events:
        payload = event.payload
        reasons: list[Reason] = [] if isinstance(payload, ExemplarApproved) else list(payload.reasons)
        outcomes.append((payload.nomination_id, _STATUS[type(payload)], payload.decided_by, reasons))
    async with uow:
        known = await uow.store.units_of([nomination_id for nomination_id, *_ in outcomes])
        missing = {nomination_id for nomination_id, *_ in outcomes} - set(known)
        if missing:
            raise Unprocessable(
                "unknown-nomination",
                f"review decided on nominations not stored here: {', '.join(sorted(map(str, missing)))}",
            )
        await uow.store.save_outcomes(outcomes)
        for event, (nomination_id, status, _by, reasons) in zip(events, outcomes, strict=True):
            unit_id, submission_event_id = known[nomination_id]
            decision = DecisionRecorded(nomination_id, submission_event_id, unit_id, status, tuple(reasons))
            uow.track(Decision(decision), cause=event.envelope)


Received = TypeVar("Received", AwardGranted, TitleRecorded)


async def record_titles(uow: NominationUnitOfWork, events: Sequence[Event[Received]]) -> None:
    """AwardGranted / TitleRecorded: the registry keeps what each nominee received (a run in one statement).

    An award names its nomination, whose nominee the registry knows; an award for a nomination
    not stored here is refused, as decisions on unknown nominations are.
    """
    payloads: list[AwardGranted | TitleRecorded] = [e.payload for e in events]
    async with uow:
        people = await uow.store.people_of({p.nomination_id for p in payloads if isinstance(p, AwardGranted)})
        titles: list[HeldTitle] = []
        for p in payloads:
            if isinstance(p, TitleRecorded):
                titles.append(
                    HeldTitle(
                        p.title_id,
                        p.person_id,
                        None,
                        p.form,
                        p.form_name,
                        p.year,
                        p.decision_number,
                        p.signed_on,
                        p.authority_name,
                        None,
                        recorded=True,
                    )
                )
                continue
            if p.nomination_id not in people:
                raise Unprocessable("unknown-nomination", f"an award for nomination {p.nomination_id}, not stored here")
            person = people[p.nomination_id]
            if person is None:
                continue  # a nomination stored before the registry: its nominee has no history to keep
            titles.append(
                HeldTitle(
                    p.award_id,
                    person,
                    p.nomination_id,
                    p.form,
                    p.form_name,
                    p.year or p.signed_on.year,
                    p.decision_number,
                    p.signed_on,
                    p.signer,
                    p.amount_vnd,
                    recorded=False,
                )
            )
        await uow.store.add_titles(titles)


def intake_handlers(intake: Intake) -> Handlers[NominationStore, NominationEvent]:
    """What the nomination group does with signed submissions."""
    take_in = functools.partial(take_in_posted, intake=intake)
    return Handlers[NominationStore, NominationEvent]().on(NominationSubmitted, take_in)


def outcome_handlers() -> Handlers[NominationStore, NominationEvent]:
    """What the nomination group does with the review office's decisions."""
    return (
        Handlers[NominationStore, NominationEvent]()
        .on(ExemplarApproved, record_outcomes)
        .on(ExemplarRejected, record_outcomes)
        .on(NominationReturned, record_outcomes)
    )


def title_handlers() -> Handlers[NominationStore, NominationEvent]:
    """What the nomination group does with the commendation office's awards and recorded titles."""
    return Handlers[NominationStore, NominationEvent]().on(AwardGranted, record_titles).on(TitleRecorded, record_titles)
