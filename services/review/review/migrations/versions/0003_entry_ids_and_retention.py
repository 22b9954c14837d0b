"""The outbox keeps each row's stream entry id; outbox and inbox get the indexes pruning uses.

Revision ID: 0003
Revises: 0002
"""

from common.migrations import add_entry_ids_and_retention_v1, drop_entry_ids_and_retention_v1

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_entry_ids_and_retention_v1()


def downgrade() -> None:
    drop_entry_ids_and_retention_v1()
