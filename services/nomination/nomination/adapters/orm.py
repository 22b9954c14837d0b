"""Tables of the nomination datastore; personal data of nominees stays here."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
)

from common.db import IdColumn, UtcDateTime
from common.messaging_tables import messaging_tables

__all__ = [
    "messaging",
    "metadata",
    "nominations",
    "registry_titles",
    "rejected_submissions",
    "reminders",
    "window_changes",
]

metadata = MetaData()
messaging = messaging_tables(metadata)

nominations = Table(
    "nominations",
    metadata,
    Column("nomination_id", Uuid, primary_key=True),
    Column("submission_event_id", Uuid, nullable=False, unique=True),
    Column("unit_id", String(80), nullable=False),
    Column("quarter", String(7), nullable=False),
    Column("field", String(40), nullable=False),
    Column("nominee_kind", String(20), nullable=False),
    Column("nominee_name", String(300), nullable=False),
    Column("nominee_name_key", String(300), nullable=False),
    Column("nominee_title", String(300), nullable=False),
    Column("birth_year", Integer, nullable=True),
    Column("identity_number", String(12), nullable=True),
    Column("phone", String(20), nullable=True),
    Column("address", String(500), nullable=True),
    Column("achievements", Text, nullable=False),
    Column("consent_to_publish", Boolean, nullable=False),
    Column("channel", String(10), nullable=False),
    Column("submitted_by", String(300), nullable=False),
    Column("submitted_at", UtcDateTime(), nullable=False),
    Column("status", String(20), nullable=False),
    Column("decided_by", String(300), nullable=True),
    Column("reasons", JSON, nullable=False),
    Column("correlation_id", Uuid, nullable=False),
    # The registry of exemplars: the nominee across nominations (same id), the name as the registry
    # compares it, and what the reviewer was told of the nominee at intake.
    Column("person_id", Uuid, nullable=True),
    Column("registry_key", String(300), nullable=False),
    Column("registry_warnings", JSON, nullable=False),
    # What the unit and the reviewer are told along with the acceptance (a late entry).
    Column("notes", JSON, nullable=False),
    # A completion of a returned nomination is its next round (bổ sung hồ sơ), linked to it.
    Column("round", Integer, nullable=False, server_default="1"),
    Column("previous_nomination_id", Uuid, nullable=True),
    UniqueConstraint("previous_nomination_id", name="uq_nominations_previous"),
    Index("ix_nominations_person", "person_id"),
    Index("ix_nominations_registry_key", "registry_key"),
    Index("ix_nominations_identity", "identity_number"),
    Index("ix_nominations_birth_year", "birth_year"),
    # Also serves look-ups by unit and quarter; a second index on those two columns alone let
    # PostgreSQL, with statistics not yet caught up on a fast-growing table, check duplicates by
    # scanning a unit's whole quarter.
    Index("ux_nominations_unit_quarter_nominee", "unit_id", "quarter", "nominee_name_key", "round", unique=True),
)

rejected_submissions = Table(
    "rejected_submissions",
    metadata,
    Column("submission_event_id", Uuid, primary_key=True),
    Column("unit_id", String(80), nullable=False),
    Column("reasons", JSON, nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
)

# The office's changes to the nomination windows, oldest first: a quarter's window (unit_id NULL)
# or one unit's later deadline. The latest for a quarter, or a quarter and a unit, counts.
window_changes = Table(
    "window_changes",
    metadata,
    Column("change_id", IdColumn, primary_key=True, autoincrement=True),
    Column("quarter", String(7), nullable=False),
    Column("unit_id", String(80), nullable=True),
    Column("opens", Date, nullable=True),
    Column("deadline", Date, nullable=False),
    Column("late", String(10), nullable=True),
    Column("closes", Date, nullable=True),
    Column("reason", String(500), nullable=False),
    Column("recorded_by", String(300), nullable=False),
    Column("recorded_at", UtcDateTime(), nullable=False),
    Index("ix_window_changes_quarter", "quarter"),
)

# Reminders sent to units that had not nominated for a quarter: one per unit, quarter, deadline
# (an extension brings new ones) and stage (days before it), so that two replicas, or a restart,
# never send one twice.
reminders = Table(
    "reminders",
    metadata,
    Column("unit_id", String(80), primary_key=True),
    Column("quarter", String(7), primary_key=True),
    Column("deadline", Date, primary_key=True),
    Column("days_before", Integer, primary_key=True, autoincrement=False),
    Column("sent_at", UtcDateTime(), nullable=False),
)

# The registry's record of the titles and forms each nominee received: the awards the
# commendation office granted (AwardGranted) and the titles it recorded as given elsewhere
# (TitleRecorded); keyed by the award's or the title's id, so a redelivered event adds nothing.
registry_titles = Table(
    "registry_titles",
    metadata,
    Column("entry_id", Uuid, primary_key=True),
    Column("person_id", Uuid, nullable=False),
    Column("nomination_id", Uuid, nullable=True),
    Column("form", String(80), nullable=False),
    Column("form_name", String(300), nullable=False),
    Column("year", Integer, nullable=False),
    Column("decision_number", String(60), nullable=False),
    Column("signed_on", Date, nullable=False),
    Column("granted_by", String(300), nullable=False),  # the signer's title, or the authority
    Column("amount_vnd", BigInteger, nullable=True),
    Column("recorded", Boolean, nullable=False),
    Index("ix_registry_titles_person", "person_id"),
)
