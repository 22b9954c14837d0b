"""decisions: one commendation decision for a list of recipients

Revision ID: 0002
Revises: 0001

Each award existing before this revision was its own decision; it becomes a decision with one
recipient, keeping its number. That decision takes the award's id as its own, which keeps the
data migration to two portable statements (no ids generated outside SQL).
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('decisions',
    sa.Column('decision_id', sa.Uuid(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=60), nullable=False),
    sa.Column('form', sa.String(length=80), nullable=False),
    sa.Column('form_name', sa.String(length=300), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('signer', sa.String(length=300), nullable=False),
    sa.Column('citation', sa.Text(), nullable=False),
    sa.Column('granted_by', sa.String(length=300), nullable=False),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recipient_count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('decision_id'),
    sa.UniqueConstraint('year', 'seq', name='uq_decisions_number')
    )
    with op.batch_alter_table('awards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decision_id', sa.Uuid(), nullable=True))

    op.execute(
        "INSERT INTO decisions (decision_id, year, seq, number, form, form_name, signed_on, signer,"
        " citation, granted_by, granted_at, recipient_count)"
        " SELECT award_id, decision_year, decision_seq, decision_number, form, form_name, signed_on, signer,"
        " citation, granted_by, granted_at, 1 FROM awards"
    )
    op.execute("UPDATE awards SET decision_id = award_id")

    with op.batch_alter_table('awards', schema=None) as batch_op:
        batch_op.alter_column('decision_id', existing_type=sa.Uuid(), nullable=False)
        batch_op.drop_constraint('uq_awards_decision', type_='unique')
        batch_op.create_foreign_key('fk_awards_decision', 'decisions', ['decision_id'], ['decision_id'])
        batch_op.create_index('ix_awards_decision', ['decision_id'], unique=False)


def downgrade() -> None:
    # Only possible while every decision has one recipient: the old schema gave each award its own number.
    with op.batch_alter_table('awards', schema=None) as batch_op:
        batch_op.drop_index('ix_awards_decision')
        batch_op.drop_constraint('fk_awards_decision', type_='foreignkey')
        batch_op.create_unique_constraint('uq_awards_decision', ['decision_year', 'decision_seq'])
        batch_op.drop_column('decision_id')

    op.drop_table('decisions')
