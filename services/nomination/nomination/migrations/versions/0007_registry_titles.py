"""The registry's record of the titles and forms each nominee received.

Revision ID: 0007
Revises: 0006
"""

from alembic import op
import sqlalchemy as sa

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "registry_titles",
        sa.Column("entry_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("nomination_id", sa.Uuid(), nullable=True),
        sa.Column("form", sa.String(length=80), nullable=False),
        sa.Column("form_name", sa.String(length=300), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("decision_number", sa.String(length=60), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("granted_by", sa.String(length=300), nullable=False),
        sa.Column("amount_vnd", sa.BigInteger(), nullable=True),
        sa.Column("recorded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("entry_id"),
    )
    op.create_index("ix_registry_titles_person", "registry_titles", ["person_id"])


def downgrade() -> None:
    op.drop_index("ix_registry_titles_person", table_name="registry_titles")
    op.drop_table("registry_titles")
