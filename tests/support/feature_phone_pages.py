"""Every feature-phone page, rendered for every feature-phone test phone, for a check of bytes.

:func:`render_all` makes a fresh SQLite database for each phone, seeds the same data
(users, friendships, echoes, replies, a deleted echo, mentions, API tokens, feeds), and
walks the phone through every page type signed out and signed in: welcome, sign-in and
sign-up (with their errors), home (with news, confirmations, errors, the echo box off,
an empty home, a closed service period), archive and its older page, friends, removal,
search, the profile form, profiles in each friendship state, conversations, deleting,
replies, API tokens (also the page showing a new one), feeds, easy login, the sign-in
page after a session expired, the exit page and error pages.

Each page is recorded as its status, Content-Type and body bytes, with the parts that
change from run to run masked: session ids, CSRF and one-time post tokens, signed
tokens, new API tokens. Time is pinned: echoes are written at fixed moments before
:data:`NOW`, and the relative times of pages ("3分前") are computed from :data:`NOW`.

``tools/feature_phone_pages.py`` runs it from the command line (against any tree, to
record the bytes of ``main`` before a change); ``tests/phone/test_feature_phone_pages.py``
compares the bytes of the tree under test with the recorded ones.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa
from support.phones import FEATURE_PHONES, Phone
from support.settings import PASSWORD, test_config

from mobile_gateway import create_app
from mobile_gateway.accounts import passwords, users
from mobile_gateway.api import tokens
from mobile_gateway.echo import echoes, friends, profiles, service_period
from mobile_gateway.phone import template_helpers
from mobile_gateway.storage import db
from mobile_gateway.storage.models import AuthSession, FeedSubscription

__all__ = ["NOW", "PAGES_PER_PHONE", "digest", "mask", "render_all", "render_phone"]

#: The pinned "now" of every page (relative times are computed from it).
NOW = datetime(2009, 6, 1, 12, 0, tzinfo=timezone.utc)

#: What differs from run to run, and what it is masked as.
_MASKS = (
    # Session ids in URLs (also as "&amp;sid="), and hidden sid fields of GET forms.
    (re.compile(rb"sid=[A-Za-z0-9_\-]+"), b"sid=SID"),
    (re.compile(rb'name="sid" value="[^"]*"'), b'name="sid" value="SID"'),
    # CSRF tokens (the session's own, or signed for signed-out forms).
    (re.compile(rb'name="_csrf" value="[^"]*"'), b'name="_csrf" value="CSRF"'),
    # One-time post tokens and signed resume notes.
    (re.compile(rb'name="t" value="[^"]*"'), b'name="t" value="POST-TOKEN"'),
    (re.compile(rb'name="resume" value="[^"]*"'), b'name="resume" value="RESUME"'),
    # A new API token, and the last characters of it in the list of tokens.
    (re.compile(rb"mgp_[A-Za-z0-9_\-]{20,}"), b"mgp_NEW-TOKEN"),
    # Every token's last characters after "mgp_…" (the ellipsis in Shift_JIS or UTF-8).
    (re.compile(rb"mgp_(\x81\x63|\xe2\x80\xa6)[A-Za-z0-9_\-]{4}"), rb"mgp_\1LAST"),
)


def mask(body: bytes) -> bytes:
    """Return *body* with the parts that change from run to run replaced by fixed text."""
    for pattern, replacement in _MASKS:
        body = pattern.sub(replacement, body)
    return body


def digest(pages: dict[str, tuple[int, str, bytes]]) -> dict[str, dict]:
    """Return the record kept of *pages*: status, Content-Type, length and SHA-256 of each."""
    return {
        key: {
            "status": status,
            "content_type": content_type,
            "bytes": len(body),
            "sha256": hashlib.sha256(body).hexdigest(),
        }
        for key, (status, content_type, body) in sorted(pages.items())
    }


class _FrozenDatetime(datetime):
    """``datetime`` whose ``now()`` is :data:`NOW` (relative times on pages)."""

    @classmethod
    def now(cls, tz=None):
        return NOW if tz is None else NOW.astimezone(tz)


@contextmanager
def _pinned():
    """Pin the pages' relative times to :data:`NOW`; make password hashing cheap."""
    saved = template_helpers.datetime, passwords.SCRYPT_N
    template_helpers.datetime, passwords.SCRYPT_N = _FrozenDatetime, 2**4
    try:
        yield
    finally:
        template_helpers.datetime, passwords.SCRYPT_N = saved


