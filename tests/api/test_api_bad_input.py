"""Hostile and broken requests to the API: problem details, never a 500, never a page."""

from __future__ import annotations

import pytest
from support.api import assert_problem


@pytest.mark.parametrize(
    "body",
    [b"{bad", b"", b"\xff\xfe{}", b'{"text": NaN}', b"[" * 5000 + b"]" * 5000, b'"text"'],
    ids=["truncated", "empty", "not-utf8", "nan", "deeply-nested", "not-an-object"],
)
def test_unreadable_json_is_a_problem(api, store, body):
    """Broken JSON, or JSON that is no object, is refused with problem details."""
    token = api.token("taro")
    response = api.post(
        "/api/v1/echoes", token, content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code in (400, 413, 422)
    assert_problem(
        response,
        response.status_code,
        (
            "invalid-json"
            if response.status_code == 400
            else "invalid-body" if response.status_code == 422 else "payload-too-large"
        ),
    )
    assert store.bodies() == []


@pytest.mark.parametrize(
    "body,pointer",
    [
        ({"text": 150}, "/text"),
        ({"text": ["a"]}, "/text"),
        ({"text": None}, "/text"),
        ({"text": "x", "reply_to": "1"}, "/reply_to"),
        ({"text": "x", "reply_to": True}, "/reply_to"),
        ({"text": "x", "reply_to": 1.5}, "/reply_to"),
        ({"text": "x", "carrier": 1}, "/carrier"),
        ({"text": "x", "extra": 1}, "/extra"),
        ({}, "/text"),
        ({"text": "x" * 151}, "/text"),
        ({"text": "☀️" * 151}, "/text"),
        ({"text": "   "}, "/text"),
        ({"text": "\ud800"}, "/text"),
    ],
    ids=[
        "number",
        "array",
        "null",
        "string-id",
        "bool-id",
        "float-id",
        "number-carrier",
        "unknown-member",
        "missing",
        "151-chars",
        "151-emoji",
        "blank",
        "surrogate",
    ],
)
def test_wrong_members_are_refused_and_nothing_is_stored(api, store, body, pointer):
    """Wrong types, unknown members, 151 characters: 422 with a pointer; nothing stored."""
    import json

    token = api.token("taro")
    raw = json.dumps(body).encode("utf-8")  # keeps "\ud800" as an escape: still JSON
    response = api.post(
        "/api/v1/echoes", token, content=raw, headers={"Content-Type": "application/json"}
    )
    assert assert_problem(response, 422, "invalid-body")["pointer"] == pointer
    assert store.bodies() == []


def test_exactly_150_characters_with_emoji_are_accepted(api, store):
    """150 characters, emoji counted as one each, is not too long."""
    token = api.token("taro")
    text = "👨‍👩‍👧" * 75 + "あ" * 75
    assert api.post("/api/v1/echoes", token, json={"text": text}).status_code == 201


def test_a_huge_body_is_413(api, store):
    """A body over the size limit is refused as too large, before it is read."""
    token = api.token("taro")
    body = b'{"text": "' + b"x" * (1024 * 1024) + b'"}'
    response = api.post(
        "/api/v1/echoes", token, content=body, headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 413, "payload-too-large")
    assert store.bodies() == []


def test_a_form_post_is_415(api, store):
    """A urlencoded form (what a page would send) is not JSON: 415."""
    token = api.token("taro")
    response = api.post("/api/v1/echoes", token, data={"text": "x"})
    assert_problem(response, 415, "unsupported-media-type")
    assert store.bodies() == []


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/echoes/99999999999999999999",
        "/api/v1/echoes/18446744073709551616",
        "/api/v1/echoes/2147483648",
        "/api/v1/echoes/0",
        "/api/v1/echoes/-1",
        "/api/v1/echoes/abc",
        "/api/v1/echoes/12345",
        "/api/v1/users/nobody",
        "/api/v1/users/%3Cscript%3E/echoes",
        "/api/v1/nothing-here",
        "/api",
    ],
)
def test_unknown_ids_and_paths_are_404_problems(api, store, path):
    """Ids past 32 and 64 bits, unknown ids and names, unknown paths: 404 problem details."""
    token = api.token("taro")
    assert_problem(api.get(path, token), 404, "not-found")


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=101",
        "limit=abc",
        "limit=-1",
        "before=%00",
        "before=zzzz",
        "after=" + "A" * 300,
        "before=YjE.MQ&after=YjE.MQ",
    ],
)
def test_bad_paging_parameters_are_400(api, store, query):
    """Paging parameters that cannot be read are a 400 naming the parameter."""
    token = api.token("taro")
    response = api.get(f"/api/v1/timelines/home?{query}", token)
    assert "parameter" in assert_problem(response, 400, "invalid-parameter")


def test_a_wrong_method_is_405_with_allow(api, store):
    """PUT where only GET is served is a 405 that says what is allowed."""
    token = api.token("taro")
    response = api.request("PUT", "/api/v1/me", token)
    assert_problem(response, 405, "method-not-allowed")
    assert "GET" in response.headers["Allow"]


def test_english_when_the_client_prefers_it(api, store):
    """Accept-Language: en gives English title and detail; both languages stay in messages."""
    response = api.get("/api/v1/me", headers={"Accept-Language": "en-US,en;q=0.9"})
    data = assert_problem(response, 401, "unauthorized")
    assert data["title"] == "A valid access token is required"
    assert data["detail"] == data["messages"]["en"]
    assert response.headers["Content-Language"] == "en"
    japanese = api.get("/api/v1/me").json()
    assert japanese["detail"] == japanese["messages"]["ja"] == data["messages"]["ja"]
