"""Reading through the API: timelines, a user's echoes, one echo with its replies, friends."""

from __future__ import annotations

from support.api import assert_problem

from mobile_gateway.accounts import users
from mobile_gateway.echo import profiles
from mobile_gateway.operators import emoji_changes, emoji_layer


def _texts(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["text"] for item in response.json()["items"]]


def test_home_timeline_holds_own_and_friends_echoes_newest_first(api, store):
    """The home timeline is the user's and friends' echoes, newest first, nobody else's."""
    token = api.token("taro")
    store.user("hanako")
    store.user("kenji")
    store.befriend("taro", "hanako")
    store.echo("taro", "mine", minutes_ago=3)
    store.echo("hanako", "friend's", minutes_ago=2)
    store.echo("kenji", "stranger's", minutes_ago=1)
    assert _texts(api.get("/api/v1/timelines/home", token)) == ["friend's", "mine"]


def test_keyset_paging_goes_back_and_forth_without_shifting(api, store):
    """before/after cursors page like the archive; new echoes do not shift older pages."""
    token = api.token("taro")
    for n in range(5):
        store.echo("taro", f"echo {n}", minutes_ago=10 - n)
    first = api.get("/api/v1/timelines/home?limit=2", token).json()
    assert [i["text"] for i in first["items"]] == ["echo 4", "echo 3"]
    assert first["paging"]["after"] is None
    store.echo("taro", "newest")
    second = api.get(f"/api/v1/timelines/home?limit=2&before={first['paging']['before']}", token)
    assert _texts(second) == ["echo 2", "echo 1"]
    back = api.get(
        f"/api/v1/timelines/home?limit=2&after={second.json()['paging']['after']}", token
    )
    assert _texts(back) == ["echo 4", "echo 3"]
    last = api.get(
        f"/api/v1/timelines/home?limit=2&before={second.json()['paging']['before']}", token
    ).json()
    assert [i["text"] for i in last["items"]] == ["echo 0"]
    assert last["paging"]["before"] is None


def test_a_cursor_of_the_other_direction_is_refused(api, store):
    """An after-cursor given as before is a 400, not a wrong page."""
    token = api.token("taro")
    for n in range(3):
        store.echo("taro", f"echo {n}", minutes_ago=5 - n)
    page = api.get("/api/v1/timelines/home?limit=1", token).json()
    response = api.get(f"/api/v1/timelines/home?after={page['paging']['before']}", token)
    assert assert_problem(response, 400, "invalid-parameter")["parameter"] == "after"


def test_a_users_echoes_and_one_echo_with_its_replies(api, store):
    """/users/<name>/echoes lists one user's echoes; /echoes/<id> gives an echo and its replies."""
    token = api.token("taro")
    store.user("hanako")
    first = store.echo("hanako", "question?", minutes_ago=5)
    store.echo("taro", "answer 1", minutes_ago=4, reply_to=first)
    store.echo("hanako", "answer 2", minutes_ago=3, reply_to=first)
    assert _texts(api.get("/api/v1/users/hanako/echoes", token)) == ["answer 2", "question?"]
    data = api.get(f"/api/v1/echoes/{first}", token).json()
    assert data["echo"]["text"] == "question?" and data["echo"]["author"]["name"] == "hanako"
    assert [r["text"] for r in data["replies"]["items"]] == ["answer 2", "answer 1"]
    assert data["replies"]["items"][0]["reply_to"]["id"] == first
    user = api.get("/api/v1/users/HANAKO", token).json()
    assert user["name"] == "hanako" and user["feed_url"].endswith("/u/hanako/feed.atom")
    assert user["display_name"] is None and user["profile"] is None


def test_a_users_display_name_and_profile_come_as_plain_unicode(api, store):
    """The display name and one-line profile are in the user, carrier-only emoji as text."""
    token = api.token("taro")
    store.user("hanako")
    with store.session() as session:
        hanako = users.get_user(session, "hanako")
        profiles.set_profile(session, hanako, "はなこ☀️", "ケータイ大好き" + chr(0x1016A6))
    user = api.get("/api/v1/users/hanako", token).json()
    assert user["display_name"] == "はなこ☀️"
    assert user["profile"].startswith("ケータイ大好き") and chr(0x1016A6) not in user["profile"]


def test_replies_to_me_are_other_peoples_replies_and_mentions(api, store):
    """/timelines/replies holds others' replies to my echoes and their @mentions of me."""
    token = api.token("taro")
    store.user("hanako")
    mine = store.echo("taro", "mine", minutes_ago=5)
    store.echo("hanako", "reply to taro", minutes_ago=4, reply_to=mine)
    store.echo("taro", "taro to himself", minutes_ago=3, reply_to=mine)
    store.echo("hanako", "@taro look", minutes_ago=2)
    store.echo("hanako", "@nobody else", minutes_ago=1)
    assert _texts(api.get("/api/v1/timelines/replies", token)) == ["@taro look", "reply to taro"]


def test_friends_and_pending_requests(api, store):
    """/friends lists friends, requests received and requests sent."""
    token = api.token("taro")
    for name in ("hanako", "kenji", "yuki"):
        store.user(name)
    store.befriend("taro", "hanako")
    store.ask("kenji", "taro")
    store.ask("taro", "yuki")
    data = api.get("/api/v1/friends", token).json()
    names = {key: [u["name"] for u in value] for key, value in data.items()}
    assert names == {"friends": ["hanako"], "incoming": ["kenji"], "outgoing": ["yuki"]}


def test_carrier_only_emoji_come_as_text_fallback_with_a_list(api, store):
    """A carrier-only emoji leaks no private-use code point: fallback in text, details listed."""
    token = api.token("taro")
    store.echo("taro", "雨" + chr(0x1016A6) + "だ☀️")
    item = api.get("/api/v1/timelines/home", token).json()["items"][0]
    assert not any(0xE000 <= ord(c) <= 0xF8FF or ord(c) >= 0xF0000 for c in item["text"])
    assert item["text"] == "雨〓だ☀️"
    [emoji] = item["emoji"]
    assert emoji == {
        "carrier": "docomo",
        "code": "U+E6A6",
        "sjis": "F94A",
        "name": None,
        "fallback": "〓",
        "offset": 1,
        "length": 1,
    }
    assert item["text"][emoji["offset"] : emoji["offset"] + emoji["length"]] == "〓"


def test_an_operators_name_for_a_carrier_only_emoji_becomes_its_fallback(api, store):
    """With a name from the operators, the fallback is ``[name]`` and the list names it."""
    char = chr(0x1016A6)
    with store.session() as session:
        row = emoji_layer.shipped_by_key()[char]._replace(name_ja="ひみつ")
        emoji_changes.apply(session, {char: row}, "op", reason="ひみつの名前を付ける")
    token = api.token("taro")
    store.echo("taro", "x" + char + "y")
    item = api.get("/api/v1/timelines/home", token).json()["items"][0]
    assert item["text"] == "x[ひみつ]y"
    assert item["emoji"][0]["name"] == "ひみつ"
    assert (item["emoji"][0]["offset"], item["emoji"][0]["length"]) == (1, 5)


def test_reading_closed_by_the_service_period(api, store, clock):
    """When the operators close reading, the API says so (403, closed) instead of echoes."""
    from datetime import timedelta

    from mobile_gateway.storage.models import utcnow

    token = api.token("taro")
    now = utcnow()
    store.period(now - timedelta(days=10), now - timedelta(days=1), reading_after_end="closed")
    assert_problem(api.get("/api/v1/timelines/home", token), 403, "closed")
    assert api.get("/api/v1/me", token).status_code == 200
