"""Tables of the review datastore."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Index, Integer, MetaData, String, Table, Text, Uuid

from common.db import UtcDateTime
from common.messaging_tables import messaging_tables

__all__ = ["messaging", "metadata", "reviews"]

metadata = MetaData()
messaging = messaging_tables(metadata)

reviews = Table(
    "reviews",
    metadata,
    Column("nomination_id", Uuid, primary_key=True),
    Column("unit_id", String(80), nullable=False),
    Column("unit_name", String(300), nullable=False),
    Column("quarter", String(7), nullable=False),
    Column("field", String(40), nullable=False),
    Column("nominee_kind", String(20), nullable=False),
    Column("nominee_name", String(300), nullable=False),
    Column("nominee_title", String(300), nullable=False),
    Column("achievements", Text, nullable=False),
    Column("consent_to_publish", Boolean, nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("status", String(20), nullable=False),
    Column("exemplar_id", Uuid, nullable=True),
    Column("decided_by", String(300), nullable=True),
    Column("decided_at", UtcDateTime(), nullable=True),
    Column("note", Text, nullable=False),
    Column("reasons", JSON, nullable=False),
    Column("correlation_id", Uuid, nullable=False),
    # The registry of exemplars: the nominee across nominations, and what it warns the reviewer of.
    Column("person_id", Uuid, nullable=True),
    Column("possible_person_ids", JSON, nullable=False),
    Column("warnings", JSON, nullable=False),
    # A completed returned nomination: its round, and the case it completes.
    Column("round", Integer, nullable=False, server_default="1"),
    Column("previous_nomination_id", Uuid, nullable=True),
    Index("ix_reviews_status_received", "status", "received_at"),
)
