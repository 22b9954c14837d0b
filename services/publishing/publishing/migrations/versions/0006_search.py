"""Search without diacritics: each story keeps its title, nominee, unit and summary folded.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _key(*texts: str) -> str:
    # As common.labels.search_key was when this revision was written.
    text = " ".join(texts).replace("đ", "d").replace("Đ", "D")
    folded = "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))
    return " ".join(folded.casefold().split())


def upgrade() -> None:
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_key", sa.Text(), nullable=False, server_default=""))
    bind = op.get_bind()
    stories = sa.table(
        "stories",
        sa.column("story_id", sa.Uuid()),
        sa.column("title", sa.String()),
        sa.column("nominee_name", sa.String()),
        sa.column("unit_name", sa.String()),
        sa.column("summary", sa.Text()),
        sa.column("search_key", sa.Text()),
    )
    rows = bind.execute(sa.select(stories.c.story_id, stories.c.title, stories.c.nominee_name, stories.c.unit_name, stories.c.summary)).all()
    if rows:
        bind.execute(
            stories.update().where(stories.c.story_id == sa.bindparam("id")).values(search_key=sa.bindparam("key")),
            [{"id": r.story_id, "key": _key(r.title, r.nominee_name, r.unit_name, r.summary)} for r in rows],
        )
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.alter_column("search_key", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.drop_column("search_key")
