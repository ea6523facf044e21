"""Detection: the carrier family by the UA's first characters, then that family's parser."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from . import au, browsers, docomo
from . import headers as headers_
from . import softbank, willcom
from .terminal import Terminal

__all__ = ["cache_clear", "cache_info", "detect", "detect_uncached"]

#: Distinct header combinations remembered by :func:`detect`.
CACHE_SIZE = 4096

#: Carrier UA families by the first three characters of the UA.
FAMILIES = {
    "DoC": docomo.docomo,
    "KDD": au.au,
    "UP.": au.au,
    "Sof": softbank.softbank,
    "Vod": softbank.softbank,
    "J-P": softbank.softbank,
    "J-E": softbank.softbank,
    "Sem": softbank.softbank,
    "Vem": softbank.softbank,
    "MOT": softbank.softbank,
    "Moz": willcom.willcom,
}


def detect_key(key: tuple) -> Terminal:
    """Return the terminal for a cache key made by :func:`.headers.cache_key`."""
    ua = key[headers_.UA]
    ua = "" if ua is None else ua.strip()
    family = FAMILIES.get(ua[:3])
    if family is not None:
        terminal = family(ua, key)
        if terminal is not None:
            return terminal
    return browsers.other(ua)


_cached = lru_cache(maxsize=CACHE_SIZE)(detect_key)


def detect(
    headers: Mapping | None, remote_addr: str | None = None, secure: bool = False
) -> Terminal:
    """Return the (cached) terminal for *headers*; *secure*: over HTTPS; *remote_addr*: unused."""
    return _cached(headers_.cache_key(headers, secure))


def detect_uncached(
    headers: Mapping | None, remote_addr: str | None = None, secure: bool = False
) -> Terminal:
    """Return the terminal for *headers* like :func:`detect`, without the cache."""
    return detect_key(headers_.cache_key(headers, secure))


def cache_info():
    """Return the ``functools`` cache statistics of :func:`detect`."""
    return _cached.cache_info()


def cache_clear() -> None:
    """Forget every cached detection."""
    _cached.cache_clear()
