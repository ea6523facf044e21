"""The ``demo`` command: demo users, friends and echoes, including each carrier's emoji.

Signed in as taro, the demo shows each social feature at once: the home page's news line
(replies and mentions, sakura's pending friend request), conversations (the karaoke
thread; kenji's deleted echo, "削除されました" above taro's answer), ``@name`` links,
display names and one-line profiles, friends of friends on the friends page.
"""

from __future__ import annotations

import random
from datetime import timedelta

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

import carrier_emoji  # noqa: F401  (registers the codecs the demo decodes with)

from ..accounts import users
from ..api import tokens
from ..echo import echoes, friends, mentions, profiles
from ..echo.text import clean_body
from ..storage import db
from ..storage.models import Echo, User, utcnow

__all__ = [
    "DEMO_CARRIER_ECHOES",
    "DEMO_ECHOES",
    "DEMO_FRIENDS",
    "DEMO_TOKEN_USER",
    "DEMO_USERS",
    "demo_command",
    "demo_token",
    "seed",
]

#: Demo users: (name, display name, password). The passwords are printed by ``demo``.
DEMO_USERS = (
    ("taro", "たろう", "taro-echo-2009"),
    ("hanako", "はなこ", "hanako-echo-2009"),
    ("kenji", "けんじ", "kenji-echo-2009"),
    ("yuki", "ゆき", "yuki-echo-2009"),
    ("sakura", "さくら", "sakura-echo-2009"),
    ("mobile_op", "運営", "mobile-op-2009"),
)
#: Demo friendships (all accepted); sakura's request to taro stays pending.
DEMO_FRIENDS = (
    ("taro", "hanako"),
    ("taro", "kenji"),
    ("taro", "yuki"),
    ("hanako", "yuki"),
    ("hanako", "sakura"),
    ("kenji", "yuki"),
    ("mobile_op", "taro"),
)
#: Demo echoes, oldest first: (author, body, 1-based number of the echo answered or None).
#: U+1016A6 and its neighbours are carrier-only emoji in internal form.
DEMO_ECHOES = (
    ("mobile_op", "Echo、はじめました！ひとことどうぞ🎵", None),
    ("taro", "今日はいい天気☀️ 散歩してきます", None),
    ("hanako", "おはよう☀️ 電車なう", None),
    ("kenji", "雨☔ 傘忘れた…", None),
    ("taro", "@kenji コンビニで買えるよ！", 4),
    ("yuki", "ランチはラーメン🍜 うまし", None),
    ("sakura", "はじめてのエコー。よろしくね" + chr(0x1016A6), None),
    ("hanako", "曇ってきた☁️", None),
    ("kenji", "ありがと、買った☔", 5),
    ("taro", "ビール🍺が冷えてる", None),
    ("yuki", "雪だるま⛄つくりたい", None),
    ("hanako", "カラオケ行く人〜🎵🎤", None),
    ("taro", "行く！", 12),
    ("yuki", "わたしも🙋", 12),
    ("mobile_op", "ケータイからも絵文字が送れます📱", None),
    ("kenji", "残業なう…💦", None),
    ("sakura", "ネコかわいい🐱", None),
    ("hanako", "新しいケータイほしい📱✨", None),
    ("taro", "今夜は鍋🍲", None),
    ("yuki", "明日テストだ📝", None),
    ("kenji", "がんばれ！👍", 20),
    ("hanako", "花見いきたいな🌸", None),
    ("taro", "週末どこか行こう🚃", None),
    ("sakura", "いいね" + chr(0x1016A7), 23),
    ("yuki", "ケーキ焼いた🎂", None),
    ("hanako", "おいしそう！", 25),
    ("kenji", "今日は早く帰れた🏠", None),
    ("taro", "夕焼けきれい🌇", None),
    ("mobile_op", "メンテナンスは明日の2時からです🔧", None),
    ("hanako", "星がきれい⭐", None),
    ("yuki", "おやすみ🌙", None),
    ("taro", "おやすみ〜💤", 31),
    ("kenji", "朝から晴れ☀️", None),
    ("sakura", "バイト終わった🎉", None),
    ("hanako", "ドライブ🚗 海まで", None),
    ("taro", "🍺🍺🍺 かんぱーい", None),
    ("yuki", "かんぱい🍻", 36),
    ("kenji", "電池切れそう🔋", None),
    ("hanako", "ありがとう❤️", None),
    ("taro", "1️⃣2️⃣3️⃣ 押してね", None),
    ("kenji", "明日は休みかも（あとで消します）", None),
    ("taro", "いいなー、どこか行く？", 41),
    ("hanako", "@taro 明日のカラオケ来る？🎤", None),
    ("yuki", "@taro @hanako ケーキ残ってるよ🎂", None),
)
#: The demo echo its author deletes (1-based, as above): its reply says "削除されました".
DEMO_DELETED = 41
#: One-line profiles of some demo users.
DEMO_PROFILES = {
    "taro": "ラーメンとビールが好き🍺 ドコモ使い",
    "hanako": "カラオケ担当🎤",
    "sakura": "はじめました🌸 マイミク募集中",
}
#: Demo echoes as each carrier's phone sends them: (author, codec, bytes). They go through
#: carrier_emoji like a real post, so the timeline holds emoji from every carrier,
#: including carrier-only ones (DoCoMo F94A, au F370, SoftBank F7B1 "double loop").
DEMO_CARRIER_ECHOES = (
    ("kenji", "x-sjis-docomo", "ドコモから晴れ".encode("cp932") + b"\xf8\x9f\xf9\x4a"),
    ("hanako", "x-sjis-kddi", "auから".encode("cp932") + b"\xf6\x62\xf3\x70"),
    ("yuki", "x-utf8-softbank", "ソフトバンクから雪".encode() + "\ue048\ue33c".encode()),
    ("sakura", "x-sjis-softbank-webcode", "J-PHONEから".encode("cp932") + b"\x1b$Gji\x0f"),
    ("taro", "x-sjis-willcom", "WILLCOMから".encode("cp932") + b"\xf9\x87\xf9\x88"),
)
#: Words mixed into ``demo --bulk`` echoes.
_BULK_WORDS = ("今日", "☀️", "☁️", "☔", "⛄", "🎵", "🍺", "ラーメン", "電車", "なう", "眠い", "!")


