"""au/KDDI EZweb: ``KDDI-<device> UP.Browser/<v>`` (WAP 2), ``UP.Browser/<v>-<device>`` (WAP 1)."""

from __future__ import annotations

import re

from . import headers, tokens
from .terminal import AU, KB, PageFormat, Terminal, build

__all__ = ["EZWEB_HTML", "au"]

#: au WAP 2.0 (``KDDI-``) without ``X-UP-DEVCAP-MAX-PDU``: 9 KB. Not in CARRIERS.md (which lists
#: the X-UP-DEVCAP-* headers only); value from the project brief.
AU_WAP2_PAGE_BYTES = 9 * KB
#: au WAP 1.0 (``UP.Browser/3``) without ``X-UP-DEVCAP-MAX-PDU``: 7.5 KB. As above: brief.
AU_WAP1_PAGE_BYTES = 7680
#: A believable ``X-UP-DEVCAP-MAX-PDU`` (bytes); outside this the default above is used.
AU_MAX_PDU_RANGE = (1 * KB, 10 * 1024 * KB)
#: au EZweb: Shift_JIS only officially (CARRIERS.md).
EZWEB_HTML = PageFormat("Shift_JIS", "text/html", "x-sjis-kddi", "x-sjis-kddi")


_AU_RE = re.compile(
    r"""(?: KDDI-([0-9A-Za-z]+)                          # WAP 2.0: KDDI-CA32
          (?:\ (UP\.Browser/[^ (]+)(?:\ \(GUI\))?)?     #   UP.Browser/6.2.0.7.3.129 (GUI)
      | (UP\.Browser/\d[\d.]*)(?:-([0-9A-Za-z]+))?     # WAP 1.0: UP.Browser/3.04-TST4
    )""",
    re.VERBOSE | re.ASCII,
)


def au(ua: str, key: tuple) -> Terminal | None:
    """Return the terminal of a ``KDDI-`` or ``UP.Browser/`` UA, with its X-UP-* headers."""
    match = _AU_RE.match(ua)
    if match is None:
        return None
    wap2_device, wap2_browser, wap1_browser, wap1_device = match.groups()
    budget = AU_WAP1_PAGE_BYTES if wap2_device is None else AU_WAP2_PAGE_BYTES
    if key[headers.MAX_PDU] is not None and (pdu := headers.NUMBER_RE.match(key[headers.MAX_PDU])):
        if AU_MAX_PDU_RANGE[0] <= int(pdu[1]) <= AU_MAX_PDU_RANGE[1]:
            budget = int(pdu[1])
    is_crawler = match.end() < len(ua) and tokens.comment_is_crawler(ua, match.end())
    return build(
        {
            "carrier": AU,
            "user_agent": ua,
            "model": wap1_device if wap2_device is None else wap2_device,
            "browser": wap1_browser if wap2_device is None else wap2_browser,
            "is_crawler": is_crawler,
            "full_browser": False,
            "screen": headers.pixels(key[headers.PIXELS]),
            "screen_chars": None,
            "page_budget": budget,
            "cookies": not key[headers.SECURE] and not is_crawler,
            "subscriber_id": key[headers.SUBNO] and headers.subscriber_id(AU, key[headers.SUBNO]),
            "serial": None,
            "page_format": EZWEB_HTML,
        }
    )
