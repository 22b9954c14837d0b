"""Occasions' reportages: the stories each compiles.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from common.db import UtcDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reportages",
        sa.Column("story_id", sa.Uuid(), nullable=False),
        sa.Column("occasion_id", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("drafted_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["story_id"], ["stories.story_id"]),
        sa.PrimaryKeyConstraint("story_id"),
    )
    op.create_index("ux_reportages_occasion", "reportages", ["occasion_id", "year"], unique=True)


def downgrade() -> None:
    op.drop_index("ux_reportages_occasion", table_name="reportages")
    op.drop_table("reportages")
