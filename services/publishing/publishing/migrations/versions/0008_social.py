"""Zalo and Facebook: what each network answered for a story, and a Zalo account's rotating tokens.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from common.db import UtcDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "social_posts",
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("story_id", sa.Uuid(), nullable=False),
        sa.Column("account", sa.String(length=120), nullable=False),
        sa.Column("token", sa.String(length=300), nullable=True),
        sa.Column("external_id", sa.String(length=300), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["story_id"], ["stories.story_id"]),
        sa.PrimaryKeyConstraint("channel", "story_id"),
    )
    op.create_table(
        "social_tokens",
        sa.Column("account", sa.String(length=120), nullable=False),
        sa.Column("access_token", sa.Text(), nullable=False),
        sa.Column("refresh_token", sa.Text(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("refreshed_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("account"),
    )


def downgrade() -> None:
    op.drop_table("social_tokens")
    op.drop_table("social_posts")