# The data. --------------------------------------------------------------------------------
#: A token of taro's for the API, fixed so that its masked form is the same every run.
FIXED_TOKEN = "mgp_" + "Fixed0Token1For2The3Harness4Of5Pages6789abc"
LONG_ECHO = "長い" * 70 + "おしまい☀️"  # 149 characters with the " #01" each echo ends with


def _at(minutes: float) -> datetime:
    return NOW - timedelta(minutes=minutes)


def seed(app) -> dict:
    """Store the data every phone sees; return the ids the walk needs."""
    ids = {}
    with app.app_context():
        session = db.get_session()
        people = {}
        for name, display in (
            ("taro", "タロウ☀️"),
            ("hanako", "花子🌸"),
            ("kenji", None),
            ("sakura", "さくら"),
            ("eve", "<i>イヴ</i>&\"'"),
            ("jiro", None),
        ):
            people[name] = users.signup(session, name, PASSWORD, display_name=display)
        profiles.set_profile(
            session, people["taro"], "タロウ☀️", "東京で働いてます🗼 http://example.com/"
        )
        profiles.set_profile(session, people["hanako"], "花子🌸", '<b>カラオケ</b>大好き🎤&"')
        for a, b in (("taro", "hanako"), ("taro", "kenji"), ("hanako", "sakura")):
            friends.request(session, people[a], b)
            friends.accept(session, people[b], a)
        friends.request(session, people["sakura"], "taro")  # waiting for taro
        friends.request(session, people["taro"], "eve")  # taro's request to eve
        post = lambda who, body, minutes, **kw: echoes.post(  # noqa: E731
            session, people[who], body, now=_at(minutes), **kw
        )
        bodies = [
            "晴れ☀️曇り☁️雨☔雪⛄",
            "ビール🍺とハート❤️",
            "パーティー🥳（ドコモにない絵文字）",
            "家族👨‍👩‍👧と国旗🇯🇵と1️⃣と👍🏽",
            "<script>alert(\"x\")</script> & 'quotes' <b>太字</b>",
            "見て http://example.com/a?b=1&c=2 です",
            LONG_ECHO,
            "半角ｶﾀｶﾅと全角ＡＢＣ",
        ]
        minutes = 1.0
        for round_ in range(4):
            for i, body in enumerate(bodies):
                who = ("taro", "hanako", "kenji")[(i + round_) % 3]
                post(who, f"{body} #{round_}{i}", minutes)
                minutes += 37 if round_ < 2 else 1500  # minutes, hours, then days and dates
        karaoke = post("hanako", "カラオケ行く人〜🎵🎤", 5.5)
        post("taro", "行く！🙋", 4.5, reply_to=karaoke)
        post("kenji", "おれも", 3.5, reply_to=karaoke)
        post("hanako", "@taro 明日のカラオケ来る？🎤", 2.5)
        holiday = post("kenji", "明日は休みかも", 90)
        answer = post("taro", "いいなー、どこか行く？", 80, reply_to=holiday)
        echoes.delete(session, people["kenji"], holiday.id)
        post("sakura", "さくらです🌸よろしく", 60)
        post("eve", "ひとりごと", 30)
        for n in range(20):  # taro's older echoes: his profile has an older page everywhere
            post("taro", f"むかしのつぶやき{n}", 9000 + 60 * n)
        ids.update(karaoke=karaoke.id, answer=answer.id, own=answer.id)

        used = tokens.ensure(session, people["taro"], "読み取りボット", ["read"], FIXED_TOKEN)
        used.last_used_at = _at(125)
        tokens.ensure(session, people["taro"], "書き込み", ["read", "write"], FIXED_TOKEN[::-1])
        session.add_all(
            [
                FeedSubscription(
                    user_id=people["taro"].id,
                    url="https://blog.example.com/feed.atom?a=1&b=<2>",
                    created_at=_at(3000),
                    next_fetch_at=_at(0),
                    last_fetched_at=_at(5),
                    last_status="ok",
                    posted_count=3,
                ),
                FeedSubscription(
                    user_id=people["taro"].id,
                    url="https://example.org/rss",
                    created_at=_at(2000),
                    next_fetch_at=_at(0),
                    last_fetched_at=_at(65),
                    last_status="error",
                    last_error="タイムアウトしました",
                ),
            ]
        )
        session.commit()
    return ids


