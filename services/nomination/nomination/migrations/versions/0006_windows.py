"""Nomination windows: the office's changes and extensions, the reminders sent, a nomination's notes.

Revision ID: 0006
Revises: 0005
"""

from alembic import op
import sqlalchemy as sa

from common.db import IdColumn, UtcDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Two batches: SQLite copies the rows when the column is added, with its default, and only then
    # may the default go (in one batch the copy would find no default for the existing rows).
    with op.batch_alter_table("nominations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("notes", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("nominations", schema=None) as batch_op:
        batch_op.alter_column("notes", server_default=None)
    op.create_table(
        "window_changes",
        sa.Column("change_id", IdColumn, autoincrement=True, nullable=False),
        sa.Column("quarter", sa.String(length=7), nullable=False),
        sa.Column("unit_id", sa.String(length=80), nullable=True),
        sa.Column("opens", sa.Date(), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("late", sa.String(length=10), nullable=True),
        sa.Column("closes", sa.Date(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("recorded_by", sa.String(length=300), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("change_id"),
    )
    op.create_index("ix_window_changes_quarter", "window_changes", ["quarter"])
    op.create_table(
        "reminders",
        sa.Column("unit_id", sa.String(length=80), nullable=False),
        sa.Column("quarter", sa.String(length=7), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("days_before", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("sent_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("unit_id", "quarter", "deadline", "days_before"),
    )


def downgrade() -> None:
    op.drop_table("reminders")
    op.drop_index("ix_window_changes_quarter", table_name="window_changes")
    op.drop_table("window_changes")
    with op.batch_alter_table("nominations", schema=None) as batch_op:
        batch_op.drop_column("notes")
