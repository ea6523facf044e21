"""Migration 0006 fills the search terms and mentions from the users and echoes there are."""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa

from mobile_gateway.accounts import user_search
from mobile_gateway.storage import db

BEFORE = "0004_sequence_fits"
T = datetime(2009, 6, 1, tzinfo=timezone.utc)


def test_upgrade_fills_terms_and_mentions(fresh_db_url):
    """Users become searchable; replies and @names become mentions; display names stay."""
    db.upgrade(fresh_db_url, BEFORE)
    engine = db.make_engine(fresh_db_url)
    try:
        with engine.begin() as conn:
            users = sa.table(
                "users", *map(sa.column, ("id", "name", "name_key", "display_name",
                                          "password_hash", "created_at"))
            )  # fmt: skip
            echoes = sa.table(
                "echoes", *map(sa.column, ("id", "author_id", "body", "reply_to_id", "created_at"))
            )
            conn.execute(sa.insert(users), [
                {"id": 1, "name": "Taro", "name_key": "taro", "display_name": "タロウ☀️",
                 "password_hash": "x", "created_at": T},
                {"id": 2, "name": "hanako", "name_key": "hanako", "display_name": None,
                 "password_hash": "x", "created_at": T},
            ])  # fmt: skip
            conn.execute(sa.insert(echoes), [
                {"id": 1, "author_id": 1, "body": "はれ", "reply_to_id": None, "created_at": T},
                {"id": 2, "author_id": 2, "body": "@taro ほんと", "reply_to_id": 1,
                 "created_at": T},
                {"id": 3, "author_id": 1, "body": "＠Hanako @nobody http://x.jp/@hanako",
                 "reply_to_id": None, "created_at": T},
                {"id": 4, "author_id": 1, "body": "@taro じぶん", "reply_to_id": 1,
                 "created_at": T},
            ])  # fmt: skip
        db.upgrade(fresh_db_url)
        with engine.connect() as conn:
            mentions = conn.execute(
                sa.text("SELECT echo_id, user_id, kind FROM mentions ORDER BY echo_id")
            ).all()
            assert [tuple(row) for row in mentions] == [(2, 1, "reply"), (3, 2, "mention")]
            terms = set(conn.execute(sa.text("SELECT term FROM user_search_terms "
                                             "WHERE user_id = 1")).scalars())  # fmt: skip
            assert terms == user_search.search_terms("Taro", "タロウ☀️")
            assert conn.execute(
                sa.text("SELECT display_name FROM users WHERE id = 1")
            ).scalar() == ("タロウ☀️")
        db.downgrade(fresh_db_url, BEFORE)
        with engine.connect() as conn:
            assert conn.execute(
                sa.text("SELECT display_name FROM users WHERE id = 1")
            ).scalar() == ("タロウ☀️")
            assert conn.execute(sa.text("SELECT count(*) FROM echoes")).scalar() == 4
    finally:
        engine.dispose()
