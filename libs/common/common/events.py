"""The one event contract: the envelope and every integration event the services exchange.

Services import these models; nobody redefines them. An event on a stream is an ``Envelope``
whose ``data`` validates against the payload model registered for its ``type`` and
``schema_version``.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Generic, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)

from common.errors import Unprocessable
from common.wire import UNIT_OUTCOMES, unit_outcome_stream

__all__ = [
    "EVENT_TYPES",
    "QUARTER_PATTERN",
    "AwardGranted",
    "DeadlineNear",
    "DecisionNumber",
    "Envelope",
    "Event",
    "EventPayload",
    "ExemplarApproved",
    "ExemplarRejected",
    "FieldOfWork",
    "NominationAccepted",
    "NominationFlagged",
    "NominationRejected",
    "NominationReturned",
    "NominationSubmitted",
    "NominationWithdrawn",
    "Nominee",
    "NomineeKind",
    "OutcomeKind",
    "Quarter",
    "Reason",
    "StoryPublished",
    "StoryRetracted",
    "SubmissionOutcome",
    "Text",
    "TitleRecorded",
    "UnitReminded",
    "clean_text",
    "new_event",
    "nfc",
    "parse_event",
]


def nfc(value: str) -> str:
    """Vietnamese text is stored NFC-normalised, whatever form the sender used."""
    return unicodedata.normalize("NFC", value).strip()


# Characters nobody sees that would make two equal names differ: zero-width space and joiners,
# word joiner, byte-order mark, soft hyphen, direction marks and embeddings.
_INVISIBLE = dict.fromkeys(
    map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"),
    None,
)
# C0 and C1 controls and DEL, but for tab and newline (CR is made a newline first).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_text(value: str) -> str:
    """Text as stored: line ends as newlines, invisible characters removed, NFC, trimmed.

    A control character other than tab and newline (NUL, vertical tab, escape…) is refused: it
    breaks XML feeds and PostgreSQL text, and no form or unit system has a reason to send one.
    """
    value = value.replace("\r\n", "\n").replace("\r", "\n").translate(_INVISIBLE)
    if found := _CONTROL.search(value):
        raise ValueError(
            f"có ký tự điều khiển U+{ord(found.group()):04X} (vị trí {found.start() + 1}), không được phép"
        )
    return nfc(value)


Text = Annotated[str, AfterValidator(clean_text)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=300), AfterValidator(clean_text)]
LongText = Annotated[str, StringConstraints(min_length=1, max_length=20_000), AfterValidator(clean_text)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,79}$")]
# A document's number as its register gives it: 163/QĐ-UBND (Decree 30/2020/NĐ-CP).
DecisionNumber = Annotated[str, StringConstraints(min_length=1, max_length=60), AfterValidator(clean_text)]
QUARTER_PATTERN = r"^20[2-9][0-9]-Q[1-4]$"  # 2020-Q1 to 2099-Q4: the programme's years, not a typo's
Quarter = Annotated[str, StringConstraints(pattern=QUARTER_PATTERN)]


class NomineeKind(StrEnum):
    """Cá nhân, tập thể, hộ gia đình."""

    INDIVIDUAL = "individual"
    COLLECTIVE = "collective"
    HOUSEHOLD = "household"


class FieldOfWork(StrEnum):
    """The fourteen fields (lĩnh vực) of the plan, section III.3."""

    PARTY_GOVERNMENT = "party-government"
    DEFENCE_SECURITY = "defence-security"
    INDUSTRY_TRADE = "industry-trade"
    AGRICULTURE = "agriculture"
    FINANCE = "finance"
    HEALTH = "health"
    EDUCATION = "education"
    SCIENCE = "science"
    CULTURE_SPORTS = "culture-sports"
    FOREIGN_AFFAIRS = "foreign-affairs"
    INFORMATION = "information"
    ADMIN_REFORM = "admin-reform"
    SOCIAL_SECURITY = "social-security"
    SOCIAL_LIFE = "social-life"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Reason(_Model):
    """Why something was refused: a stable code for machines and a message for people."""

    code: Slug
    message: Text


class EventPayload(_Model):
    """Base of every event's ``data``; subclasses name their type, version and stream."""

    TYPE: ClassVar[str]
    VERSION: ClassVar[int] = 1
    STREAM: ClassVar[str]

    def stream(self) -> str:
        """The stream this event goes to: ``STREAM``, unless the type keeps one stream per unit."""
        return self.STREAM


