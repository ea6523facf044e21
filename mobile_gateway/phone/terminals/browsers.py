"""Every UA without a carrier prefix: smartphones, PCs, carrier full browsers, W-ZERO3, crawlers."""

from __future__ import annotations

import re

from . import tokens
from .terminal import (
    AU,
    DEFAULTS,
    DOCOMO,
    FULL_PAGE_BYTES,
    KB,
    PC,
    SMARTPHONE,
    SOFTBANK,
    UNICODE_HTML,
    WILLCOM,
    Terminal,
    build,
)
from .willcom import WILLCOM_DEFAULT_CACHE_KB, WILLCOM_HTML

__all__ = ["other"]

#: DoCoMo full browser: ``Mozilla/4.08 (N905imyu_W;FOMA;c500;TB)``.
_FOMA_FULL_RE = re.compile(
    r"\((?P<model>[0-9A-Za-z_]+); ?FOMA; ?(?:c(?P<cache>\d{1,4}))?", re.ASCII
)
#: au PC-site browser: ``Mozilla/4.0 (compatible; MSIE 6.0; KDDI-CA3B) Opera 8.60 [ja]``.
_KDDI_FULL_RE = re.compile(
    r"KDDI-(?P<model>[0-9A-Za-z]+)\)(?: Opera (?P<version>[\d.]+))?", re.ASCII
)
#: SoftBank PC-site browser: ``Mozilla/... (<model>;SoftBank;...)``.
_SOFTBANK_FULL_RE = re.compile(r"\((?P<model>[0-9A-Za-z_-]+); ?SoftBank", re.ASCII)
#: WILLCOM W-ZERO3:
#: ``Mozilla/4.0 (compatible; MSIE 4.01; Windows CE; SHARP/WS007SH; PPC; 480x640)``.
_W_ZERO3_RE = re.compile(
    r"""MSIE\ (?P<version>[\d.]+);\ Windows\ CE;\ [A-Za-z]+/(?P<model>WS\d{3}[A-Z]{1,3})
    (?:;[^)]*?(?P<width>\d{3,4})x(?P<height>\d{3,4}))?""",
    re.VERBOSE | re.ASCII,
)
_ANDROID_MODEL_RE = re.compile(
    r"""Android[ -]?\d[\d.]*;(?:\ U;)?(?:\ [A-Za-z]{2}[-_][A-Za-z]{2};)?\ ?  # Android 2.3.4; ja-jp;
    (?P<model>[^;)]+?)(?:\ Build/[^;)]*)?[;)]                                # SBM009SH Build/S0008)
    """,
    re.VERBOSE | re.ASCII,
)
#: Android "models" that are not models: Firefox's ``Mobile``/``Tablet``, Chrome's reduced ``K``.
_NOT_ANDROID_MODELS = frozenset({"mobile", "tablet", "k", "wv", "linux"})


def other(ua: str) -> Terminal:
    """Return the terminal of a UA without a carrier prefix: smartphone, full browser or PC."""
    found = tokens.SCAN_RE.findall(ua.lower())
    kinds = {tokens.TOKENS[token] for token in found} if found else frozenset()
    is_crawler = tokens.CRAWLER in kinds
    if kinds - tokens.COMMON_KINDS:
        terminal = _full_browser(ua, kinds, is_crawler)
        if terminal is not None:
            return terminal
    smartphone = tokens.SMARTPHONE in kinds
    return build(
        {
            "carrier": SMARTPHONE if smartphone else PC,
            "user_agent": ua,
            "model": _smartphone_model(ua) if smartphone else None,
            "browser": None,
            "is_crawler": is_crawler,
            "full_browser": False,
            "screen": None,
            "screen_chars": None,
            "page_budget": FULL_PAGE_BYTES,
            "cookies": not is_crawler,
            "subscriber_id": None,
            "serial": None,
            "page_format": UNICODE_HTML,
        }
    )


def _full_browser(ua: str, kinds: set, is_crawler: bool) -> Terminal | None:
    """Return the terminal of a carrier full browser or a W-ZERO3 UA, else None."""
    values = {**DEFAULTS, "user_agent": ua, "is_crawler": is_crawler, "cookies": not is_crawler}
    if tokens.FOMA in kinds and (match := _FOMA_FULL_RE.search(ua)):
        values.update(carrier=DOCOMO, model=match["model"], full_browser=True)
        if match["cache"] and int(match["cache"]):
            values["page_budget"] = int(match["cache"]) * KB
    elif tokens.KDDI in kinds and (match := _KDDI_FULL_RE.search(ua)):
        values.update(carrier=AU, model=match["model"], full_browser=True)
        if match["version"]:
            values["browser"] = f"Opera/{match['version']}"
    elif tokens.SOFTBANK in kinds and (match := _SOFTBANK_FULL_RE.search(ua)):
        values.update(carrier=SOFTBANK, model=match["model"], full_browser=True)
    elif tokens.WINDOWS_CE in kinds and (match := _W_ZERO3_RE.search(ua)):
        values.update(
            carrier=WILLCOM,
            model=match["model"],
            browser=f"MSIE/{match['version']}",
            page_budget=WILLCOM_DEFAULT_CACHE_KB * KB,
            page_format=WILLCOM_HTML,
        )
        if match["width"]:
            values["screen"] = (int(match["width"]), int(match["height"]))
    else:
        return None
    return build(values)


def _smartphone_model(ua: str) -> str | None:
    """Return "iPad", "iPod", "iPhone" or the Android device name, when the UA says it."""
    for name in ("iPad", "iPod", "iPhone"):
        if name in ua:
            return name
    match = _ANDROID_MODEL_RE.search(ua)
    if match:
        model = match["model"].strip()
        if model and model.lower() not in _NOT_ANDROID_MODELS:
            return model
    return None
