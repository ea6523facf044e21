"""Reading the request headers detection looks at, into a hashable cache key, and their values.

A key is a tuple of :data:`KEY_LENGTH`: the header values detection reads (None when absent or
empty), each cut to a safe length, and whether the request came over HTTPS (index
:data:`SECURE`). Carrier modules read their headers from it by these indexes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from .terminal import AU, DOCOMO, SOFTBANK

__all__ = [
    "KEY_LENGTH",
    "MAX_HEADER_VALUE",
    "MAX_USER_AGENT",
    "MSNAME_RE",
    "NUMBER_RE",
    "cache_key",
    "pixels",
    "subscriber_id",
]

#: Longest User-Agent kept (and looked at); real ones stay under 300 characters.
MAX_USER_AGENT = 512
#: Longest value of any other header read; longer ones are cut before parsing.
MAX_HEADER_VALUE = 256

#: Headers detection reads, by lower-case name, to their index in the cache key (a tuple of
#: :data:`KEY_LENGTH`: these header values or None, and *secure* at index 1).
_HEADER_INDEX = {
    "user-agent": 0,
    "x-dcmguid": 2,
    "x-up-subno": 3,
    "x-jphone-uid": 4,
    "x-up-devcap-screenpixels": 5,
    "x-up-devcap-max-pdu": 6,
    "x-jphone-display": 7,
    "x-jphone-msname": 8,
}
UA, SECURE, DCMGUID, SUBNO, JPHONE_UID, PIXELS, MAX_PDU, JPHONE_DISPLAY, MSNAME = range(9)
KEY_LENGTH = 9
#: The same under the usual spellings (lower case, werkzeug's title case, CARRIERS.md's upper
#: case), so that most names are found without lower-casing them.
_INDEX = {
    spelling: index
    for name, index in _HEADER_INDEX.items()
    for spelling in (name, name.title(), name.upper())
}
#: (name, WSGI environ key) of each header, to read werkzeug's EnvironHeaders.
_ENVIRON_KEYS = tuple((name, "HTTP_" + name.upper().replace("-", "_")) for name in _HEADER_INDEX)


def _text(value: object, index: int) -> str:
    """Return a header value as str (bytes as latin-1), cut to the limit of key *index*."""
    limit = MAX_USER_AGENT if index == UA else MAX_HEADER_VALUE
    if isinstance(value, (bytes, bytearray)):
        return bytes(value[:limit]).decode("latin-1")
    if not isinstance(value, str):
        value = str(value)
    return value[:limit]


@lru_cache(maxsize=256)
def _index_of(name: object) -> int | None:
    """Return the key index of header *name* in any spelling, None if detection ignores it."""
    if isinstance(name, (bytes, bytearray)):
        name = bytes(name).decode("latin-1")
    elif not isinstance(name, str):
        return None
    return _HEADER_INDEX.get(name.lower().replace("_", "-"))


def cache_key(headers: Mapping | None, secure: bool) -> tuple:
    """Return the cache key: the headers detection reads (None when absent or empty), *secure*."""
    environ = None if type(headers) is dict else getattr(headers, "environ", None)
    if type(environ) is dict:  # werkzeug EnvironHeaders: look the headers up in the environ
        items = [(name, environ.get(environ_key)) for name, environ_key in _ENVIRON_KEYS]
    else:
        items = () if headers is None else headers.items()
    user_agent = None
    others = None  # all values, made only when a header other than the User-Agent is present
    for name, value in items:
        index = _INDEX.get(name)
        if index is None:
            index = _index_of(name)
            if index is None:
                continue
        if not value:
            continue
        if type(value) is not str or len(value) > MAX_HEADER_VALUE:
            value = _text(value, index)
        if index == UA:
            user_agent = value
        else:
            if others is None:
                others = [None] * KEY_LENGTH
            others[index] = value
    secure = True if secure else False
    if others is None:
        return (user_agent, secure, None, None, None, None, None, None, None)
    others[UA] = user_agent
    others[SECURE] = secure
    return tuple(others)


#: Shape of each carrier's subscriber id (CARRIERS.md fixtures: DoCoMo '000000a', 'FFFFFFF';
#: au '00000000000000_mj.ezweb.ne.jp'; SoftBank 'aaaaaaaaaaaaaaaa', optionally a leading letter).
_SUBSCRIBER_ID_RE = {
    DOCOMO: re.compile(r"[0-9A-Za-z]{7}", re.ASCII),
    AU: re.compile(r"[0-9]{14}_[A-Za-z]{2}\.ezweb\.ne\.jp", re.ASCII),
    SOFTBANK: re.compile(r"[A-Za-z]?[0-9A-Za-z]{16}", re.ASCII),
}
_PIXELS_RE = re.compile(r"\s*(\d{1,5})\s*[,*]\s*(\d{1,5})", re.ASCII)
NUMBER_RE = re.compile(r"\s*(\d{1,9})\s*$", re.ASCII)
MSNAME_RE = re.compile(r"[0-9A-Za-z][0-9A-Za-z_-]{0,31}", re.ASCII)


def subscriber_id(carrier: str, value: str) -> str | None:
    """Return *value* stripped if it has *carrier*'s subscriber-id shape, else None."""
    value = value.strip()
    return value if _SUBSCRIBER_ID_RE[carrier].fullmatch(value) else None


def pixels(value: str | None) -> tuple[int, int] | None:
    """Return (width, height) from ``90,70`` or ``120*117``, else None."""
    if value is None:
        return None
    match = _PIXELS_RE.match(value)
    if not match:
        return None
    width, height = int(match[1]), int(match[2])
    return (width, height) if width and height else None