class Nominee(_Model):
    """The person, collective or household nominated. Contact data stays in nomination."""

    kind: NomineeKind
    name: ShortText
    title: Annotated[str, StringConstraints(max_length=300), AfterValidator(clean_text)] = ""
    birth_year: int | None = Field(default=None, ge=1900, le=2100)
    identity_number: Annotated[str, StringConstraints(pattern=r"^[0-9]{9,12}$")] | None = None
    phone: Annotated[str, StringConstraints(pattern=r"^\+?[0-9 .-]{8,20}$")] | None = None
    address: Annotated[str, StringConstraints(max_length=500), AfterValidator(clean_text)] | None = None


class NominationSubmitted(EventPayload):
    """A unit proposes an exemplar for the quarter (giới thiệu điển hình tiên tiến)."""

    TYPE: ClassVar[str] = "NominationSubmitted"
    STREAM: ClassVar[str] = "nomination.submissions"

    unit_id: Slug
    quarter: Quarter
    field: FieldOfWork
    nominee: Nominee
    achievements: LongText
    consent_to_publish: bool
    # The returned nomination this one completes (bổ sung hồ sơ bị trả lại): a new round of the
    # same nominee, quarter and unit, never refused as a duplicate of the one it completes.
    resubmits: uuid.UUID | None = None


class _PublicExemplar(EventPayload):
    """What may travel past nomination: no identity number, phone or address."""

    nomination_id: uuid.UUID
    unit_id: Slug
    unit_name: ShortText
    quarter: Quarter
    field: FieldOfWork
    nominee_kind: NomineeKind
    nominee_name: ShortText
    nominee_title: Text = ""
    achievements: LongText
    consent_to_publish: bool
    # The nominee in the registry of exemplars: the same across quarters, units and mergers
    # (absent from events written before the registry).
    person_id: uuid.UUID | None = None


class NominationAccepted(_PublicExemplar):
    """The nomination passed intake checks and waits for review."""

    TYPE: ClassVar[str] = "NominationAccepted"
    STREAM: ClassVar[str] = "nomination.events"

    # A completed returned nomination: the round (1 for a first submission) and the one it completes.
    round: int = Field(default=1, ge=1, le=100)
    previous_nomination_id: uuid.UUID | None = None


class NominationWithdrawn(EventPayload):
    """The unit withdrew its nomination before the review office decided on it (rút hồ sơ).

    A decision the office took before it heard of the withdrawal stands: it follows as usual.
    """

    TYPE: ClassVar[str] = "NominationWithdrawn"
    STREAM: ClassVar[str] = "nomination.events"

    nomination_id: uuid.UUID
    unit_id: Slug
    withdrawn_by: ShortText
    reason: Annotated[str, StringConstraints(max_length=2000), AfterValidator(clean_text)] = ""


class NominationRejected(EventPayload):
    """A submitted nomination failed intake checks; the unit learns why."""

    TYPE: ClassVar[str] = "NominationRejected"
    STREAM: ClassVar[str] = "nomination.events"

    submission_event_id: uuid.UUID
    unit_id: Slug
    reasons: list[Reason] = Field(min_length=1)


class NominationFlagged(EventPayload):
    """What the registry of exemplars knows of an accepted nomination's nominee, for the reviewer.

    Follows the nomination's NominationAccepted. ``person_id`` names the nominee in the registry
    (the same across quarters, units and mergers); the warnings say who they were seen as before,
    or may be (no identity number leaves nomination).
    """

    TYPE: ClassVar[str] = "NominationFlagged"
    STREAM: ClassVar[str] = "nomination.events"

    nomination_id: uuid.UUID
    person_id: uuid.UUID
    possible_person_ids: list[uuid.UUID] = Field(default_factory=list, max_length=20)
    warnings: list[Reason] = Field(min_length=1, max_length=20)


class _Reminder(EventPayload):
    """A unit that has not nominated for a quarter, some days before its deadline."""

    unit_id: Slug
    unit_name: ShortText
    quarter: Quarter
    deadline: date
    days_left: int = Field(ge=0)
    message: ShortText  # ready to send or show as it is


class UnitReminded(_Reminder):
    """A unit that has not nominated for a quarter was reminded that its deadline is near: for the
    channels that reach the unit's staff (a message, a mail, a notice on their pages)."""

    TYPE: ClassVar[str] = "UnitReminded"
    STREAM: ClassVar[str] = "nomination.events"


