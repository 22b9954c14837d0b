"""The outbox, inbox and jobs tables every service keeps beside its own data.

The outbox holds each event a transaction caused until the relay has put it on its stream (and
stays, as the service's event log, for the retention period); the inbox holds the id of each event
a consumer group has already applied, written in the same transaction as the effect (and kept
longer than the outbox rows, so that no event republished from an outbox is applied twice); the
jobs table holds slow work a transaction called for, until the job worker has done it
(``common.jobs``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Column, Index, Integer, MetaData, String, Table, Text, UniqueConstraint, Uuid, text

from common.db import IdColumn, UtcDateTime

__all__ = ["MessagingTables", "messaging_tables"]


@dataclass(frozen=True)
class MessagingTables:
    outbox: Table
    inbox: Table
    jobs: Table


def messaging_tables(metadata: MetaData) -> MessagingTables:
    """Declare the outbox and inbox in a service's metadata."""
    outbox = Table(
        "outbox",
        metadata,
        Column("id", IdColumn, primary_key=True, autoincrement=True),
        Column("event_id", Uuid, nullable=False, unique=True),
        Column("stream", String(120), nullable=False),
        Column("type", String(64), nullable=False),
        Column("envelope", Text, nullable=False),
        Column("created_at", UtcDateTime(), nullable=False),
        Column("published_at", UtcDateTime(), nullable=True),
        # The stream entry id Redis gave the row (``wire.sortable_entry_id``): rows past a stream's
        # last id after a Redis crash were lost, and are published again.
        Column("entry_id", String(40), nullable=True),
        Column("attempts", Integer, nullable=False, server_default=text("0")),
        Column("last_error", Text, nullable=True),
        Index("ix_outbox_stream_entry_id", "stream", "entry_id"),
        Index("ix_outbox_published_at", "published_at"),
        Index(
            "ix_outbox_unpublished",
            "id",
            sqlite_where=text("published_at IS NULL"),
            postgresql_where=text("published_at IS NULL"),
        ),
    )
    inbox = Table(
        "inbox",
        metadata,
        Column("consumer", String(80), primary_key=True),
        Column("event_id", Uuid, primary_key=True),
        Column("stream", String(120), nullable=False),
        Column("entry_id", String(40), nullable=False),
        Column("processed_at", UtcDateTime(), nullable=False),
        Index("ix_inbox_processed_at", "processed_at"),
    )
    jobs = Table(
        "jobs",
        metadata,
        Column("id", IdColumn, primary_key=True, autoincrement=True),
        Column("kind", String(80), nullable=False),
        Column("key", String(300), nullable=False),
        Column("payload", Text, nullable=False),
        Column("state", String(20), nullable=False),
        Column("attempts", Integer, nullable=False),
        Column("max_attempts", Integer, nullable=False),
        Column("run_after", UtcDateTime(), nullable=False),
        Column("leased_until", UtcDateTime(), nullable=True),
        Column("leased_by", String(200), nullable=True),
        Column("last_error", Text, nullable=True),
        Column("created_at", UtcDateTime(), nullable=False),
        Column("updated_at", UtcDateTime(), nullable=False),
        Column("finished_at", UtcDateTime(), nullable=True),
        UniqueConstraint("kind", "key", name="uq_jobs_kind_key"),
        Index("ix_jobs_state_run_after", "state", "run_after"),
    )
    return MessagingTables(outbox=outbox, inbox=inbox, jobs=jobs)
