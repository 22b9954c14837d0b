"""The jobs table: slow work staged in the business transaction and run afterwards.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

from common.migrations import create_jobs_table_v1

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_jobs_table_v1()


def downgrade() -> None:
    op.drop_index("ix_jobs_state_run_after", table_name="jobs")
    op.drop_table("jobs")
