"""Tables of the awards datastore."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
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

__all__ = [
    "awards",
    "decision_drafts",
    "decision_registers",
    "decisions",
    "exemplars",
    "messaging",
    "metadata",
    "recorded_titles",
    "rule_amendments",
]

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
    Column("person_id", Uuid, nullable=True),  # the nominee in the registry of exemplars
    Index("ix_exemplars_approved", "approved_at", "exemplar_id"),
    Index("ix_exemplars_person", "person_id"),
)

# One commendation decision (quyết định khen thưởng): one number of its authority's register
# for a list of recipients. Decisions issued before registers were kept per authority have the
# authority '' (one register for all).
decisions = Table(
    "decisions",
    metadata,
    Column("decision_id", Uuid, primary_key=True),
    Column("authority_id", String(80), nullable=False),
    Column("authority_name", String(300), nullable=False),
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
    UniqueConstraint("authority_id", "year", "seq", name="uq_decisions_register"),
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

# The last number each authority's register gave in each calendar year (registers this system
# numbers); numbering restarts every 1 January.
decision_registers = Table(
    "decision_registers",
    metadata,
    Column("authority_id", String(80), primary_key=True),
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("last_seq", Integer, nullable=False),
)

# Entries the operator added to the shipped reward rules (a new base salary, multiplier or kind
# factor), with the legal basis, who and when. Never updated nor deleted: the record of the law.
rule_amendments = Table(
    "rule_amendments",
    metadata,
    Column("amendment_id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(20), nullable=False),
    Column("value", String(30), nullable=False),  # an exact decimal, as text
    Column("effective_from", Date, nullable=False),
    Column("form", String(80), nullable=True),
    Column("grantor", String(20), nullable=True),
    Column("recipient_kind", String(20), nullable=True),
    Column("source", String(500), nullable=False),
    Column("verify", Boolean, nullable=False),
    Column("recorded_by", String(300), nullable=False),
    Column("recorded_at", UtcDateTime(), nullable=False),
)

# Titles and forms a nominee of the registry received outside this system (before it, or from
# another authority), recorded by the office with the decision that gave them: the history that
# titles needing earlier ones are checked against, with the awards issued here.
recorded_titles = Table(
    "recorded_titles",
    metadata,
    Column("title_id", Uuid, primary_key=True),
    Column("person_id", Uuid, nullable=False),
    Column("form", String(80), nullable=False),
    Column("form_name", String(300), nullable=False),
    Column("year", Integer, nullable=False),
    Column("decision_number", String(60), nullable=False),
    Column("signed_on", Date, nullable=False),
    Column("authority_name", String(300), nullable=False),
    Column("recorded_by", String(300), nullable=False),
    Column("recorded_at", UtcDateTime(), nullable=False),
    UniqueConstraint("person_id", "form", "decision_number", name="uq_recorded_titles_decision"),
    Index("ix_recorded_titles_person", "person_id"),
)

# A commendation decision an emulation officer prepared and a signer has not yet signed (dự thảo):
# no number is taken and no award exists until it is signed (awards.service.drafting).
decision_drafts = Table(
    "decision_drafts",
    metadata,
    Column("draft_id", Uuid, primary_key=True),
    Column("form", String(80), nullable=False),
    Column("exemplar_ids", JSON, nullable=False),
    Column("citation", Text, nullable=False),
    Column("drafted_by", String(300), nullable=False),
    Column("drafted_at", UtcDateTime(), nullable=False),
    Column("state", String(20), nullable=False),  # draft, signed, discarded
    Column("decision_id", Uuid, nullable=True),
    Column("closed_by", String(300), nullable=True),
    Column("closed_at", UtcDateTime(), nullable=True),
)
