"""Social: one-line profiles, user search terms, mentions, replies of deleted echoes marked.

- ``users.display_name`` becomes ``TEXT`` (its length is counted as the reader sees it,
  not in code points); ``users.profile`` and ``users.replies_seen_at`` are added.
- ``user_search_terms``: every suffix of each user's normalised name and display name.
- ``mentions``: the users each echo names (``@name``) or answers, filled from the echoes
  there are (replies by SQL; ``@name`` by reading the bodies that hold an ``@``).
- ``echoes.answers_deleted``: the echo answered was deleted.
- ``ix_echoes_reply_to_id`` becomes ``(reply_to_id, created_at, id)``: a page of one echo's
  replies reads a page of the index, however many replies it has.

The normaliser and the mention pattern are copied here as they are at this revision: a
migration must not change meaning when the app's code does later.

On SQLite, no table is rebuilt (a rebuild drops the old table, and with foreign keys on
that deletes every row that refers to it): columns are added, and ``display_name`` is
swapped for a ``TEXT`` column with ``ALTER TABLE ... DROP/RENAME COLUMN`` (SQLite 3.35+,
which the rate limits' ``RETURNING`` needs already).

Revision ID: 0006_social
Revises: 0005_security
Create Date: 2026-12-01
"""

import re
import unicodedata

import sqlalchemy as sa
from alembic import op

#: Revision identifiers, used by Alembic.
revision = "0006_social"
down_revision = "0005_security"
branch_labels = None
depends_on = None

_TERM = sa.String(48).with_variant(sa.String(48, collation="C"), "postgresql")
_TERM_CHARS = 48
_KANA = {code: code - 0x60 for code in (*range(0x30A1, 0x30F7), 0x30FD, 0x30FE)}
_DROPPED = dict.fromkeys((0xFE0E, 0xFE0F))
_URL_RE = re.compile(r"https?://[!#$%&'()*+,\-./0-9:;=?@A-Z\[\]_a-z~]+(?<![.,;:!?)\]'])", re.ASCII)
_MENTION_RE = re.compile(r"(?<![A-Za-z0-9_@＠.-])[@＠]([A-Za-z0-9_-]{1,20})(?![A-Za-z0-9_-])")
_BATCH = 5000


