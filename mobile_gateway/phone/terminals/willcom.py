"""WILLCOM and DDI POCKET (AirH" PHONE): ``Mozilla/3.0(WILLCOM;<maker>/<model>/...)``."""

from __future__ import annotations

import re

from . import tokens
from .terminal import KB, WILLCOM, PageFormat, Terminal, build

__all__ = ["WILLCOM_DEFAULT_CACHE_KB", "WILLCOM_HTML", "willcom"]

#: WILLCOM without ``C<N>`` in the UA: 100 KB. CARRIERS.md gives the ``C<cache>`` UA field only;
#: the default is the brief's.
WILLCOM_DEFAULT_CACHE_KB = 100
#: WILLCOM: Shift_JIS with DoCoMo-compatible emoji (CARRIERS.md).
WILLCOM_HTML = PageFormat("Shift_JIS", "text/html", "x-sjis-willcom", "x-sjis-willcom")


_WILLCOM_RE = re.compile(
    r"""Mozilla/3\.0\((?:WILLCOM|DDIPOCKET);([^()]*)\)     # (KYOCERA/WX310K/2;1.2.../0.1/C100)
    \s*(?:([A-Za-z][\w.-]*?)[/\ ]?(\d[\d.]*))?             # Opera 7.0, NetFront/3.3, CNF/2.0
    """,
    re.VERBOSE | re.ASCII,
)
_WILLCOM_CACHE_RE = re.compile(r"/[Cc](\d{1,5})$", re.ASCII)


def willcom(ua: str, key: tuple) -> Terminal | None:
    """Return the terminal of a ``Mozilla/3.0(WILLCOM;`` or ``(DDIPOCKET;`` UA, else None."""
    if not ua.startswith("Mozilla/3.0("):
        return None
    match = _WILLCOM_RE.match(ua)
    if match is None:
        return None
    handset, browser_name, browser_version = match.groups()
    parts = handset.split("/")  # maker, model, model version, browser version, cache
    cache = _WILLCOM_CACHE_RE.search(handset)
    cache_kb = int(cache[1]) if cache else 0
    is_crawler = match.end() < len(ua) and tokens.comment_is_crawler(ua, match.end())
    return build(
        {
            "carrier": WILLCOM,
            "user_agent": ua,
            "model": (parts[1] or None) if len(parts) > 1 else None,
            "browser": f"{browser_name}/{browser_version}" if browser_version else None,
            "is_crawler": is_crawler,
            "full_browser": False,
            "screen": None,
            "screen_chars": None,
            "page_budget": (cache_kb or WILLCOM_DEFAULT_CACHE_KB) * KB,
            "cookies": not is_crawler,
            "subscriber_id": None,
            "serial": None,
            "page_format": WILLCOM_HTML,
        }
    )