class DeadlineNear(_Reminder):
    """The same reminder, told to the unit alone on its own stream, where its system follows its submissions."""

    TYPE: ClassVar[str] = "DeadlineNear"
    STREAM: ClassVar[str] = UNIT_OUTCOMES

    def stream(self) -> str:
        return unit_outcome_stream(self.unit_id)


class ExemplarApproved(_PublicExemplar):
    """The review office approved the nomination: the nominee is an exemplar."""

    TYPE: ClassVar[str] = "ExemplarApproved"
    STREAM: ClassVar[str] = "review.events"

    exemplar_id: uuid.UUID
    decided_by: ShortText
    note: Text = ""


class ExemplarRejected(EventPayload):
    """The review office turned the nomination down, with reasons."""

    TYPE: ClassVar[str] = "ExemplarRejected"
    STREAM: ClassVar[str] = "review.events"

    nomination_id: uuid.UUID
    unit_id: Slug
    decided_by: ShortText
    reasons: list[Reason] = Field(min_length=1)


class NominationReturned(EventPayload):
    """The review office sent the nomination back to the unit to complete (trả lại)."""

    TYPE: ClassVar[str] = "NominationReturned"
    STREAM: ClassVar[str] = "review.events"

    nomination_id: uuid.UUID
    unit_id: Slug
    decided_by: ShortText
    reasons: list[Reason] = Field(min_length=1)


class StoryPublished(EventPayload):
    """A story about an exemplar went out on a channel."""

    TYPE: ClassVar[str] = "StoryPublished"
    STREAM: ClassVar[str] = "publishing.events"

    story_id: uuid.UUID
    exemplar_id: uuid.UUID
    nomination_id: uuid.UUID
    channel: Slug
    title: ShortText
    url: Annotated[str, StringConstraints(min_length=1, max_length=2000)]


class StoryRetracted(EventPayload):
    """A story was taken down from every channel it went to (gỡ bài), with the editor's reason."""

    TYPE: ClassVar[str] = "StoryRetracted"
    STREAM: ClassVar[str] = "publishing.events"

    story_id: uuid.UUID
    exemplar_id: uuid.UUID
    nomination_id: uuid.UUID
    reason: ShortText


class AwardGranted(EventPayload):
    """A commendation decision was signed for an exemplar (quyết định khen thưởng)."""

    TYPE: ClassVar[str] = "AwardGranted"
    STREAM: ClassVar[str] = "awards.events"

    award_id: uuid.UUID
    exemplar_id: uuid.UUID
    nomination_id: uuid.UUID
    form: Slug
    form_name: ShortText
    decision_number: DecisionNumber
    signed_on: date
    signer: ShortText
    recipient_name: ShortText
    recipient_kind: NomineeKind
    amount_vnd: int = Field(ge=0)
    person_id: uuid.UUID | None = None  # the recipient in the registry of exemplars
    year: int | None = Field(default=None, ge=2000, le=2100)  # the year the title or form is for


class TitleRecorded(EventPayload):
    """The commendation office recorded a title or form a nominee of the registry received outside this
    system (before it, or from another authority), with the decision that gave it."""

    TYPE: ClassVar[str] = "TitleRecorded"
    STREAM: ClassVar[str] = "awards.events"

    title_id: uuid.UUID
    person_id: uuid.UUID
    form: Slug
    form_name: ShortText
    year: int = Field(ge=1990, le=2100)
    decision_number: DecisionNumber
    signed_on: date
    authority_name: ShortText
    recorded_by: ShortText


class OutcomeKind(StrEnum):
    ACCEPTED = "accepted"  # taken in; ``nomination_id`` names the nomination
    REFUSED = "refused"  # not taken in; ``reasons`` say why
    APPROVED = "approved"  # công nhận điển hình tiên tiến
    REJECTED = "rejected"  # không công nhận
    RETURNED = "returned"  # trả lại để bổ sung
    WITHDRAWN = "withdrawn"  # the unit withdrew it before a decision (rút hồ sơ)


class SubmissionOutcome(EventPayload):
    """What became of a unit's submission, on that unit's own stream, which no other unit can read."""

    TYPE: ClassVar[str] = "SubmissionOutcome"
    STREAM: ClassVar[str] = UNIT_OUTCOMES

    unit_id: Slug
    submission_event_id: uuid.UUID
    nomination_id: uuid.UUID | None = None
    outcome: OutcomeKind
    # Why it was refused, returned or rejected; with an acceptance, what it was taken as (a late entry).
    reasons: list[Reason] = Field(default_factory=list)

    def stream(self) -> str:
        return unit_outcome_stream(self.unit_id)


