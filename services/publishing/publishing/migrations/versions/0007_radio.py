"""Grassroots radio: each story's bulletin for its commune, and the rundowns of each slot.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from common.db import UtcDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.add_column(sa.Column("radio_priority", sa.String(length=20), nullable=False, server_default="ordinary"))
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.alter_column("radio_priority", server_default=None)
    op.create_table(
        "bulletins",
        sa.Column("story_id", sa.Uuid(), nullable=False),
        sa.Column("commune_id", sa.String(length=80), nullable=False),
        sa.Column("priority", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=400), nullable=False),
        sa.Column("script", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("audio", sa.String(length=300), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("bytes", sa.Integer(), nullable=False),
        sa.Column("on_air_from", UtcDateTime(), nullable=False),
        sa.Column("on_air_until", UtcDateTime(), nullable=False),
        sa.Column("withdrawn_at", UtcDateTime(), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["story_id"], ["stories.story_id"]),
        sa.PrimaryKeyConstraint("story_id", "commune_id"),
    )
    op.create_index("ix_bulletins_commune_air", "bulletins", ["commune_id", "on_air_until"])
    op.create_table(
        "rundowns",
        sa.Column("commune_id", sa.String(length=80), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("slot", sa.String(length=20), nullable=False),
        sa.Column("guid", sa.Uuid(), nullable=False),
        sa.Column("candidates", sa.String(length=64), nullable=False),
        sa.Column("starts_at", UtcDateTime(), nullable=False),
        sa.Column("played", sa.JSON(), nullable=False),
        sa.Column("left_out", sa.JSON(), nullable=False),
        sa.Column("audio", sa.String(length=300), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("bytes", sa.Integer(), nullable=False),
        sa.Column("built_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("commune_id", "day", "slot"),
    )
    op.create_index("ix_rundowns_commune_starts", "rundowns", ["commune_id", "starts_at"])


def downgrade() -> None:
    op.drop_index("ix_rundowns_commune_starts", table_name="rundowns")
    op.drop_table("rundowns")
    op.drop_index("ix_bulletins_commune_air", table_name="bulletins")
    op.drop_table("bulletins")
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.drop_column("radio_priority")
