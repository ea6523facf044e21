"""NTT DoCoMo i-mode: ``DoCoMo/1.0/<model>/c<N>`` (mova), ``DoCoMo/2.0 <model>(c<N>)`` (FOMA)."""

from __future__ import annotations

import re

from . import headers, tokens
from .terminal import DOCOMO, KB, PageFormat, Terminal, build

__all__ = ["IMODE_HTML", "IMODE_XHTML", "docomo"]

#: DoCoMo without ``c<N>`` in the UA (first mova handsets): 5 KB. CARRIERS.md, DoCoMo "Page
#: size": "UA default cache 5 KB when absent (HMA)"; hard limit < 5 KB (tohoho-web.com).
DOCOMO_DEFAULT_CACHE_KB = 5
#: FOMA before i-mode browser 2.0 (``c100``): the cache holds 100 KB with images, but markup text
#: is limited to 30 KB. CARRIERS.md, DoCoMo "Page size" (nttdocomo XHTML useragent page).
DOCOMO_FOMA_MARKUP_KB = 30
#: i-mode browser 2.0 (``c500``, ``DoCoMo/3.0``): the browser takes 500 KB per page
#: (CARRIERS.md, DoCoMo "Browser versions"); we allow ourselves 100 KB (project brief).
DOCOMO_BROWSER2_PAGE_KB = 100
#: i-mode browser 2.0 "LE" models (CARRIERS.md, DoCoMo "Browser versions": JPM).
DOCOMO_BROWSER2_LE_MODELS = frozenset({"P03B", "P05B", "L01B"})
#: DoCoMo cache size (KB) from which the handset has i-mode browser 2.0 (CARRIERS.md: ``c500``).
DOCOMO_BROWSER2_CACHE_KB = 500
#: Model names some handsets misreport, to what HMA and uamobile correct them.
DOCOMO_MODEL_FIXES = {"SH505i2": "SH505i"}

#: DoCoMo mova (DoCoMo/1.0): i-mode HTML in Shift_JIS.
IMODE_HTML = PageFormat("Shift_JIS", "text/html", "x-sjis-docomo", "x-sjis-docomo")
#: DoCoMo FOMA (DoCoMo/2.0, 3.0): XHTML must be application/xhtml+xml for CSS (CARRIERS.md).
IMODE_XHTML = PageFormat("Shift_JIS", "application/xhtml+xml", "x-sjis-docomo", "x-sjis-docomo")


_DOCOMO_RE = re.compile(
    r"""DoCoMo/(\d+)\.\d+
    (?: /([^/ (]+)                                     # mova: /P503i
        (?:/c(\d{1,4}))?(?:/T[A-Z])?                   #   /c20/TB
        (?:/W(\d{1,3})H(\d{1,3}))?                     #   /W20H10
        (?:/ser([0-9A-Za-z]{11}))?                     #   /serNMABH200331
        [^ (]*
      | \ (?:MST_v_)?([^ (;/]+)                        # FOMA: ' SH902i'
        (?: \( (?:c(\d{1,4}))?(?:;?T[A-Z])?            #   (c100;TB
               (?:;W(\d{1,3})H(\d{1,3}))?              #   ;W24H12
               (?:;?ser([0-9A-Za-z]{15}))?             #   ;ser0123456789abcde
               (?:;icc[0-9A-Za-z]{20})? \)             #   ;icc01234567890123456789)
          | \(([^()]*)\)                               #   fields in another order
        )?
    )?""",
    re.VERBOSE | re.ASCII,
)
_DOCOMO_FIELD_RE = re.compile(
    r"c(\d{1,4})|W(\d{1,3})H(\d{1,3})|ser([0-9A-Za-z]{15}|[0-9A-Za-z]{11})", re.ASCII
)


def docomo(ua: str, key: tuple) -> Terminal | None:
    """Return the terminal of a ``DoCoMo/`` UA, None if the rest is not i-mode's shape."""
    match = _DOCOMO_RE.match(ua)
    if match is None:
        return None
    version, model, cache, width, height, serial = match.group(1, 2, 3, 4, 5, 6)
    if model is None:
        model, cache, width, height, serial, fields = match.group(7, 8, 9, 10, 11, 12)
        if fields is not None:
            cache, width, height, serial = _fields(fields)
    major = int(version)
    model = DOCOMO_MODEL_FIXES.get(model, model)
    cache = int(cache) if cache else None
    chars = (int(width), int(height)) if width else None
    if major >= 3 or (major == 2 and (cache or 0) >= DOCOMO_BROWSER2_CACHE_KB):
        browser = "2.0LE" if model in DOCOMO_BROWSER2_LE_MODELS else "2.0"
        budget = DOCOMO_BROWSER2_PAGE_KB * KB
    else:
        browser = "1.0"
        cache_kb = cache or DOCOMO_DEFAULT_CACHE_KB
        budget = (min(cache_kb, DOCOMO_FOMA_MARKUP_KB) if major >= 2 else cache_kb) * KB
    is_crawler = match.end() < len(ua) and tokens.comment_is_crawler(ua, match.end())
    guid = key[headers.DCMGUID]
    return build(
        {
            "carrier": DOCOMO,
            "user_agent": ua,
            "model": model,
            "browser": browser,
            "is_crawler": is_crawler,
            "full_browser": False,
            "screen": None,
            "screen_chars": chars,
            "page_budget": budget,
            "cookies": browser != "1.0" and not is_crawler,
            "subscriber_id": guid and headers.subscriber_id(DOCOMO, guid),
            "serial": serial,
            "page_format": IMODE_XHTML if major >= 2 else IMODE_HTML,
        }
    )


def _fields(fields: str) -> tuple:
    """Return (cache, width, height, serial) from FOMA ``(...)`` fields in any order."""
    cache = width = height = serial = None
    for field in fields.split(";"):
        found = _DOCOMO_FIELD_RE.fullmatch(field)
        if found is None:
            continue
        if found[1]:
            cache = cache or found[1]
        elif found[2]:
            width, height = found[2], found[3]
        else:
            serial = found[4]
    return cache, width, height, serial
