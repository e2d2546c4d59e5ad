"""People pages: a slug for every person, and aliases left by merging two records

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 23:30:00
"""

import re
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _slug(name: str) -> str:
    # As webapp.catalog.text.slugify did when this was written (migrations stay frozen).
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:100].rstrip("-") or "item"


def upgrade() -> None:
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.add_column(sa.Column("slug", sa.String(120), nullable=True))
    conn = op.get_bind()
    taken: set[str] = set()
    for person_id, name in conn.execute(sa.text("SELECT id, name FROM persons ORDER BY id")):
        base = slug = _slug(name)
        n = 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        conn.execute(
            sa.text("UPDATE persons SET slug = :slug WHERE id = :id"),
            {"slug": slug, "id": person_id},
        )
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.alter_column("slug", existing_type=sa.String(120), nullable=False)
        batch_op.create_unique_constraint("uq_persons_slug", ["slug"])
    op.create_table(
        "person_aliases",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(300), nullable=False, unique=True),
        sa.Column(
            "person_id",
            sa.Integer(),
            sa.ForeignKey("persons.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
    )


def downgrade() -> None:
    op.drop_table("person_aliases")
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_constraint("uq_persons_slug", type_="unique")
        batch_op.drop_column("slug")
