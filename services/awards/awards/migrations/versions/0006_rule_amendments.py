"""rule_amendments: the operator's additions to the shipped reward rules, with who and when.

Revision ID: 0006
Revises: 0005
"""

from alembic import op
import sqlalchemy as sa


revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rule_amendments",
        sa.Column("amendment_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=30), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("form", sa.String(length=80), nullable=True),
        sa.Column("grantor", sa.String(length=20), nullable=True),
        sa.Column("recipient_kind", sa.String(length=20), nullable=True),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("verify", sa.Boolean(), nullable=False),
        sa.Column("recorded_by", sa.String(length=300), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("amendment_id"),
    )


def downgrade() -> None:
    op.drop_table("rule_amendments")
