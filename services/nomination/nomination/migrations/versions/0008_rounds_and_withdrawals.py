"""rounds of a nominee's nominations (a returned one completed) and withdrawals

Revision ID: 0008
Revises: 0007
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('nominations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('round', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('previous_nomination_id', sa.Uuid(), nullable=True))
        batch_op.create_unique_constraint('uq_nominations_previous', ['previous_nomination_id'])
        batch_op.drop_index('ux_nominations_unit_quarter_nominee')
        batch_op.create_index(
            'ux_nominations_unit_quarter_nominee', ['unit_id', 'quarter', 'nominee_name_key', 'round'], unique=True
        )


def downgrade() -> None:
    with op.batch_alter_table('nominations', schema=None) as batch_op:
        batch_op.drop_index('ux_nominations_unit_quarter_nominee')
        batch_op.create_index('ux_nominations_unit_quarter_nominee', ['unit_id', 'quarter', 'nominee_name_key'], unique=True)
        batch_op.drop_constraint('uq_nominations_previous', type_='unique')
        batch_op.drop_column('previous_nomination_id')
        batch_op.drop_column('round')
