"""Display names and one-line profiles: what people are called beside their user name.

Both are internal-form text (emoji included), cleaned like echo bodies (line breaks folded
to spaces, control characters removed) and counted as the reader sees them
(:func:`.text.count_chars`): at most :data:`MAX_DISPLAY_NAME_CHARS` and
:data:`MAX_PROFILE_CHARS` characters. Empty means none. Changing the display name
re-indexes the user for search. No Flask here.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from sqlalchemy.orm import Session

from ..accounts import user_search
from ..storage.models import DomainError, User
from .text import MAX_BODY_CODE_POINTS, clean_body, count_chars

__all__ = [
    "MAX_DISPLAY_NAME_CHARS",
    "MAX_PROFILE_CHARS",
    "ProfileRefused",
    "check_display_name",
    "check_profile",
    "set_profile",
]

#: Longest display name, in characters as the reader sees them.
MAX_DISPLAY_NAME_CHARS = 20
#: Longest one-line profile, in characters as the reader sees them.
MAX_PROFILE_CHARS = 100


class ProfileRefused(DomainError):
    """A display name or profile breaks the rules; ``str()`` says which and why."""


@dataclass(frozen=True)
class _Rule:
    what: str
    most: int

    def check(self, text: str) -> str | None:
        """Return an error message for *text*, else None."""
        if not isinstance(text, str):
            return f"{self.what}が正しくありません"
        cleaned = clean_body(text)
        if len(cleaned) > MAX_BODY_CODE_POINTS or count_chars(cleaned) > self.most:
            return f"{self.what}は{self.most}文字以内で入力してください"
        return None


_DISPLAY_NAME = _Rule("表示名", MAX_DISPLAY_NAME_CHARS)
_PROFILE = _Rule("ひとこと", MAX_PROFILE_CHARS)


def check_display_name(text: str) -> str | None:
    """Return an error message for an unacceptable display name, else None."""
    return _DISPLAY_NAME.check(text)


def check_profile(text: str) -> str | None:
    """Return an error message for an unacceptable one-line profile, else None."""
    return _PROFILE.check(text)


def _kept(text: str) -> str | None:
    """Return *text* cleaned, or None when nothing visible is left."""
    cleaned = clean_body(text)
    visible = any(unicodedata.category(ch)[0] not in "ZCM" for ch in cleaned)
    return cleaned if visible else None


def set_profile(session: Session, user: User, display_name: str, profile: str) -> None:
    """Set *user*'s display name and profile (empty: none) and commit.

    :raises ProfileRefused: with the first rule broken; nothing is changed.
    """
    for error in (check_display_name(display_name), check_profile(profile)):
        if error is not None:
            raise ProfileRefused(error)
    user.display_name = _kept(display_name)
    user.profile = _kept(profile)
    user_search.index_user(session, user)
    session.commit()
