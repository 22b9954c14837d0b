"""The registry's nominee on each exemplar, and titles recorded as given elsewhere.

Revision ID: 0007
Revises: 0006

Exemplars approved before the registry have no person id: their history holds what was granted to
them here, and a title that needs earlier ones is refused for them with that reason.
"""

from alembic import op
import sqlalchemy as sa

from common.db import UtcDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("exemplars", schema=None) as batch_op:
        batch_op.add_column(sa.Column("person_id", sa.Uuid(), nullable=True))
        batch_op.create_index("ix_exemplars_person", ["person_id"])
    op.create_table(
        "recorded_titles",
        sa.Column("title_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("form", sa.String(length=80), nullable=False),
        sa.Column("form_name", sa.String(length=300), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("decision_number", sa.String(length=60), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("authority_name", sa.String(length=300), nullable=False),
        sa.Column("recorded_by", sa.String(length=300), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("title_id"),
        sa.UniqueConstraint("person_id", "form", "decision_number", name="uq_recorded_titles_decision"),
    )
    op.create_index("ix_recorded_titles_person", "recorded_titles", ["person_id"])


def downgrade() -> None:
    op.drop_index("ix_recorded_titles_person", table_name="recorded_titles")
    op.drop_table("recorded_titles")
    with op.batch_alter_table("exemplars", schema=None) as batch_op:
        batch_op.drop_index("ix_exemplars_person")
        batch_op.drop_column("person_id")
