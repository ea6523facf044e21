"""Smartphone and PC pages: one stylesheet and one small script, by content hash, cached a year.

What a browser is served, read through the request path (the layout itself is checked
in a real browser: ``test_design_in_chromium.py``). Feature phones get none of it.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from importlib.resources import files

import pytest
from support.phones import FEATURE_PHONES, SCRIPT_RE

from mobile_gateway.phone import assets

FULL_BROWSER = "Mozilla/4.08 (N905imyu_W;FOMA;c500;TB)"
#: Link and script elements of a page.
ASSET_RE = re.compile(r'<link rel="stylesheet" href="([^"]+)"/>|<script src="([^"]+)" defer>')


def asset_urls(text: str) -> tuple[list[str], list[str]]:
    """Return the stylesheet and script URLs a page loads."""
    found = ASSET_RE.findall(text)
    return [css for css, _ in found if css], [js for _, js in found if js]


def source(name: str) -> bytes:
    """Return the shipped file *name* of ``templates_mobile/static``."""
    return files("templates_mobile").joinpath("static", name).read_bytes()


@pytest.fixture
def timeline(store):
    """Alice and her friend bob with 60 echoes (emoji, URLs, mentions, markup), newest last."""
    store.user("alice")
    store.user("bob")
    store.befriend("alice", "bob")
    bodies = [
        "晴れ☀️のち雨☔ 家族👨‍👩‍👧と🇯🇵",
        "見て http://example.com/a?b=1&c=2 おもしろい",
        "@alice 明日のカラオケ来る？🎤",
        '<b>太字</b> & "quotes"',
        "長い" * 70 + "おしまい☀️",
    ]
    return [
        store.echo("bob" if n % 2 else "alice", bodies[n % 5], minutes_ago=400 - n)
        for n in range(60)
    ]


class TestStylesheetAndScript:
    """The files are served from this site under their content hash, for a year."""

    @pytest.mark.parametrize("name", ["iphone", "pc"])
    def test_page_links_them_by_content_hash(self, signed_in, name):
        """Home links one stylesheet and one script; their URLs carry their SHA-256."""
        handset = signed_in(name, "alice")
        handset.get("/")
        (css,), (js,) = asset_urls(handset.text)
        for url, file in ((css, "echo.css"), (js, "echo.js")):
            digest = hashlib.sha256(source(file)).hexdigest()[: assets.HASH_DIGITS]
            stem, ext = file.split(".")
            assert url == f"/assets/{stem}.{digest}.{ext}"

    def test_served_with_a_year_of_cache_and_their_type(self, phone):
        """Each file comes back as it is shipped, immutable for a year, with its media type."""
        handset = phone("pc")
        handset.get("/login")
        (css,), _ = asset_urls(handset.text)
        response = handset.client.get(css)
        assert response.status_code == 200
        assert response.data == source("echo.css")
        assert response.headers["Content-Type"] == "text/css; charset=utf-8"
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        js_url = css.replace("echo.", "", 1)  # not a name it serves
        assert handset.client.get(js_url).status_code == 404

    def test_gzip_when_accepted(self, phone):
        """A browser that accepts gzip gets the file compressed, the same bytes inside."""
        handset = phone("iphone")
        handset.get("/login")
        (css,), _ = asset_urls(handset.text)
        response = handset.client.get(css, headers={"Accept-Encoding": "gzip, deflate, br"})
        assert response.headers["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response.headers["Vary"]
        assert gzip.decompress(response.data) == source("echo.css")
        assert len(response.data) < len(source("echo.css")) / 2
        refused = handset.client.get(css, headers={"Accept-Encoding": "gzip;q=0"})
        assert "Content-Encoding" not in refused.headers

    def test_conditional_request_answered_304(self, phone):
        """A browser that asks again with the ETag gets 304 and no body."""
        handset = phone("pc")
        handset.get("/login")
        (css,), _ = asset_urls(handset.text)
        etag = handset.client.get(css).headers["ETag"]
        again = handset.client.get(css, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.data == b""

    @pytest.mark.parametrize(
        "path",
        [
            "/assets/echo.000000000000.css",  # an old hash
            "/assets/echo.css",  # no hash
            "/assets/../echo.css",
            "/assets/%2e%2e%2fconfig.py",
            "/assets/" + "a" * 5000,
        ],
    )
    def test_other_names_are_not_found(self, phone, path):
        """Only the current hashed names are served: anything else is a 404 page."""
        handset = phone("pc")
        handset.get(path)
        assert handset.status == 404
        assert "ページが見つかりません" in handset.text

    def test_small_and_self_contained(self):
        """Both files are small, load nothing from elsewhere (no fonts, no CDN)."""
        css, js = source("echo.css"), source("echo.js")
        assert len(css) <= 12 * 1024 and len(js) <= 3 * 1024
        assert b"@import" not in css and b"url(" not in css and b"@font-face" not in css
        assert b"http" not in css and b"http" not in js
        assert b"prefers-color-scheme: dark" in css

    def test_script_only_where_there_is_a_post_box(self, signed_in, phone):
        """The counter script loads on pages with a post box; the others load only the CSS."""
        handset = signed_in("pc", "alice")
        for path, scripts in (("/", 1), ("/archive", 0), ("/friends", 0), ("/settings/api", 0)):
            handset.get(path)
            styles, found = asset_urls(handset.text)
            assert (len(styles), len(found)) == (1, scripts), path
        visitor = phone("pc")
        for path in ("/", "/login", "/signup", "/no/such/page"):
            visitor.get(path)
            assert [len(found) for found in asset_urls(visitor.text)] == [1, 0], path


class TestPages:
    """Smartphone and PC pages: the strict policy holds, and nothing inline needs it loosened."""

    @pytest.mark.parametrize("name", ["iphone", "pc"])
    def test_no_inline_script_or_style_element(self, signed_in, timeline, name):
        """No <style>, no inline <script>, no style attribute, no event handler attribute."""
        handset = signed_in(name, "alice", create=False)
        for path in ("/", "/archive", f"/echo/{timeline[-1]}", "/u/bob", "/friends", "/search"):
            handset.visit(path)
            raw = handset.raw
            assert not SCRIPT_RE.search(raw), path
            assert b"<style" not in raw and b" style=" not in raw, path
            assert not re.search(rb"<[^>]+\son[a-z]+=", raw), path
            policy = handset.response.headers["Content-Security-Policy"]
            assert "script-src 'self'" in policy and "style-src 'self'" in policy
            assert "unsafe-inline" not in policy.replace("style-src-attr 'unsafe-inline'", "")

    def test_full_browser_gets_the_designed_pages(self, phone):
        """A handset's PC-site browser renders like a PC: the design, not the handset page."""
        handset = phone("pc", **{"User-Agent": FULL_BROWSER})
        handset.get("/")
        assert asset_urls(handset.text)[0] and 'name="viewport"' in handset.text

    @pytest.mark.parametrize("name", FEATURE_PHONES)
    def test_feature_phones_get_no_stylesheet_or_script(self, signed_in, timeline, name):
        """Feature-phone pages stay as they were: inline styles, no stylesheet, no script."""
        handset = signed_in(name, "alice", create=False)
        for path in ("/", "/archive", "/friends"):
            handset.visit(path)
            assert b"/assets/" not in handset.raw and b"<link" not in handset.raw, path
            assert b"<script" not in handset.raw.lower(), path
            assert b"<textarea" not in handset.raw, path

    @pytest.mark.parametrize("name", ["iphone", "pc"])
    def test_twenty_five_echoes_stay_small(self, signed_in, timeline, name):
        """An archive and a profile page of 25 echoes stay under 24 KB (6 KB gzipped)."""
        handset = signed_in(name, "alice", create=False)
        for path in ("/archive", "/u/bob"):
            handset.visit(path)
            assert len(handset.echo_ids()) == 25, path
            assert len(handset.raw) <= 24 * 1024, (path, len(handset.raw))
            assert len(gzip.compress(handset.raw)) <= 6 * 1024, path

    def test_times_say_when_in_japanese(self, signed_in, store):
        """An echo says how long ago, with the moment in Japan time for the machine and reader."""
        store.user("alice")
        store.echo("alice", "さっき", minutes_ago=3)
        handset = signed_in("pc", "alice", create=False)
        time = re.search(r'<time datetime="([^"]+)" title="([^"]+)">([^<]+)</time>', handset.text)
        assert time[3] == "3分前"
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d\+09:00", time[1])
        year, month, day = time[1][:10].split("-")
        assert time[2].startswith(f"{int(year)}年{int(month)}月{int(day)}日(")

    def test_post_box_comes_first_and_counts_without_script(self, signed_in, timeline):
        """The post box is the page's first form in the main column, says 150, and keeps text."""
        handset = signed_in("iphone", "alice", create=False)
        main = handset.text.split("<main", 1)[1]
        assert main.index('<textarea id="body" name="body"') < main.index("<article")
        assert '<output id="count" class="count" for="body">150文字まで</output>' in main
        handset.submit({"body": "あ" * 151}, "/echo")
        assert handset.status == 400 and "150文字以内で入力してください" in handset.text
        assert handset.form("/echo").control("body")[1] == "あ" * 151
