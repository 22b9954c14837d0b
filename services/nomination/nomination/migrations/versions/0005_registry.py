"""The registry of exemplars: each nomination names its nominee (person_id) and keeps the registry's key and warnings.

Revision ID: 0005
Revises: 0004

Existing nominations are linked as intake links new ones, without the area: by identity number
where given, else by kind, name key and birth year.
"""

import unicodedata
import uuid

from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _key(name: str) -> str:
    # As nomination.domain.registry.registry_key was when this revision was written.
    kept = [
        " " if ch.isspace() else ch
        for ch in unicodedata.normalize("NFKD", name)
        if ch.isspace() or (unicodedata.category(ch) != "Mn" and unicodedata.category(ch) not in {"Cf", "Cc", "Zl", "Zp"})
    ]
    return " ".join("".join(kept).replace("đ", "d").replace("Đ", "D").casefold().split())


def upgrade() -> None:
    with op.batch_alter_table("nominations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("person_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("registry_key", sa.String(length=300), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("registry_warnings", sa.JSON(), nullable=False, server_default="[]"))

    bind = op.get_bind()
    table = sa.table(
        "nominations",
        sa.column("nomination_id", sa.Uuid()),
        sa.column("nominee_kind", sa.String()),
        sa.column("nominee_name", sa.String()),
        sa.column("birth_year", sa.Integer()),
        sa.column("identity_number", sa.String()),
        sa.column("person_id", sa.Uuid()),
        sa.column("registry_key", sa.String()),
    )
    rows = bind.execute(
        sa.select(table.c.nomination_id, table.c.nominee_kind, table.c.nominee_name, table.c.birth_year, table.c.identity_number)
    ).all()
    update = (
        table.update()
        .where(table.c.nomination_id == sa.bindparam("id"))
        .values(person_id=sa.bindparam("person"), registry_key=sa.bindparam("key"))
    )
    params = []
    for row in rows:
        key = _key(row.nominee_name)
        basis = f"identity:{row.identity_number}" if row.identity_number else f"name:{row.nominee_kind}:{key}:{row.birth_year}"
        params.append({"id": row.nomination_id, "person": uuid.uuid5(uuid.NAMESPACE_URL, basis), "key": key})
    for start in range(0, len(params), 1000):
        bind.execute(update, params[start : start + 1000])

    with op.batch_alter_table("nominations", schema=None) as batch_op:
        batch_op.alter_column("registry_key", server_default=None)
        batch_op.alter_column("registry_warnings", server_default=None)
        batch_op.create_index("ix_nominations_person", ["person_id"], unique=False)
        batch_op.create_index("ix_nominations_registry_key", ["registry_key"], unique=False)
        batch_op.create_index("ix_nominations_identity", ["identity_number"], unique=False)
        batch_op.create_index("ix_nominations_birth_year", ["birth_year"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("nominations", schema=None) as batch_op:
        batch_op.drop_index("ix_nominations_birth_year")
        batch_op.drop_index("ix_nominations_identity")
        batch_op.drop_index("ix_nominations_registry_key")
        batch_op.drop_index("ix_nominations_person")
        batch_op.drop_column("registry_warnings")
        batch_op.drop_column("registry_key")
        batch_op.drop_column("person_id")
