"""User search: kana and width do not matter, any part of a name matches, pages are index ranges."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from mobile_gateway.accounts import user_search, users
from mobile_gateway.storage.models import UserSearchTerm


def _names(page) -> list[str]:
    return [user.name for user in page.items]


def _signup(session, name: str, display_name: str | None = None):
    return users.signup(session, name, "correct horse", display_name)


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    "typed, key",
    [
        ("タロウ", "たろう"),
        ("ﾀﾛｳ", "たろう"),
        ("ｶﾞｯｺｳ", "がっこう"),
        ("ＴＡＲＯ", "taro"),
        ("Taro Yamada", "taroyamada"),
        ("やまだ　たろう", "やまだたろう"),
        ("ヴァイオリン", "ゔぁいおりん"),
        ("☀️はれ", "☀はれ"),
    ],
)
def test_search_key_folds_kana_width_case_and_spaces(typed, key):
    """Katakana, half-width kana, full-width letters, case and spaces all fold away."""
    assert user_search.search_key(typed) == key


class TestSearch:
    """Searching the users table through its suffix index, on both databases."""

    def test_any_part_of_a_display_name_in_any_kana(self, session):
        """ "タロ", "ﾀﾛ" and "ろう" all find たろう; "ロウ" finds ｼﾞﾛｳ too."""
        _signup(session, "taro", "やまだたろう")
        _signup(session, "jiro", "ｼﾞﾛｳ")
        _signup(session, "hanako", "はなこ")
        assert _names(user_search.search(session, "タロ")) == ["taro"]
        assert _names(user_search.search(session, "ﾀﾛ")) == ["taro"]
        assert sorted(_names(user_search.search(session, "ロウ"))) == ["jiro", "taro"]
        assert _names(user_search.search(session, "ＨＡＮ")) == ["hanako"]
        assert _names(user_search.search(session, "zzz")) == []
        assert _names(user_search.search(session, "@Taro")) == ["taro"]

    def test_each_user_once(self, session):
        """A name holding the query several times (and in both names) lists the user once."""
        _signup(session, "aaa", "ああああ")
        _signup(session, "bab", "あいあ")
        assert sorted(_names(user_search.search(session, "あ"))) == ["aaa", "bab"]
        assert _names(user_search.search(session, "a")) == ["aaa", "bab"]

    def test_pages_forward_and_back(self, session):
        """Forty-five users page 20, 20, 5 and back, each once, in a stable order."""
        for n in range(45):
            _signup(session, f"user{n:02d}", f"ゆーざー{n}")
        pages = [user_search.search(session, "ユーザー", None, 20)]
        while pages[-1].next_cursor:
            pages.append(user_search.search(session, "ゆーざー", pages[-1].next_cursor, 20))
        assert [len(p.items) for p in pages] == [20, 20, 5]
        everyone = [name for page in pages for name in _names(page)]
        assert sorted(everyone) == [f"user{n:02d}" for n in range(45)]
        back = user_search.search(session, "ゆーざー", pages[2].prev_cursor, 20)
        assert _names(back) == _names(pages[1])
        assert back.prev_cursor is not None and pages[0].prev_cursor is None

    def test_display_name_change_reindexes(self, session):
        """A new display name is found, the old one no longer."""
        from mobile_gateway.echo import profiles

        user = _signup(session, "ken", "けん")
        profiles.set_profile(session, user, "ケンタ🍺", "")
        assert _names(user_search.search(session, "けんた")) == ["ken"]
        profiles.set_profile(session, user, "", "")
        assert _names(user_search.search(session, "けん")) == []
        assert _names(user_search.search(session, "ken")) == ["ken"]

    @pytest.mark.parametrize(
        "cursor", ["", "x", "%%%", "bjEyMy4", "A" * 500, "cDk5OTk5OTk5OTk5LmE"]
    )
    def test_garbled_cursor_refused(self, session, cursor):
        """A garbled or forged cursor is refused with a message, never a database error."""
        _signup(session, "taro", "たろう")
        with pytest.raises(user_search.InvalidSearchCursor):
            user_search.search(session, "た", cursor or "a")

    def test_deleted_user_leaves_the_index(self, session):
        """Deleting a user deletes their terms (the foreign key cascades)."""
        user = _signup(session, "gone", "きえる")
        session.delete(user)
        session.commit()
        assert session.scalar(sa.select(sa.func.count()).select_from(UserSearchTerm)) == 0
