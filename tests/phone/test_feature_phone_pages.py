"""Feature-phone pages stay byte for byte as they were recorded (before smartphone designs).

``feature_phone_pages.json`` was recorded from ``main`` before the smartphone and PC
designs (issue 13) with ``tools/feature_phone_pages.py --write``; see that tool to
record another tree or dump the pages for a diff.
"""

import json
from pathlib import Path

from support import feature_phone_pages
from support.phones import FEATURE_PHONES

RECORD = Path(__file__).with_name("feature_phone_pages.json")


def test_every_feature_phone_page_is_unchanged():
    """Every page type, for every feature-phone test phone, has the recorded bytes."""
    expected = json.loads(RECORD.read_text())
    pages = feature_phone_pages.digest(feature_phone_pages.render_all())
    assert sorted(pages) == sorted(expected)
    differing = [key for key in expected if pages[key] != expected[key]]
    assert not differing, (
        f"{len(differing)} feature-phone pages changed, e.g. {differing[:5]}; compare "
        "`tools/feature_phone_pages.py --dump DIR` of this tree and of main"
    )


def test_the_record_covers_every_page_of_every_feature_phone():
    """The record holds each page of the walk for each feature phone, and they differ."""
    expected = json.loads(RECORD.read_text())
    assert set(expected) == {
        f"{phone}/{page}"
        for phone in FEATURE_PHONES
        for page in feature_phone_pages.PAGES_PER_PHONE
    }
    # Each phone got pages of its own (encodings, budgets, input modes differ).
    archives = {expected[f"{phone}/archive"]["sha256"] for phone in FEATURE_PHONES}
    assert len(archives) == len(FEATURE_PHONES)