# The walk. --------------------------------------------------------------------------------
#: Names of the pages each phone records (the walk checks it records exactly these).
PAGES_PER_PHONE = (
    "welcome",
    "login",
    "login-refused",
    "signup",
    "signup-refused",
    "easy-login",
    "user-signed-out",
    "conversation-signed-out",
    "not-found",
    "exit",
    "exit-refused",
    "home",
    "home-posted",
    "home-empty-post",
    "home-too-long",
    "csrf-refused",
    "archive",
    "archive-older",
    "archive-friends",
    "replies",
    "home-after-replies",
    "friends",
    "friend-request-refused",
    "friend-remove",
    "search",
    "search-found",
    "search-none",
    "search-refused",
    "settings-profile",
    "settings-profile-refused",
    "user-self",
    "user-self-older",
    "user-friend",
    "user-incoming",
    "user-outgoing",
    "user-none",
    "conversation",
    "conversation-deleted-parent",
    "delete",
    "api-tokens",
    "api-token-made",
    "api-token-refused",
    "feeds",
    "feeds-refused",
    "easy-login-settings",
    "exit-signed-in",
    "echo-off",
    "echo-on",
    "session-expired",
    "signed-in-again",
    "signed-out",
    "home-quiet",
    "posting-closed",
    "closed",
)


class _Recorder:
    """Keeps the pages one phone received, by name."""

    def __init__(self, handset: Phone) -> None:
        self.handset = handset
        self.pages: dict[str, tuple[int, str, bytes]] = {}

    def __call__(self, name: str) -> None:
        if name in self.pages:
            raise AssertionError(f"page {name!r} recorded twice")
        response = self.handset.response
        self.pages[name] = (
            response.status_code,
            response.headers.get("Content-Type", ""),
            mask(response.get_data()),
        )


def _expire_sessions(app) -> None:
    """End every session (as the idle timeout would), keeping the phones' ids."""
    with app.app_context():
        session = db.get_session()
        session.execute(sa.delete(AuthSession))
        session.commit()


def _set_period(app, **kwargs) -> None:
    with app.app_context():
        service_period.set_period(db.get_session(), **kwargs)


