"""The editorial workflow: drafts (of an exemplar, or an occasion's reportage) an editor approves per channel (now or at a set time), corrections,
retraction; each story keeps its unit and commune and the nominee's consent.

Revision ID: 0005
Revises: 0004

Stories published until now stay published (consent was their condition); withheld ones become
drafts without consent. Their unit was not kept: '' until an editor's next change. The Atom
channel becomes "feeds" (Atom, RSS and JSON Feed).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from common.db import UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=20), nullable=False, server_default="exemplar"))
        batch_op.add_column(sa.Column("unit_id", sa.String(length=80), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("commune_id", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("consent", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column("drafted_at", UtcDateTime(), nullable=True))
        batch_op.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("edited_by", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("corrections", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("retracted_at", UtcDateTime(), nullable=True))
        batch_op.add_column(sa.Column("retraction_reason", sa.Text(), nullable=True))
        batch_op.alter_column("published_at", existing_type=UtcDateTime(), nullable=True)
    op.execute("UPDATE stories SET drafted_at = published_at")
    op.execute("UPDATE stories SET consent = false, status = 'draft', published_at = NULL WHERE status = 'withheld'")
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.alter_column("drafted_at", existing_type=UtcDateTime(), nullable=False)
        for column in ("kind", "unit_id", "consent", "revision", "corrections"):
            batch_op.alter_column(column, server_default=None)
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scheduled_for", UtcDateTime(), nullable=True))
        batch_op.add_column(sa.Column("approved_by", sa.String(length=300), nullable=True))
    op.execute("UPDATE publications SET channel = 'feeds' WHERE channel = 'atom'")


def downgrade() -> None:
    op.execute("UPDATE publications SET channel = 'atom' WHERE channel = 'feeds'")
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.drop_column("approved_by")
        batch_op.drop_column("scheduled_for")
    op.execute("UPDATE stories SET status = 'withheld', published_at = drafted_at WHERE status = 'draft'")
    op.execute("UPDATE stories SET status = 'published' WHERE status = 'retracted'")
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.alter_column("published_at", existing_type=UtcDateTime(), nullable=False)
        for column in ("retraction_reason", "retracted_at", "corrections", "edited_by", "revision", "drafted_at"):
            batch_op.drop_column(column)
        for column in ("consent", "commune_id", "unit_id", "kind"):
            batch_op.drop_column(column)
