"""Tables of the staff datastore: the local accounts (and the messaging tables every service has)."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Integer, MetaData, String, Table, Text

from common.db import UtcDateTime
from common.messaging_tables import messaging_tables

__all__ = ["accounts", "messaging", "metadata"]

metadata = MetaData()
messaging = messaging_tables(metadata)

accounts = Table(
    "accounts",
    metadata,
    Column("username", String(80), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("roles", JSON, nullable=False),
    Column("unit_id", String(80), nullable=True),
    Column("password_hash", Text, nullable=False),  # argon2id, with its parameters and salt
    Column("active", Boolean, nullable=False),
    Column("failed_attempts", Integer, nullable=False),
    Column("locked_until", UtcDateTime(), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("last_sign_in_at", UtcDateTime(), nullable=True),
)
