"""SoftBank, Vodafone and J-PHONE handsets, and the Motorola models SoftBank sold (``MOT-``)."""

from __future__ import annotations

import re

from . import headers, tokens
from .terminal import KB, SOFTBANK, PageFormat, Terminal, build

__all__ = ["JPHONE_HTML", "SOFTBANK_3G_HTML", "softbank"]

#: SoftBank 3G (``SoftBank/``, ``Vodafone/``, ``MOT-``): 300 KB. Not in CARRIERS.md; brief.
SOFTBANK_3G_PAGE_KB = 300
#: J-PHONE/5.0 and later (type W): 12 KB. Not in CARRIERS.md; brief.
JPHONE_W_PAGE_KB = 12
#: Older J-PHONE (types C and P): 6 KB. Not in CARRIERS.md; brief.
JPHONE_PAGE_KB = 6
#: SoftBank 3G: UTF-8 with SoftBank PUA emoji (CARRIERS.md, "everyone serves UTF-8 to 3G").
SOFTBANK_3G_HTML = PageFormat("UTF-8", "text/html", "x-utf8-softbank", "x-utf8-softbank")
#: J-PHONE (2G): Shift_JIS; webcode escapes in pages, both forms decode from forms.
JPHONE_HTML = PageFormat("Shift_JIS", "text/html", "x-sjis-softbank-webcode", "x-sjis-softbank")


_SOFTBANK_RE = re.compile(
    r"""(?: (SoftBank|Vodafone|J-PHONE|J-Phone|J-EMULATOR|[SV]emulator)/(\d+)\.\d+
            (?:/([^/ (]+)                              # /910T
               (?:/(?!SN)[^/ (]*)?                     #   /TJ001 (maker, version)
               (?:/SN([0-9A-Za-z]{1,20}))?[^ (]*       #   /SN000000000000000
               (?:\ Browser/([^ (]+))?                 #   Browser/NetFront/3.3
            )?
      | MOT-([0-9A-Za-z]+)                             # MOT-V980/80.2B.04I
    )""",
    re.VERBOSE | re.ASCII,
)
#: UA names of SoftBank 3G handsets (None: ``MOT-``); the rest (J-PHONE) are 2G.
_SOFTBANK_3G_NAMES = frozenset({"SoftBank", "Vodafone", "Semulator", "Vemulator", None})


def softbank(ua: str, key: tuple) -> Terminal | None:
    """Return the terminal of a SoftBank, Vodafone, J-PHONE or Motorola (``MOT-``) UA."""
    match = _SOFTBANK_RE.match(ua)
    if match is None:
        return None
    name, version, model, serial, browser, motorola = match.groups()
    if motorola is not None:  # MOT-V980: the model is in X-JPHONE-MSNAME, else "V980"
        msname = key[headers.MSNAME] and key[headers.MSNAME].strip()
        model = msname if msname and headers.MSNAME_RE.fullmatch(msname) else motorola
    if name in _SOFTBANK_3G_NAMES:
        budget, cookies, page_format = SOFTBANK_3G_PAGE_KB * KB, True, SOFTBANK_3G_HTML
    elif int(version) >= 5:
        budget, cookies, page_format = JPHONE_W_PAGE_KB * KB, True, JPHONE_HTML
    else:
        budget, cookies, page_format = JPHONE_PAGE_KB * KB, False, JPHONE_HTML
    is_crawler = match.end() < len(ua) and tokens.comment_is_crawler(ua, match.end())
    uid = key[headers.JPHONE_UID]
    return build(
        {
            "carrier": SOFTBANK,
            "user_agent": ua,
            "model": model,
            "browser": browser,
            "is_crawler": is_crawler,
            "full_browser": False,
            "screen": headers.pixels(key[headers.JPHONE_DISPLAY]),
            "screen_chars": None,
            "page_budget": budget,
            "cookies": cookies and not is_crawler,
            "subscriber_id": uid and headers.subscriber_id(SOFTBANK, uid),
            "serial": serial,
            "page_format": page_format,
        }
    )
