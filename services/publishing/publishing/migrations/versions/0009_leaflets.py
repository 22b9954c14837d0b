"""Leaflets (tờ tin) of a commune's stories, as PDF.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from common.db import UtcDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "leaflets",
        sa.Column("leaflet_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("commune_id", sa.String(length=80), nullable=True),
        sa.Column("quarter", sa.String(length=7), nullable=True),
        sa.Column("size", sa.String(length=2), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("story_ids", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=True),
        sa.Column("file", sa.String(length=300), nullable=True),
        sa.Column("bytes", sa.Integer(), nullable=True),
        sa.Column("pages", sa.Integer(), nullable=True),
        sa.Column("requested_by", sa.String(length=300), nullable=True),
        sa.Column("built_at", UtcDateTime(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("leaflet_id"),
    )
    op.create_index("ix_leaflets_commune", "leaflets", ["commune_id", "quarter"])


def downgrade() -> None:
    op.drop_index("ix_leaflets_commune", table_name="leaflets")
    op.drop_table("leaflets")
