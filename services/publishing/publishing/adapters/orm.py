"""Tables of the publishing datastore."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Date, ForeignKey, Index, Integer, MetaData, String, Table, Text, Uuid

from common.db import UtcDateTime
from common.messaging_tables import messaging_tables

__all__ = ["commendations", "messaging", "metadata", "publications", "stories"]

metadata = MetaData()
messaging = messaging_tables(metadata)

stories = Table(
    "stories",
    metadata,
    Column("story_id", Uuid, primary_key=True),
    Column("exemplar_id", Uuid, nullable=False, unique=True),
    Column("nomination_id", Uuid, nullable=False),
    Column("slug", String(120), nullable=False, unique=True),
    Column("status", String(20), nullable=False),
    Column("title", String(400), nullable=False),
    Column("summary", Text, nullable=False),
    Column("body", Text, nullable=False),  # plain text
    Column("achievements", Text, nullable=False),
    Column("unit_id", String(80), nullable=False),  # '' for stories drafted before units were kept
    Column("unit_name", String(300), nullable=False),
    Column("commune_id", String(80), nullable=True),
    Column("field", String(40), nullable=False),
    Column("quarter", String(7), nullable=False),
    Column("nominee_kind", String(20), nullable=False),
    Column("nominee_name", String(300), nullable=False),
    Column("nominee_title", String(300), nullable=False),
    Column("consent", Boolean, nullable=False),
    Column("drafted_at", UtcDateTime(), nullable=False),
    Column("published_at", UtcDateTime(), nullable=True),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("edited_by", String(300), nullable=True),
    Column("corrections", JSON, nullable=False),  # [{at, by, note}], oldest first
    Column("retracted_at", UtcDateTime(), nullable=True),
    Column("retraction_reason", Text, nullable=True),
    Column("search_key", Text, nullable=False),  # title, nominee, unit and summary, folded for search
    Index("ix_stories_status_published", "status", "published_at"),
    Index("ix_stories_status_updated", "status", "updated_at"),
)

# A story on each channel: the channel's own record of it.
publications = Table(
    "publications",
    metadata,
    Column("story_id", Uuid, ForeignKey("stories.story_id"), primary_key=True),
    Column("channel", String(40), primary_key=True),
    Column("state", String(20), nullable=False),
    Column("external_id", String(400)),
    Column("url", String(2000)),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text),
    Column("published_at", UtcDateTime()),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("scheduled_for", UtcDateTime()),
    Column("approved_by", String(300)),
    Index("ix_publications_channel_state", "channel", "state"),
)

# Kept even when the story does not exist yet: an award may overtake the approval.
commendations = Table(
    "commendations",
    metadata,
    Column("award_id", Uuid, primary_key=True),
    Column("exemplar_id", Uuid, nullable=False, index=True),
    Column("nomination_id", Uuid, nullable=False),
    Column("form", String(80), nullable=False),
    Column("form_name", String(300), nullable=False),
    Column("decision_number", String(300), nullable=False),
    Column("signed_on", Date, nullable=False),
    Column("signer", String(300), nullable=False),
    Column("recorded_at", UtcDateTime(), nullable=False),
)