def _key(text: str) -> str:
    """Return *text* in search form (``accounts.user_search.search_key`` at this revision)."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_KANA).translate(_DROPPED)
    return "".join(ch for ch in text if not ch.isspace())


def _terms(name: str, display_name: str | None) -> set[str]:
    """Return every suffix of the name and display name in search form."""
    terms = set()
    for text in (name, display_name or ""):
        key = _key(text)
        terms.update(key[i : i + _TERM_CHARS] for i in range(len(key)))
    return terms


def _timestamp(name: str, nullable: bool = False) -> sa.Column:
    """Return a timezone-aware timestamp column (``models.UTCDateTime`` in the models)."""
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _swap_display_name(kind: str, length: int | None) -> None:
    """Make ``users.display_name`` a TEXT (*length* None) or a VARCHAR(*length*) column."""
    if op.get_bind().dialect.name == "postgresql":
        kind = sa.Text() if length is None else sa.String(length)
        using = "display_name" if length is None else f"left(display_name, {length})"
        op.alter_column("users", "display_name", type_=kind, postgresql_using=using)
        return
    column = "TEXT" if length is None else f"VARCHAR({length})"
    value = "display_name" if length is None else f"substr(display_name, 1, {length})"
    op.execute(f"ALTER TABLE users ADD COLUMN display_name_new {column}")
    op.execute(f"UPDATE users SET display_name_new = {value}")
    op.execute("ALTER TABLE users DROP COLUMN display_name")
    op.execute("ALTER TABLE users RENAME COLUMN display_name_new TO display_name")


def _fill_search_terms(connection: sa.Connection) -> None:
    """Index every user there is."""
    users = sa.table("users", sa.column("id"), sa.column("name"), sa.column("display_name"))
    terms = sa.table("user_search_terms", sa.column("term"), sa.column("user_id"))
    last = 0
    while True:
        rows = connection.execute(
            sa.select(users.c.id, users.c.name, users.c.display_name)
            .where(users.c.id > last)
            .order_by(users.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        values = [
            {"term": term, "user_id": ident}
            for ident, name, display_name in rows
            for term in _terms(name, display_name)
        ]
        connection.execute(sa.insert(terms), values)
        last = rows[-1][0]


def _fill_mentions(connection: sa.Connection) -> None:
    """Record the replies and the ``@name`` mentions of the echoes there are."""
    op.execute(
        "INSERT INTO mentions (echo_id, user_id, kind, created_at) "
        "SELECT e.id, p.author_id, 'reply', e.created_at FROM echoes e "
        "JOIN echoes p ON p.id = e.reply_to_id WHERE p.author_id <> e.author_id"
    )
    echoes = sa.table(
        "echoes",
        sa.column("id"),
        sa.column("author_id"),
        sa.column("body"),
        sa.column("created_at"),
    )
    users = sa.table("users", sa.column("id"), sa.column("name_key"))
    mentions = sa.table(
        "mentions", sa.column("echo_id"), sa.column("user_id"), sa.column("kind"),
        sa.column("created_at"),
    )  # fmt: skip
    replied = sa.table("mentions", sa.column("echo_id"), sa.column("user_id"))
    has_at = sa.or_(echoes.c.body.contains("@"), echoes.c.body.contains("＠"))
    last = 0
    while True:
        rows = connection.execute(
            sa.select(echoes.c.id, echoes.c.author_id, echoes.c.body, echoes.c.created_at)
            .where(echoes.c.id > last, has_at)
            .order_by(echoes.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        last = rows[-1][0]
        named = {}
        for ident, author_id, body, created_at in rows:
            names = {m.lower() for m in _MENTION_RE.findall(_URL_RE.sub(" ", body))}
            if names:
                named[ident] = (author_id, created_at, names)
        keys = {name for _, _, names in named.values() for name in names}
        if not keys:
            continue
        ids = dict(connection.execute(sa.select(users.c.name_key, users.c.id).where(
            users.c.name_key.in_(sorted(keys))
        )).all())  # fmt: skip
        taken = set(connection.execute(
            sa.select(replied.c.echo_id, replied.c.user_id).where(replied.c.echo_id.in_(named))
        ).all())  # fmt: skip
        values = [
            {"echo_id": ident, "user_id": ids[name], "kind": "mention", "created_at": created_at}
            for ident, (author_id, created_at, names) in named.items()
            for name in sorted(names)
            if name in ids and ids[name] != author_id and (ident, ids[name]) not in taken
        ]
        if values:
            connection.execute(sa.insert(mentions), values)


def upgrade() -> None:
    """Add the columns and tables, then fill them from the users and echoes there are."""
    _swap_display_name("text", None)
    op.add_column("users", sa.Column("profile", sa.Text(), nullable=True))
    op.add_column("users", _timestamp("replies_seen_at", nullable=True))
    op.add_column(
        "echoes",
        sa.Column("answers_deleted", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.create_index(
        "ix_echoes_reply_to_id_created_at_id", "echoes", ["reply_to_id", "created_at", "id"]
    )
    op.drop_index("ix_echoes_reply_to_id", table_name="echoes")
    op.create_table(
        "user_search_terms",
        sa.Column("term", _TERM, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_search_terms_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("term", "user_id", name=op.f("pk_user_search_terms")),
    )
    op.create_index("ix_user_search_terms_user_id_term", "user_search_terms", ["user_id", "term"])
    op.create_table(
        "mentions",
        sa.Column("echo_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        _timestamp("created_at"),
        sa.CheckConstraint("kind IN ('mention', 'reply')", name=op.f("ck_mentions_kind")),
        sa.ForeignKeyConstraint(
            ["echo_id"],
            ["echoes.id"],
            name=op.f("fk_mentions_echo_id_echoes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_mentions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("echo_id", "user_id", name=op.f("pk_mentions")),
    )
    op.create_index(
        "ix_mentions_user_id_created_at_echo_id", "mentions", ["user_id", "created_at", "echo_id"]
    )
    connection = op.get_bind()
    _fill_search_terms(connection)
    _fill_mentions(connection)


def downgrade() -> None:
    """Drop the tables and columns (display names are cut to 40 code points)."""
    op.drop_table("mentions")
    op.drop_table("user_search_terms")
    op.create_index("ix_echoes_reply_to_id", "echoes", ["reply_to_id"])
    op.drop_index("ix_echoes_reply_to_id_created_at_id", table_name="echoes")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_column("echoes", "answers_deleted")
        op.drop_column("users", "replies_seen_at")
        op.drop_column("users", "profile")
    else:
        op.execute("ALTER TABLE echoes DROP COLUMN answers_deleted")
        op.execute("ALTER TABLE users DROP COLUMN replies_seen_at")
        op.execute("ALTER TABLE users DROP COLUMN profile")
    _swap_display_name("varchar", 40)