def _seed_demo(session, bulk: int = 0) -> bool:
    """Add the demo users, friendships and echoes unless present; return whether added."""
    if users.find_user(session, DEMO_USERS[0][0]) is not None:
        return False
    people: dict[str, User] = {}
    with click.progressbar(DEMO_USERS, label="Demo users") as bar:
        for name, display_name, password in bar:
            people[name] = users.find_user(session, name) or users.signup(
                session, name, password, display_name
            )
    for a, b in DEMO_FRIENDS:
        friends.request(session, people[a], people[b])
        friends.accept(session, people[b], people[a])
    friends.request(session, people["sakura"], people["taro"])
    # Spread the echoes over the last three days, the newest a few minutes ago.
    now = utcnow()
    step = timedelta(days=3) / len(DEMO_ECHOES)
    added: list[Echo] = []
    with click.progressbar(DEMO_ECHOES, label="Demo echoes") as bar:
        for index, (author, body, answered) in enumerate(bar):
            created_at = now - timedelta(minutes=3) - step * (len(DEMO_ECHOES) - 1 - index)
            target = added[answered - 1] if answered else None
            echo = Echo(
                author=people[author], body=clean_body(body), reply_to=target, created_at=created_at
            )
            mentions.record(session, echo, target)
            session.add(echo)
            added.append(echo)
    for minutes, (author, codec, data) in enumerate(DEMO_CARRIER_ECHOES, start=1):
        body = clean_body(data.decode(codec))
        session.add(
            Echo(author=people[author], body=body, created_at=now - timedelta(minutes=minutes))
        )
    for name, line in DEMO_PROFILES.items():
        profiles.set_profile(session, people[name], people[name].display_name or "", line)
    session.commit()
    deleted = added[DEMO_DELETED - 1]
    echoes.delete(session, people[deleted.author.name], deleted.id)
    if bulk:
        _seed_bulk(session, list(people.values()), bulk)
    return True


def _seed_bulk(session, authors: list[User], count: int) -> None:
    """Insert *count* generated echoes by *authors* over the past year, in batches."""
    rng = random.Random(2009)
    now = utcnow()
    ids = [user.id for user in authors]
    batch: list[dict] = []
    with click.progressbar(length=count, label="Bulk echoes") as bar:
        for _ in range(count):
            words = rng.choices(_BULK_WORDS, k=rng.randint(1, 8))
            batch.append(
                {
                    "author_id": rng.choice(ids),
                    "body": "".join(words),
                    "created_at": now - timedelta(seconds=rng.randint(600, 365 * 86400)),
                }
            )
            if len(batch) == 10_000:
                session.execute(sa.insert(Echo), batch)
                session.commit()
                bar.update(len(batch))
                batch.clear()
        if batch:
            session.execute(sa.insert(Echo), batch)
            session.commit()
            bar.update(len(batch))


@click.command("demo")
@click.option("--bulk", default=0, show_default=True, help="Also add this many generated echoes.")
@with_appcontext
def demo_command(bulk: int) -> None:
    """Create the database if needed and add demo users, friends and echoes."""
    db.init_db()
    seed(bulk)


def seed(bulk: int = 0) -> None:
    """Seed the demo data and print the demo accounts."""
    session = db.get_session()
    added = _seed_demo(session, bulk)
    click.echo("Demo data added." if added else "Demo data already present; nothing added.")
    click.echo("Demo accounts (name / password):")
    for name, _display_name, password in DEMO_USERS:
        click.echo(f"  {name:<10} {password}")
    token = demo_token(session)
    if token:
        click.echo(f"API token of {DEMO_TOKEN_USER} (read, write): {token}")


#: The demo user who has an API token ready (derived from SECRET_KEY, so printable again).
DEMO_TOKEN_USER = "taro"


def demo_token(session) -> str | None:
    """Give the demo user a read-write API token named "demo" and return it."""
    user = users.find_user(session, DEMO_TOKEN_USER)
    if user is None:
        return None
    secret = tokens.derived_token(current_app.config["SECRET_KEY"], user, "demo")
    tokens.ensure(session, user, "demo", ["read", "write"], secret)
    return secret
