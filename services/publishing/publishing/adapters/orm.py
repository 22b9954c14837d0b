"""Tables of the publishing datastore."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
)

from common.db import UtcDateTime
from common.messaging_tables import messaging_tables

__all__ = [
    "bulletins",
    "commendations",
    "leaflets",
    "messaging",
    "metadata",
    "publications",
    "reportages",
    "rundowns",
    "social_posts",
    "social_tokens",
    "stories",
]

metadata = MetaData()
messaging = messaging_tables(metadata)

stories = Table(
    "stories",
    metadata,
    Column("story_id", Uuid, primary_key=True),
    Column("exemplar_id", Uuid, nullable=False, unique=True),
    Column("nomination_id", Uuid, nullable=False),
    Column("kind", String(20), nullable=False),  # "exemplar", or "reportage" (an occasion's compilation)
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
    Column("radio_priority", String(20), nullable=False),  # ordinary, priority or emergency
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

# A story on the grassroots radio of its commune (or of every commune, for a story of the whole
# area): the text read aloud, and its audio (rendered again on each correction; the files stay for
# the rundowns that played them).
bulletins = Table(
    "bulletins",
    metadata,
    Column("story_id", Uuid, ForeignKey("stories.story_id"), primary_key=True),
    Column("commune_id", String(80), primary_key=True),  # a story of the whole area airs in every commune
    Column("priority", String(20), nullable=False),
    Column("title", String(400), nullable=False),
    Column("script", Text, nullable=False),  # as read aloud
    Column("revision", Integer, nullable=False),
    Column("audio", String(300), nullable=False),  # below the media folder
    Column("seconds", Float, nullable=False),
    Column("bytes", Integer, nullable=False),
    Column("on_air_from", UtcDateTime(), nullable=False),
    Column("on_air_until", UtcDateTime(), nullable=False),
    Column("withdrawn_at", UtcDateTime(), nullable=True),
    Column("updated_at", UtcDateTime(), nullable=False),
    Index("ix_bulletins_commune_air", "commune_id", "on_air_until"),
)

# What a commune's radio plays in one slot of one day; built again when its bulletins change
# (``guid`` then changes with them), until the slot starts.
rundowns = Table(
    "rundowns",
    metadata,
    Column("commune_id", String(80), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("slot", String(20), primary_key=True),
    Column("guid", Uuid, nullable=False),
    Column("candidates", String(64), nullable=False),  # a digest of the bulletins on air when it was built
    Column("starts_at", UtcDateTime(), nullable=False),
    Column("played", JSON, nullable=False),  # [{story_id, revision, title, seconds}] in order
    Column("left_out", JSON, nullable=False),  # the story ids the slot had no room for
    Column("audio", String(300), nullable=False),
    Column("seconds", Float, nullable=False),
    Column("bytes", Integer, nullable=False),
    Column("built_at", UtcDateTime(), nullable=False),
    Index("ix_rundowns_commune_starts", "commune_id", "starts_at"),
)

# What a social network answered for a story, kept the moment it answers and before anything else:
# a job run again after a crash or a timeout finds it and never posts twice.
social_posts = Table(
    "social_posts",
    metadata,
    Column("channel", String(20), primary_key=True),
    Column("story_id", Uuid, ForeignKey("stories.story_id"), primary_key=True),
    Column("account", String(120), nullable=False),
    Column("token", String(300), nullable=True),  # Zalo's answer to "create", turned into an id by "verify"
    Column("external_id", String(300), nullable=True),
    Column("state", String(20), nullable=False),  # created, deleted
    Column("updated_at", UtcDateTime(), nullable=False),
)

# A Zalo Official Account's tokens: each refresh gives a new refresh token too (the old one no longer works).
social_tokens = Table(
    "social_tokens",
    metadata,
    Column("account", String(120), primary_key=True),
    Column("access_token", Text, nullable=False),
    Column("refresh_token", Text, nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("refreshed_at", UtcDateTime(), nullable=False),
)

# Leaflets (tờ tin): a commune's stories of a quarter (built again whenever one of them changes), or
# a set an editor chose; A4 or A5.
leaflets = Table(
    "leaflets",
    metadata,
    Column("leaflet_id", Uuid, primary_key=True),
    Column("kind", String(10), nullable=False),  # "quarter", "chosen" or "reportage"
    Column("commune_id", String(80), nullable=True),
    Column("quarter", String(7), nullable=True),
    Column("size", String(2), nullable=False),
    Column("title", String(300), nullable=False),
    Column("story_ids", JSON, nullable=False),  # a chosen set, in its order
    Column("state", String(20), nullable=False),  # building, ready, empty
    Column("digest", String(64), nullable=True),  # what it was built from
    Column("file", String(300), nullable=True),  # below the media folder
    Column("bytes", Integer, nullable=True),
    Column("pages", Integer, nullable=True),
    Column("requested_by", String(300), nullable=True),
    Column("built_at", UtcDateTime(), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Index("ix_leaflets_commune", "commune_id", "quarter"),
)

# An occasion's reportage: which occasion and year, and the stories it compiles, in order.
reportages = Table(
    "reportages",
    metadata,
    Column("story_id", Uuid, ForeignKey("stories.story_id"), primary_key=True),
    Column("occasion_id", String(40), nullable=False),
    Column("year", Integer, nullable=False),
    Column("sources", JSON, nullable=False),  # story ids
    Column("drafted_at", UtcDateTime(), nullable=False),
    Index("ux_reportages_occasion", "occasion_id", "year", unique=True),
)
