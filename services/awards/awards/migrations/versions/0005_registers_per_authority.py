"""Decision registers per authority: each decision records its authority; numbers are unique per register.

Revision ID: 0005
Revises: 0004

Decree 30/2020/NĐ-CP numbers decisions per issuing agency and year. Until now one register served
every decision; those decisions keep their numbers in a register of their own, authority '' (the
authority was not recorded), and each authority's new register starts where the law says, at 01.
"""

from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("authority_id", sa.String(length=80), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("authority_name", sa.String(length=300), nullable=False, server_default=""))
        batch_op.drop_constraint("uq_decisions_number", type_="unique")
        batch_op.create_unique_constraint("uq_decisions_register", ["authority_id", "year", "seq"])
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.alter_column("authority_id", server_default=None)
        batch_op.alter_column("authority_name", server_default=None)

    op.create_table(
        "decision_registers",
        sa.Column("authority_id", sa.String(length=80), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("authority_id", "year"),
    )
    op.execute("INSERT INTO decision_registers (authority_id, year, last_seq) SELECT '', year, last_seq FROM decision_counters")
    op.drop_table("decision_counters")


def downgrade() -> None:
    # Only possible while no two registers share a (year, number).
    op.create_table(
        "decision_counters",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year"),
    )
    op.execute("INSERT INTO decision_counters (year, last_seq) SELECT year, MAX(last_seq) FROM decision_registers GROUP BY year")
    op.drop_table("decision_registers")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_constraint("uq_decisions_register", type_="unique")
        batch_op.create_unique_constraint("uq_decisions_number", ["year", "seq"])
        batch_op.drop_column("authority_name")
        batch_op.drop_column("authority_id")
