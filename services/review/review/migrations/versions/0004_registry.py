"""Cases show what the registry of exemplars knows of the nominee (NominationFlagged).

Revision ID: 0004
Revises: 0003
"""

from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("person_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("possible_person_ids", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("warnings", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.alter_column("possible_person_ids", server_default=None)
        batch_op.alter_column("warnings", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_column("warnings")
        batch_op.drop_column("possible_person_ids")
        batch_op.drop_column("person_id")
