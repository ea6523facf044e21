"""Writing through the API: posting (with emoji, carrier emoji, replies), deleting, friends."""

from __future__ import annotations

import pytest
from support.api import assert_problem

#: The sun as each carrier's UTF-8 form sends it, and the internal text it becomes.
CARRIER_SUNS = {"docomo": "\ue63e", "au": "\ue488", "softbank": "\ue04a"}


def test_post_an_echo_with_an_emoji(api, store):
    """A posted echo is stored as internal text and answered 201 with its JSON and Location."""
    token = api.token("taro")
    response = api.post("/api/v1/echoes", token, json={"text": "晴れ☀️ です🍺"})
    assert response.status_code == 201, response.text
    data = response.json()
    assert data["text"] == "晴れ☀️ です🍺" and data["author"]["name"] == "taro"
    assert response.headers["Location"].endswith(f"/api/v1/echoes/{data['id']}")
    assert store.bodies("taro") == ["晴れ☀️ です🍺"]
    assert api.get(response.headers["Location"], token).json()["echo"]["id"] == data["id"]


@pytest.mark.parametrize("carrier", sorted(CARRIER_SUNS))
def test_carrier_emoji_are_read_as_that_carriers_phone_form(api, store, carrier, phone):
    """With the carrier named, its private-use emoji are stored as its phone's form would be."""
    token = api.token("taro")
    text = "天気" + CARRIER_SUNS[carrier]
    response = api.post("/api/v1/echoes", token, json={"text": text, "carrier": carrier})
    assert response.status_code == 201, response.text
    from_phone = (text.encode("utf-8")).decode(
        {"docomo": "x-utf8-docomo", "au": "x-utf8-kddi", "softbank": "x-utf8-softbank"}[carrier]
    )
    assert store.bodies("taro") == [from_phone] == ["天気☀️"]


def test_a_carrier_only_emoji_posted_with_its_carrier_comes_back_as_fallback(api, store):
    """DoCoMo's E6A6 (no standard emoji) is kept; the API answers with its fallback and list."""
    token = api.token("taro")
    response = api.post("/api/v1/echoes", token, json={"text": "a\ue6a6", "carrier": "docomo"})
    assert response.status_code == 201, response.text
    assert store.bodies("taro") == ["a" + chr(0x1016A6)]
    assert response.json()["text"] == "a〓"
    assert response.json()["emoji"][0]["code"] == "U+E6A6"


@pytest.mark.parametrize(
    "text",
    ["sun \ue63e", "forged " + chr(0x1016A6), "google \U000fe000"],
    ids=["carrier-pua", "internal-form", "plane-15"],
)
def test_private_use_without_a_carrier_is_refused(api, store, text):
    """Private-use code points without a carrier are refused in both languages; nothing stored."""
    token = api.token("taro")
    data = assert_problem(
        api.post("/api/v1/echoes", token, json={"text": text}), 422, "invalid-body"
    )
    assert "carrier" in data["messages"]["en"] and data["pointer"] == "/text"
    assert store.bodies() == []


def test_a_code_point_the_named_carrier_never_sends_is_refused(api, store):
    """SoftBank's sun named as DoCoMo, or an internal character, is refused with its position."""
    token = api.token("taro")
    for text in ("ab\ue04a", "ab" + chr(0x1016A6)):
        response = api.post("/api/v1/echoes", token, json={"text": text, "carrier": "docomo"})
        assert "3文字目" in assert_problem(response, 422, "invalid-body")["messages"]["ja"]
    response = api.post("/api/v1/echoes", token, json={"text": "x", "carrier": "willcom"})
    assert_problem(response, 422, "invalid-body")
    assert store.bodies() == []


def test_a_reply(api, store):
    """reply_to makes a reply; an unknown echo is a 422 naming reply_to."""
    token = api.token("taro")
    store.user("hanako")
    target = store.echo("hanako", "hello")
    response = api.post("/api/v1/echoes", token, json={"text": "hi!", "reply_to": target})
    assert response.json()["reply_to"]["id"] == target
    for missing in (target + 1000, 2**31, 2**63, 2**70):
        response = api.post("/api/v1/echoes", token, json={"text": "x", "reply_to": missing})
        assert assert_problem(response, 422, "invalid-body")["pointer"] == "/reply_to"
    assert store.bodies("taro") == ["hi!"]


def test_delete_my_echo_but_not_someone_elses(api, store):
    """DELETE removes one's own echo (204); another's is 403, a missing one 404."""
    token = api.token("taro")
    store.user("hanako")
    mine = store.echo("taro", "mine")
    theirs = store.echo("hanako", "theirs")
    assert api.delete(f"/api/v1/echoes/{mine}", token).status_code == 204
    assert_problem(api.delete(f"/api/v1/echoes/{mine}", token), 404, "not-found")
    assert_problem(api.delete(f"/api/v1/echoes/{theirs}", token), 403, "forbidden")
    assert store.bodies() == ["theirs"]


def test_send_and_accept_a_friend_request(api, store):
    """One asks, the other accepts; asking twice is a conflict, a stranger's name 404."""
    taro = api.token("taro")
    hanako = api.token("hanako")
    response = api.post("/api/v1/friend-requests", taro, json={"to": "hanako"})
    assert response.status_code == 201 and response.json()["status"] == "pending"
    again = api.post("/api/v1/friend-requests", taro, json={"to": "hanako"})
    assert_problem(again, 409, "conflict")
    assert_problem(
        api.post("/api/v1/friend-requests", taro, json={"to": "nobody"}), 404, "not-found"
    )
    assert_problem(
        api.post("/api/v1/friend-requests", taro, json={"to": "taro"}), 422, "invalid-body"
    )
    assert_problem(api.post("/api/v1/friend-requests/taro/accept", taro), 404, "not-found")
    accepted = api.post("/api/v1/friend-requests/taro/accept", hanako)
    assert accepted.status_code == 200 and accepted.json()["status"] == "friends"
    assert store.are_friends("taro", "hanako")


def test_a_request_to_someone_who_asked_first_makes_friends(api, store):
    """Asking someone who had asked you accepts their request."""
    taro = api.token("taro")
    store.user("hanako")
    store.ask("hanako", "taro")
    response = api.post("/api/v1/friend-requests", taro, json={"to": "hanako"})
    assert response.status_code == 201 and response.json()["status"] == "friends"


def test_posting_closed_by_the_service_period(api, store):
    """Outside the service period posting is refused (403, closed) and nothing is stored."""
    from datetime import timedelta

    from mobile_gateway.storage.models import utcnow

    token = api.token("taro")
    now = utcnow()
    store.period(now + timedelta(days=1), now + timedelta(days=10))
    assert_problem(api.post("/api/v1/echoes", token, json={"text": "x"}), 403, "closed")
    assert store.bodies() == []
