"""The language a page or a command speaks: English (the source) or Japanese.

Messages are written in English in the source, marked with :func:`gettext` (imported as
``_``), :func:`ngettext`, or :func:`N_` for a constant translated where it is shown, and
translated with Babel's gettext catalogs: ``mobile_gateway/phone/translations/<locale>/
LC_MESSAGES/messages.po``, compiled to the ``.mo`` file shipped beside it by
``tools/build_catalogs.py`` (``--check`` tells whether both are current). Placeholders
are ``%(name)s``, as in Jinja's ``_()``, so one catalog serves Python and templates.

The language in force is a context variable, so code that knows no request (the domain
modules of :mod:`..operators`, :mod:`..gateways`) just calls :func:`gettext`: the console
puts the operator's language in force for each request (:mod:`..operators.console`), the
commands the language of their environment (:func:`from_environment`), and without either
messages are English. Only the operators' console and commands are translated: handset
pages are Japanese, written as such in their templates.

No Flask here (the domain modules import this one): Babel and the standard library only.
"""

from __future__ import annotations

import gettext as stdlib_gettext
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar, Token
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path

from babel import dates
from babel.support import Translations

__all__ = [
    "DEFAULT",
    "JST",
    "LOCALES",
    "LOCALE_NAMES",
    "N_",
    "TRANSLATIONS",
    "activate",
    "catalog",
    "current",
    "format_datetime",
    "from_environment",
    "gettext",
    "ngettext",
    "reset",
    "supported",
    "using",
]

#: The languages, the source's first.
LOCALES = ("en", "ja")
#: The language of the source, spoken when no other is in force.
DEFAULT = "en"
#: Each language named in itself, for the language switch.
LOCALE_NAMES = {"en": "English", "ja": "日本語"}
#: Where the catalogs are: ``<locale>/LC_MESSAGES/messages.mo``.
TRANSLATIONS = Path(__file__).resolve().parent / "translations"
#: The gettext domain of the catalogs.
DOMAIN = "messages"
#: Japan time (no daylight saving): every date and time the console shows.
JST = timezone(timedelta(hours=9), "JST")

_locale: ContextVar[str] = ContextVar("mobile_gateway.i18n.locale", default=DEFAULT)


def N_(message: str) -> str:  # noqa: N802 (the name gettext's tools look for)
    """Mark *message* for the catalog without translating it (a constant, shown later)."""
    return message


@lru_cache(maxsize=None)
def catalog(locale: str) -> stdlib_gettext.NullTranslations:
    """Return the translations of *locale* (the source language translates to itself).

    :raises FileNotFoundError: the compiled catalog of a supported language is missing
        (an install without ``translations/``): better an error than English in disguise.
    """
    if locale not in LOCALES:
        raise ValueError(f"unsupported locale {locale!r}")
    if locale == DEFAULT:
        return stdlib_gettext.NullTranslations()
    path = TRANSLATIONS / locale / "LC_MESSAGES" / f"{DOMAIN}.mo"
    with path.open("rb") as stream:
        return Translations(stream, domain=DOMAIN)


def current() -> str:
    """Return the language in force (``"en"`` or ``"ja"``)."""
    return _locale.get()


def activate(locale: str) -> Token:
    """Put *locale* in force in this context; give the token to :func:`reset` afterwards."""
    if locale not in LOCALES:
        raise ValueError(f"unsupported locale {locale!r}")
    return _locale.set(locale)


def reset(token: Token) -> None:
    """Put back the language that was in force before :func:`activate` gave *token*."""
    _locale.reset(token)


@contextmanager
def using(locale: str) -> Iterator[str]:
    """Speak *locale* inside the ``with`` block."""
    token = activate(locale)
    try:
        yield locale
    finally:
        reset(token)


def gettext(message: str, /, **params) -> str:
    """Translate *message* into the language in force, then fill in ``%(name)s`` *params*."""
    text = catalog(current()).gettext(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, num: int, /, **params) -> str:
    """Translate the form of *singular*/*plural* for *num*; ``%(num)d`` is *num*."""
    text = catalog(current()).ngettext(singular, plural, num)
    return text % {"num": num, **params}


def supported(tag: str | None) -> str | None:
    """Return the supported language a tag names (``ja_JP.UTF-8``, ``ja-JP``, ``en``), or None."""
    if not tag:
        return None
    primary = tag.replace("-", "_").split("_")[0].split(".")[0].split("@")[0].lower()
    return primary if primary in LOCALES else None


def from_environment(environ: Mapping[str, str] | None = None) -> str:
    """Return the language of a command's environment: Japanese when it asks for it.

    The first of ``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG`` that is set decides,
    as for gettext (``LANGUAGE`` may list several, the first supported one wins);
    ``ja_JP.UTF-8`` gives Japanese, anything else (``C``, ``en_US``, ``fr_FR``) English.
    """
    environ = os.environ if environ is None else environ
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "").strip()
        if not value:
            continue
        if name == "LANGUAGE":
            found = [supported(part) for part in value.split(":")]
            found = [locale for locale in found if locale]
            if found:
                return found[0]
            continue
        return supported(value) or DEFAULT
    return DEFAULT


def format_datetime(moment: datetime | None, style: str = "medium") -> str:
    """Write *moment* in Japan time the way the language in force writes dates and times."""
    if moment is None:
        return "—"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return dates.format_datetime(moment, style, tzinfo=JST, locale=current())