def _walk(app, handset: Phone, ids: dict) -> dict[str, tuple[int, str, bytes]]:
    """Take *handset* through every page; return what it received."""
    record = _Recorder(handset)
    h = handset
    h.get("/")
    record("welcome")
    h.click("ログイン")
    record("login")
    h.submit({"name": "taro", "password": "wrong-password-1"}, "/login")
    record("login-refused")
    h.get("/")
    h.click("新規登録")
    record("signup")
    h.submit({"name": "no good", "password": PASSWORD}, "/signup")
    record("signup-refused")
    h.get("/easy-login")
    record("easy-login")
    h.get("/u/hanako")
    record("user-signed-out")
    h.get(f"/echo/{ids['karaoke']}")
    record("conversation-signed-out")
    h.get("/no/such/page")
    record("not-found")
    h.get("/exit?url=http%3A%2F%2Fexample.com%2Fa%3Fb%3D1%26c%3D2")
    record("exit")
    h.get("/exit?url=javascript%3Aalert(1)")
    record("exit-refused")

    h.sign_in("taro")
    record("home")
    h.submit({"body": "ハーネスから☀️"}, "/echo")
    record("home-posted")
    h.submit({"body": "   "}, "/echo")
    record("home-empty-post")
    h.submit({"body": "あ" * 151}, "/echo")
    record("home-too-long")
    h.get(h.home_url())
    h.submit({"body": "CSRFなし"}, "/echo", drop=("_csrf",))
    record("csrf-refused")

    h.visit("/archive")
    record("archive")
    h.click("古い")
    record("archive-older")
    h.visit("/archive?only=friends")
    record("archive-friends")
    h.visit("/replies")
    record("replies")
    h.visit("/")
    record("home-after-replies")
    h.visit("/friends")
    record("friends")
    h.submit({"name": "nobody"}, "/friends")
    record("friend-request-refused")
    h.visit("/friends/remove/kenji")
    record("friend-remove")
    h.visit("/search")
    record("search")
    h.submit({"q": "ﾊﾅ"}, "/search")
    record("search-found")
    h.visit("/search")
    h.submit({"q": "だれもいない"}, "/search")
    record("search-none")
    h.visit("/search")
    h.submit({"q": "な" * 21}, "/search")
    record("search-refused")
    h.visit("/settings/profile")
    record("settings-profile")
    h.submit({"display_name": "長" * 41}, "/settings/profile")
    record("settings-profile-refused")
    h.visit("/u/taro")
    record("user-self")
    h.click("古い")
    record("user-self-older")
    for name, page in (
        ("hanako", "user-friend"),
        ("sakura", "user-incoming"),
        ("eve", "user-outgoing"),
        ("jiro", "user-none"),
    ):
        h.visit(f"/u/{name}")
        record(page)
    h.visit(f"/echo/{ids['karaoke']}")
    record("conversation")
    h.visit(f"/echo/{ids['answer']}")
    record("conversation-deleted-parent")
    h.visit(f"/echo/{ids['own']}/delete")
    record("delete")
    h.visit("/settings/api")
    record("api-tokens")
    h.submit({"name": "電話から", "read": "on"}, "/settings/api")
    record("api-token-made")
    h.visit("/settings/api")
    h.submit({"name": ""}, "/settings/api")
    record("api-token-refused")
    h.visit("/settings/feeds")
    record("feeds")
    h.submit({"url": "ftp://example.com/feed"}, "/settings/feeds")
    record("feeds-refused")
    h.visit("/settings/easy-login")
    record("easy-login-settings")
    h.visit("/exit?url=https%3A%2F%2Fexample.org%2F")
    record("exit-signed-in")
    h.visit("/")
    h.submit({}, "/settings/echo")  # the form that turns Echo off
    record("echo-off")
    h.submit({}, "/settings/echo")  # and on again
    record("echo-on")

    h.visit("/")
    _expire_sessions(app)
    h.submit({"body": "打ちかけのエコー☔"}, "/echo")
    record("session-expired")
    h.submit({"name": "taro", "password": PASSWORD}, "/login")
    record("signed-in-again")
    h.sign_out()
    record("signed-out")

    h.sign_in("jiro")
    record("home-quiet")
    _set_period(app, start=None, end=datetime(2009, 5, 31, 0, 0), reading_after_end="open")
    h.visit("/")
    record("posting-closed")
    _set_period(app, start=None, end=datetime(2009, 5, 31, 0, 0), reading_after_end="closed")
    h.visit("/")
    record("closed")
    missing = set(PAGES_PER_PHONE) ^ set(record.pages)
    if missing:
        raise AssertionError(f"pages not walked as listed: {sorted(missing)}")
    return record.pages


def render_phone(name: str, template_db: Path, workdir: Path) -> dict[str, tuple[int, str, bytes]]:
    """Walk phone *name* through every page on a copy of the migrated *template_db*."""
    path = workdir / f"{name}.sqlite3"
    shutil.copyfile(template_db, path)
    url = sa.URL.create("sqlite", database=str(path))
    app = create_app(test_config(url))
    try:
        ids = seed(app)
        pages = _walk(app, Phone(app, name), ids)
    finally:
        db.get_engine(app).dispose()
    return {f"{name}/{page}": value for page, value in pages.items()}


def render_all(phones=FEATURE_PHONES) -> dict[str, tuple[int, str, bytes]]:
    """Return every page of every phone in *phones*: ``"phone/page" -> (status, type, body)``."""
    pages = {}
    with tempfile.TemporaryDirectory(prefix="mg-pages-") as folder, _pinned():
        workdir = Path(folder)
        template_db = workdir / "migrated.sqlite3"
        db.upgrade(sa.URL.create("sqlite", database=str(template_db)))
        for name in phones:
            pages.update(render_phone(name, template_db, workdir))
    return pages
