"""Stories keep content, channels keep publications: a plain-text body, the achievements, and a
publication record per story and channel.

Bodies stored as the web page's HTML become plain text (one paragraph per line); the
achievements are taken from the paragraphs under "Thành tích nổi bật". Every published story
gets the web and Atom publications it already had (its address was not recorded then: url stays
empty).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import html
from html.parser import HTMLParser

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_RECOGNITION = "Với những thành tích trên"


class _Paragraphs(HTMLParser):
    """The text of each <p>, and which of them came after the <h2> heading."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[tuple[str, bool]] = []
        self._in_p = False
        self._after_heading = False
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "p":
            self._in_p, self._text = True, []
        elif tag == "h2":
            self._after_heading = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "p" and self._in_p:
            text = " ".join("".join(self._text).split())
            if text:
                self.paragraphs.append((text, self._after_heading))
            self._in_p = False

    def handle_data(self, data: str) -> None:
        if self._in_p:
            self._text.append(data)


def plain_text(body_html: str) -> tuple[str, str]:
    """(body, achievements) as plain text, from a body the old template rendered."""
    parser = _Paragraphs()
    parser.feed(body_html)
    parser.close()
    paragraphs = [html.unescape(text) for text, _ in parser.paragraphs]
    achievements: list[str] = []
    for text, after_heading in parser.paragraphs:
        if after_heading and not text.startswith(_RECOGNITION):
            achievements.append(html.unescape(text))
        elif achievements:
            break
    return "\n\n".join(paragraphs), "\n".join(achievements)


def _table(name: str, **columns: sa.types.TypeEngine[object]) -> sa.TableClause:
    """A lightweight table for the data step: just the columns it reads and writes."""
    return sa.table(name, *(sa.column(column, type_) for column, type_ in columns.items()))


def upgrade() -> None:
    with op.batch_alter_table("stories") as batch:
        batch.add_column(sa.Column("achievements", sa.Text(), nullable=False, server_default=""))
    op.create_table(
        "publications",
        sa.Column("story_id", sa.Uuid(), sa.ForeignKey("stories.story_id"), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("external_id", sa.String(length=400), nullable=True),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("story_id", "channel"),
    )
    op.create_index("ix_publications_channel_state", "publications", ["channel", "state"])

    connection = op.get_bind()
    uuid, text, moment = sa.Uuid(), sa.Text(), sa.DateTime(timezone=True)
    stories = _table("stories", story_id=uuid, slug=text, status=text, body=text, achievements=text, published_at=moment)
    publications = _table(
        "publications", story_id=uuid, channel=text, state=text, external_id=text, attempts=sa.Integer(),
        published_at=moment, updated_at=moment,
    )
    rows = connection.execute(sa.select(stories)).all()
    changes = []
    placed = []
    for row in rows:
        if row.body.lstrip().startswith("<"):
            body, achievements = plain_text(row.body)
            changes.append({"b_id": row.story_id, "b_body": body, "b_achievements": achievements})
        if row.status == "published":
            for channel, external_id in (("web", f"/stories/{row.slug}"), ("atom", f"urn:uuid:{row.story_id}")):
                placed.append(
                    {
                        "story_id": row.story_id,
                        "channel": channel,
                        "state": "published",
                        "external_id": external_id,
                        "attempts": 1,
                        "published_at": row.published_at,
                        "updated_at": row.published_at,
                    }
                )
    if changes:
        connection.execute(
            stories.update()
            .where(stories.c.story_id == sa.bindparam("b_id"))
            .values(body=sa.bindparam("b_body"), achievements=sa.bindparam("b_achievements")),
            changes,
        )
    if placed:
        connection.execute(publications.insert(), placed)


def downgrade() -> None:
    op.drop_index("ix_publications_channel_state", table_name="publications")
    op.drop_table("publications")
    with op.batch_alter_table("stories") as batch:
        batch.drop_column("achievements")
