"""A text-fallback name with markup or invisible characters is refused on every path.

The console, the ``emoji add`` command and CSV imports (console and command) all review a
change through the same row checks; each is tried here with a hostile name, and nothing
is saved.
"""

from __future__ import annotations

import pytest
from support.console import hidden_fields

import carrier_emoji
from mobile_gateway.operators import emoji_layer, emoji_review
from mobile_gateway.storage import db

HOSTILE = "<svg/onload=alert()>"
SUN = "\u2600\ufe0f"
#: Names refused, one character class each: markup, quotes, invisible characters.
BAD_NAMES = [
    HOSTILE,
    "晴れ&曇り",
    'a"b',
    "a'b",
    "晴>れ",
    "晴\u200bれ",  # zero-width space
    "晴\u202eれ",  # right-to-left override
    "晴\ufeffれ",  # zero-width no-break space
    "   ",
]


def layer_keys(app) -> set[str]:
    """Return the keys of the operators' layer rows in the app's database."""
    with app.app_context():
        return set(emoji_layer.load_layer(db.get_session()))


@pytest.mark.parametrize("name", BAD_NAMES)
def test_review_refuses(name):
    """The row check every path shares refuses the name and says what is allowed."""
    row = carrier_emoji.current_index().by_key[SUN]._replace(name_ja=name)
    result = emoji_review.review({}, {SUN: row})
    assert not result.ok
    assert any("markup characters" in problem for problem in result.problems), result.problems


def test_plain_japanese_name_accepted():
    """The control: a name of kana, kanji and spaces passes."""
    row = carrier_emoji.current_index().by_key[SUN]._replace(name_ja="よい 天気")
    assert emoji_review.review({}, {SUN: row}).ok


def test_cli_add_refuses(app):
    """``emoji add`` with a hostile name exits 1 and saves nothing."""
    result = app.test_cli_runner().invoke(
        args=[
            *("emoji", "add", "--carrier", "docomo", "--code", "F94A", "--name-ja", HOSTILE),
            *("--reason", "名前を付ける"),
        ]
    )
    assert result.exit_code == 1 and "markup characters" in result.output
    assert layer_keys(app) == set()


def test_cli_import_refuses(app, tmp_path):
    """``emoji import`` of a CSV row with a hostile name imports nothing."""
    path = tmp_path / "layer.csv"
    path.write_text(f"key,name_ja\n☀️,太陽\nU+1016A6,{HOSTILE}\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(
        args=["emoji", "import", str(path), "--reason", "一括登録"]
    )
    assert result.exit_code != 0 and "markup characters" in result.output
    assert layer_keys(app) == set()


def test_console_refuses(operator, sqlite_app):
    """The console's preview refuses the name, and a forged save is refused too."""
    response = operator.post(
        "/admin/emoji/preview",
        {
            "op": "carrier_only",
            "carrier": "docomo",
            "code": "F94A",
            "means": "",
            "name_ja": HOSTILE,
        },
    )
    assert response.status_code == 422 and "markup characters" in response.text
    assert 'id="save"' not in response.text
    good = operator.post(
        "/admin/emoji/preview",
        {"op": "carrier_only", "carrier": "docomo", "code": "F94A", "means": "", "name_ja": "輪"},
    )
    fields = hidden_fields(good.text, "/admin/emoji/save")
    forged = {k: v.replace("輪", HOSTILE) for k, v in fields.items()}
    assert forged != fields
    response = operator.post("/admin/emoji/save", forged)
    assert response.status_code >= 400
    assert layer_keys(sqlite_app) == set()


def test_console_import_refuses(operator, sqlite_app):
    """A CSV pasted into the console with a hostile name imports nothing."""
    csv = f"key,name_ja\nU+1016A6,{HOSTILE}\n"
    response = operator.post("/admin/import", {"csv": csv, "run": "yes"})
    assert response.status_code == 422 and "markup characters" in response.text
    assert layer_keys(sqlite_app) == set()
