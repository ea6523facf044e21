"""The tokens of a User-Agent that name a crawler, a smartphone or a carrier's full browser.

A UA without a carrier prefix is scanned once, lower-cased, with one regex (a trie of the
tokens); a carrier handset's UA is scanned only in the comment after its own part, for a
crawler posing as the handset.
"""

from __future__ import annotations

import re

__all__ = ["COMMON_KINDS", "CRAWLER", "SCAN_RE", "SMARTPHONE", "TOKENS", "comment_is_crawler"]

CRAWLER, SMARTPHONE, FOMA, KDDI, SOFTBANK, WINDOWS_CE = range(6)
#: Lower-case UA tokens and what they mean. Crawler and transcoder tokens come from CARRIERS.md
#: (Googlebot-Mobile, Y!J-SRD/MBS, ichiro/mobile goo, moba-crawler, LD_mobile_bot,
#: BaiduMobaider, froute/symphonybot, Google CHTML/WAP Proxy, *-Mobile-Gateway) and the usual
#: PC bots; a UA carrying a URL (``http://``) is a bot too. ``None`` marks look-alikes to skip.
TOKENS = {
    # Crawlers and transcoding gateways.
    "bot": CRAWLER,  # Googlebot, bingbot, msnbot, YandexBot, LD_mobile_bot, symphonybot, AhrefsBot
    "crawl": CRAWLER,  # moba-crawler, MSIECrawler, Y!J-BRJ/YATS crawler
    "spider": CRAWLER,  # Baiduspider, Sogou web spider
    "slurp": CRAWLER,  # Yahoo! Slurp
    "http://": CRAWLER,
    "https://": CRAWLER,
    "mobaider": CRAWLER,  # BaiduMobaider
    "ichiro": CRAWLER,  # ichiro/mobile goo
    "mobile goo": CRAWLER,
    "froute": CRAWLER,
    "y!j-": CRAWLER,  # Y!J-SRD, Y!J-MBS, Y!J-BRJ
    "yahooseeker": CRAWLER,
    "yahoo pipes": CRAWLER,
    "-google": CRAWLER,  # Mediapartners-Google, AppEngine-Google, Feedfetcher-Google
    "google web preview": CRAWLER,
    "chtml proxy": CRAWLER,  # Google CHTML Proxy
    "wap proxy": CRAWLER,  # Google WAP Proxy
    "mobile-gateway": CRAWLER,  # Hatena-Mobile-Gateway, livedoor-Mobile-Gateway
    "bingpreview": CRAWLER,
    "fetcher": CRAWLER,  # livedoor FeedFetcher, Fastladder FeedFetcher
    "facebookexternalhit": CRAWLER,
    "hatena": CRAWLER,  # Hatena Antenna, Hatena Diary RSS
    "mixi-": CRAWLER,  # mixi-check, mixi-crawler
    "yeti/": CRAWLER,  # Naver
    "nutch": CRAWLER,
    "heritrix": CRAWLER,
    "archiver": CRAWLER,  # ia_archiver
    "ask jeeves": CRAWLER,
    "indy library": CRAWLER,
    "rainmeter": CRAWLER,
    "apple-pubsub": CRAWLER,
    "feedburner": CRAWLER,
    "gooblogsearch": CRAWLER,
    "summify": CRAWLER,
    "postrank": CRAWLER,
    "unwindfetchor": CRAWLER,
    "rome client": CRAWLER,
    "feedparser": CRAWLER,
    "feed parser": CRAWLER,
    "watchdog": CRAWLER,
    "watch dog": CRAWLER,
    "cubot": None,  # an Android phone brand, not a bot
    # Smartphones and tablets.
    "iphone": SMARTPHONE,
    "ipod": SMARTPHONE,
    "ipad": SMARTPHONE,
    "android": SMARTPHONE,
    "windows phone": SMARTPHONE,
    "iemobile": SMARTPHONE,
    "blackberry": SMARTPHONE,
    "bb10": SMARTPHONE,
    "playbook": SMARTPHONE,
    "webos": SMARTPHONE,
    "hpwos": SMARTPHONE,
    "symbian": SMARTPHONE,
    "series60": SMARTPHONE,
    "opera mini": SMARTPHONE,
    "opera mobi": SMARTPHONE,
    "mobile safari": SMARTPHONE,
    "fennec": SMARTPHONE,
    "(mobile;": SMARTPHONE,  # Firefox OS
    "(tablet;": SMARTPHONE,
    "kindle": SMARTPHONE,
    "silk/": SMARTPHONE,
    "tizen": SMARTPHONE,
    # Carrier full browsers and WILLCOM's Windows CE handsets (confirmed by a regex).
    "foma": FOMA,
    "kddi-": KDDI,
    "softbank": SOFTBANK,
    "windows ce": WINDOWS_CE,
}


def _alternation(words) -> str:
    """Return a regex matching any of *words*, factored as a trie so each position is cheap."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict) -> str:
        """Return the regex for the words below *node*."""
        branches = [re.escape(char) + emit(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        group = "(?:" + "|".join(branches) + ")"
        if "" in node:  # a word ends here: the rest is optional
            return group + "?"
        return branches[0] if len(branches) == 1 else group

    return emit(trie)


SCAN_RE = re.compile(_alternation(TOKENS))
#: Kinds that need no second look; any other kind found is confirmed by :func:`_full_browser`.
COMMON_KINDS = frozenset({CRAWLER, SMARTPHONE, None})


def comment_is_crawler(ua: str, end: int) -> bool:
    """Whether a handset UA names a crawler in the comment after its own part (ending at *end*).

    Crawlers posing as handsets append ``(compatible; Googlebot-Mobile/2.1; ...)``,
    ``(symphonybot1.froute.jp; ...)`` or ``(Google CHTML Proxy/1.0)``: look from the first
    parenthesis on.
    """
    start = ua.find("(", end)
    if start < 0:
        return False
    return any(TOKENS[token] == CRAWLER for token in SCAN_RE.findall(ua.lower(), start))
