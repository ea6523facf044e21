"""Finding people by name and display name, whatever kana or width they were typed in.

Names and queries are compared in *search form* (:func:`search_key`): NFKC (full-width
letters and half-width kana become their usual forms: ``ＴＡＲＯ`` and ``ﾀﾛｳ`` are
``taro`` and ``タロウ``), case folded, katakana folded to hiragana (``タロウ`` is
``たろう``), without spaces or emoji variation selectors.

Every suffix of each user's name and display name in search form is a row of
``user_search_terms`` (:func:`index_user`, called whenever either changes), so a search for
any part of a name is a range of that table's primary key ``(term, user_id)``: a page of
results reads about a page of index entries however many users there are. A user whose
name holds the query twice has two matching rows; only the smallest one counts
(:func:`search`), so each user appears once, at one place in the order.

No Flask here: every function takes a SQLAlchemy session first.
"""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from ..storage.models import MAX_ID, DomainError, User, UserSearchTerm

__all__ = [
    "MAX_TERM_CHARS",
    "InvalidSearchCursor",
    "UserPage",
    "index_user",
    "search",
    "search_key",
    "search_terms",
]

#: Longest term stored, in code points; a longer query (in search form) matches nobody.
MAX_TERM_CHARS = 48
#: Most people on one page.
MAX_PAGE_SIZE = 100
#: Katakana (and its iteration marks) to hiragana.
_KANA = {code: code - 0x60 for code in (*range(0x30A1, 0x30F7), 0x30FD, 0x30FE)}
#: Emoji presentation selectors: ``☀`` and ``☀️`` are the same name.
_DROPPED = dict.fromkeys((0xFE0E, 0xFE0F))


class InvalidSearchCursor(DomainError):
    """A search page cursor was garbled."""


def search_key(text: str) -> str:
    """Return *text* in search form: NFKC, case folded, katakana as hiragana, no spaces."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_KANA).translate(_DROPPED)
    return "".join(ch for ch in text if not ch.isspace())


def search_terms(name: str, display_name: str | None) -> set[str]:
    """Return every suffix of *name* and *display_name* in search form (cut to the longest term)."""
    terms = set()
    for text in (name, display_name or ""):
        key = search_key(text)
        terms.update(key[i : i + MAX_TERM_CHARS] for i in range(len(key)))
    return terms


def index_user(session: Session, user: User) -> None:
    """Replace *user*'s search terms by those of their name and display name (no commit)."""
    session.flush()
    session.execute(sa.delete(UserSearchTerm).where(UserSearchTerm.user_id == user.id))
    terms = search_terms(user.name, user.display_name)
    if terms:
        session.execute(
            sa.insert(UserSearchTerm), [{"term": t, "user_id": user.id} for t in sorted(terms)]
        )


@dataclass(frozen=True)
class UserPage:
    """One page of people found, in the order of their matching term, with neighbours' cursors."""

    items: list[User]
    next_cursor: str | None = None
    prev_cursor: str | None = None


def _encode(direction: str, term: str, user_id: int) -> str:
    payload = f"{direction}{user_id}.{term}".encode("utf-8")
    return base64.urlsafe_b64encode(payload).rstrip(b"=").decode("ascii")


_CURSOR_TEXT_RE = re.compile(r"[A-Za-z0-9_-]{3,400}", re.ASCII)
_CURSOR_RE = re.compile(r"([np])([0-9]{1,10})\.(.{1,48})", re.DOTALL)


def _decode(text: str) -> tuple[str, str, int]:
    """Return ("next" or "prev", term, user id) of a cursor, or raise InvalidSearchCursor."""
    error = InvalidSearchCursor(
        "ページの指定が正しくありません。最初のページからやり直してください"
    )
    if not isinstance(text, str) or not _CURSOR_TEXT_RE.fullmatch(text):
        raise error
    try:
        payload = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("utf-8")
    except (binascii.Error, ValueError):
        raise error from None
    match = _CURSOR_RE.fullmatch(payload)
    if match is None or int(match[2]) > MAX_ID or not search_key(match[3]) == match[3]:
        raise error
    return ("prev" if match[1] == "p" else "next"), match[3], int(match[2])


def _after(prefix: str) -> str | None:
    """Return the smallest string greater than every string starting with *prefix*."""
    while prefix:
        code = ord(prefix[-1]) + 1
        if 0xD800 <= code <= 0xDFFF:  # no surrogates: the next character is U+E000
            code = 0xE000
        if code <= 0x10FFFF:
            return prefix[:-1] + chr(code)
        prefix = prefix[:-1]
    return None


def _matching(terms, prefix: str, upper: str | None):
    """Return the condition "this term starts with *prefix*" as an index range."""
    condition = terms.term >= prefix
    return condition if upper is None else sa.and_(condition, terms.term < upper)


def search(session: Session, query: str, cursor: str | None = None, limit: int = 20) -> UserPage:
    """Return a page of the users whose name or display name contains *query*.

    Results come in the order of the matching part of their name (an exact match first),
    then by id. *query* is put in search form here; an empty one finds nobody.

    :raises InvalidSearchCursor: if *cursor* cannot be read.
    """
    prefix = search_key(query).lstrip("@")  # "@taro" is how people write a name
    position = None if cursor is None else _decode(cursor)
    limit = max(1, min(int(limit), MAX_PAGE_SIZE))
    if not prefix or len(prefix) > MAX_TERM_CHARS:
        return UserPage(items=[])
    upper = _after(prefix)
    terms = UserSearchTerm.__table__.alias("t")
    other = aliased(UserSearchTerm.__table__, name="o")
    # Each user once: the row kept is the user's smallest matching term.
    first = ~sa.exists().where(
        other.c.user_id == terms.c.user_id, _matching(other.c, prefix, upper),
        other.c.term < terms.c.term,
    )  # fmt: skip
    base = sa.select(terms.c.term, terms.c.user_id).where(_matching(terms.c, prefix, upper), first)
    key = sa.tuple_(terms.c.term, terms.c.user_id)
    backwards = position is not None and position[0] == "prev"

    def rows(condition, backwards: bool, count: int) -> list:
        order = (terms.c.term.desc(), terms.c.user_id.desc()) if backwards else (
            terms.c.term, terms.c.user_id)  # fmt: skip
        return session.execute(base.where(condition).order_by(*order).limit(count)).all()

    def any_row(condition) -> bool:
        return session.scalar(sa.select(base.where(condition).limit(1).exists()))

    if position is None:
        found = rows(sa.true(), False, limit + 1)
        page, has_next, has_prev = found[:limit], len(found) > limit, False
    else:
        bound = sa.tuple_(sa.literal(position[1], _term_type()), sa.literal(position[2]))
        if backwards:
            found = rows(key < bound, True, limit + 1)
            page, has_prev = found[:limit][::-1], len(found) > limit
            has_next = any_row(key >= bound)
        else:
            found = rows(key > bound, False, limit + 1)
            page, has_next = found[:limit], len(found) > limit
            has_prev = any_row(key <= bound)
    if not page:
        return UserPage(items=[])
    people = {
        user.id: user
        for user in session.scalars(sa.select(User).where(User.id.in_([r[1] for r in page])))
    }
    items = [people[user_id] for _, user_id in page if user_id in people]
    first_row, last_row = page[0], page[-1]
    return UserPage(
        items=items,
        next_cursor=_encode("n", last_row[0], last_row[1]) if has_next else None,
        prev_cursor=_encode("p", first_row[0], first_row[1]) if has_prev else None,
    )


def _term_type():
    """Return the column type of terms (its collation matters on PostgreSQL)."""
    return UserSearchTerm.__table__.c.term.type