EVENT_TYPES: dict[tuple[str, int], type[EventPayload]] = {
    (cls.TYPE, cls.VERSION): cls
    for cls in (
        NominationSubmitted,
        NominationAccepted,
        NominationFlagged,
        NominationRejected,
        NominationWithdrawn,
        ExemplarApproved,
        ExemplarRejected,
        NominationReturned,
        StoryPublished,
        StoryRetracted,
        AwardGranted,
        TitleRecorded,
        SubmissionOutcome,
        UnitReminded,
        DeadlineNear,
    )
}


EARLIEST_EVENT = datetime(2020, 1, 1, tzinfo=UTC)  # before any event of this system
CLOCK_SKEW = timedelta(hours=1)  # how far ahead of ours a sender's clock may run


def _sane_time(value: datetime) -> datetime:
    latest = datetime.now(UTC) + CLOCK_SKEW
    if not EARLIEST_EVENT <= value <= latest:
        raise ValueError(
            f"thời điểm {value.isoformat()} nằm ngoài khoảng chấp nhận "
            f"({EARLIEST_EVENT.date().isoformat()} đến {latest.isoformat(timespec='minutes')})"
        )
    return value


class Envelope(_Model):
    """Metadata every event carries; ``event_id`` is stable across redeliveries and replays."""

    event_id: uuid.UUID
    type: Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Za-z]{1,63}$")]
    schema_version: int = Field(ge=1, le=1000)
    occurred_at: Annotated[AwareDatetime, AfterValidator(_sane_time)]
    producer: Annotated[str, StringConstraints(min_length=1, max_length=80)]
    correlation_id: uuid.UUID
    causation_id: uuid.UUID | None = None
    data: dict[str, Any]


P = TypeVar("P", bound=EventPayload)


class Event(_Model, Generic[P]):
    """An envelope together with its validated payload.

    ``received_at`` is when the entry reached Redis (its entry id's time, which the sender does
    not choose), where a reader knows it; the envelope's ``occurred_at`` is the sender's word.
    """

    envelope: Envelope
    payload: P
    received_at: AwareDatetime | None = None

    @property
    def event_id(self) -> uuid.UUID:
        return self.envelope.event_id


def new_event(
    payload: P,
    *,
    producer: str,
    correlation_id: uuid.UUID | None = None,
    causation: Envelope | None = None,
    occurred_at: datetime | None = None,
) -> Event[P]:
    """Wrap a payload in a fresh envelope, following the causing event's correlation."""
    event_id = uuid.uuid4()
    if causation is not None:
        correlation_id = causation.correlation_id
    envelope = Envelope(
        event_id=event_id,
        type=payload.TYPE,
        schema_version=payload.VERSION,
        occurred_at=occurred_at or datetime.now(UTC),
        producer=producer,
        correlation_id=correlation_id or event_id,
        causation_id=causation.event_id if causation else None,
        data=payload.model_dump(mode="json"),
    )
    return Event[P](envelope=envelope, payload=payload)


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors()[:5]:
        where = ".".join(str(p) for p in item["loc"]) or "(root)"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


def parse_event(raw: bytes | str | dict[str, Any]) -> Event[EventPayload]:
    """Validate raw JSON (or an already decoded mapping) into an event, or say what is wrong."""
    try:
        envelope = Envelope.model_validate(raw) if isinstance(raw, dict) else Envelope.model_validate_json(raw)
    except ValidationError as error:
        if any(item["type"] == "json_invalid" for item in error.errors()):
            raise Unprocessable("malformed-json", "the entry is not valid JSON") from error
        raise Unprocessable("invalid-envelope", _describe(error)) from error
    model = EVENT_TYPES.get((envelope.type, envelope.schema_version))
    if model is None:
        known = sorted(v for t, v in EVENT_TYPES if t == envelope.type)
        if known:
            raise Unprocessable(
                "unknown-version",
                f"{envelope.type} version {envelope.schema_version} is not supported "
                f"(supported: {', '.join(map(str, known))})",
            )
        raise Unprocessable("unknown-type", f"event type {envelope.type!r} is not known")
    try:
        payload = model.model_validate(envelope.data)
    except ValidationError as error:
        raise Unprocessable("invalid-data", _describe(error)) from error
    return Event[EventPayload](envelope=envelope, payload=payload)
