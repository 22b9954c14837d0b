"""Tables of the awards datastore."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
)

from common.db import UtcDateTime
from common.messaging_tables import messaging_tables

__all__ = ["awards", "decision_counters", "decisions", "exemplars", "messaging", "metadata"]

metadata = MetaData()
messaging = messaging_tables(metadata)

exemplars = Table(
    "exemplars",
    metadata,
    Column("exemplar_id", Uuid, primary_key=True),
    Column("nomination_id", Uuid, nullable=False),
    Column("unit_id", String(80), nullable=False),
    Column("unit_name", String(300), nullable=False),
    Column("quarter", String(7), nullable=False),
    Column("field", String(40), nullable=False),
    Column("nominee_kind", String(20), nullable=False),
    Column("nominee_name", String(300), nullable=False),
    Column("nominee_title", String(300), nullable=False),
    Column("approved_at", UtcDateTime(), nullable=False),
    Column("correlation_id", Uuid, nullable=False),
    Index("ix_exemplars_approved", "approved_at", "exemplar_id"),
)

# One commendation decision (quyết định khen thưởng): one number for a list of recipients.
decisions = Table(
    "decisions",
    metadata,
    Column("decision_id", Uuid, primary_key=True),
    Column("year", Integer, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("number", String(60), nullable=False),
    Column("form", String(80), nullable=False),
    Column("form_name", String(300), nullable=False),
    Column("signed_on", Date, nullable=False),
    Column("signer", String(300), nullable=False),
    Column("citation", Text, nullable=False),
    Column("granted_by", String(300), nullable=False),
    Column("granted_at", UtcDateTime(), nullable=False),
    Column("recipient_count", Integer, nullable=False),
    UniqueConstraint("year", "seq", name="uq_decisions_number"),
)

# One recipient of a decision; the decision's number, date and signer are repeated for reading.
awards = Table(
    "awards",
    metadata,
    Column("award_id", Uuid, primary_key=True),
    Column("decision_id", Uuid, ForeignKey("decisions.decision_id", name="fk_awards_decision"), nullable=False),
    Column("exemplar_id", Uuid, ForeignKey("exemplars.exemplar_id"), nullable=False),
    Column("form", String(80), nullable=False),
    Column("form_name", String(300), nullable=False),
    Column("decision_year", Integer, nullable=False),
    Column("decision_seq", Integer, nullable=False),
    Column("decision_number", String(60), nullable=False),
    Column("signed_on", Date, nullable=False),
    Column("signer", String(300), nullable=False),
    Column("citation", Text, nullable=False),
    Column("recipient_name", String(300), nullable=False),
    Column("recipient_kind", String(20), nullable=False),
    # Exact decimals as text: SQLite has no decimal type.
    Column("multiplier", String(20), nullable=False),
    Column("kind_factor", String(20), nullable=False),
    Column("base_salary_vnd", BigInteger, nullable=False),
    Column("amount_vnd", BigInteger, nullable=False),
    Column("granted_by", String(300), nullable=False),
    Column("granted_at", UtcDateTime(), nullable=False),
    UniqueConstraint("exemplar_id", "form", name="uq_awards_exemplar_form"),
    Index("ix_awards_signed", "signed_on", "decision_seq"),
    Index("ix_awards_decision", "decision_id"),
)

# The last decision number used in each calendar year; numbering restarts every 1 January.
decision_counters = Table(
    "decision_counters",
    metadata,
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("last_seq", Integer, nullable=False),
)
