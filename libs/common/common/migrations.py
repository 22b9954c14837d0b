"""Alembic glue shared by the services: each keeps its own migrations, run by one function."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData, engine_from_config, pool

from common.db import sync_url

__all__ = [
    "add_entry_ids_and_retention_v1",
    "alembic_config",
    "create_jobs_table_v1",
    "drop_entry_ids_and_retention_v1",
    "drop_jobs_table_v1",
    "run_env",
    "upgrade",
]


def alembic_config(migrations_dir: Path, database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("sqlalchemy.url", sync_url(database_url).replace("%", "%%"))
    return config


def upgrade(migrations_dir: Path, database_url: str) -> None:
    """Bring the database to the newest schema; creates the SQLite file's folder if needed."""
    url = sync_url(database_url)
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(migrations_dir, database_url), "head")


def run_env(config: Config, target_metadata: MetaData) -> None:
    """The body of a service's ``migrations/env.py`` (online mode only)."""
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    from alembic import context

    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()


def create_jobs_table_v1() -> None:
    """The ``jobs`` table as every service first created it; migrations call this, so it never changes."""
    from alembic import op

    from common.db import IdColumn, UtcDateTime

    op.create_table(
        "jobs",
        sa.Column("id", IdColumn, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=80), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("run_after", UtcDateTime(), nullable=False),
        sa.Column("leased_until", UtcDateTime(), nullable=True),
        sa.Column("leased_by", sa.String(length=200), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("finished_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "key", name="uq_jobs_kind_key"),
    )
    op.create_index("ix_jobs_state_run_after", "jobs", ["state", "run_after"], unique=False)


def drop_jobs_table_v1() -> None:
    """Undo ``create_jobs_table_v1``."""
    from alembic import op

    op.drop_index("ix_jobs_state_run_after", table_name="jobs")
    op.drop_table("jobs")


def add_entry_ids_and_retention_v1() -> None:
    """The outbox's entry ids (to publish again what a Redis crash lost) and the pruning indexes."""
    from alembic import op

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("entry_id", sa.String(length=40), nullable=True))
        batch_op.create_index("ix_outbox_stream_entry_id", ["stream", "entry_id"], unique=False)
        batch_op.create_index("ix_outbox_published_at", ["published_at"], unique=False)
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.create_index("ix_inbox_processed_at", ["processed_at"], unique=False)


def drop_entry_ids_and_retention_v1() -> None:
    """Undo ``add_entry_ids_and_retention_v1``."""
    from alembic import op

    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.drop_index("ix_inbox_processed_at")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_published_at")
        batch_op.drop_index("ix_outbox_stream_entry_id")
        batch_op.drop_column("entry_id")
