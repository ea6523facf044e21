"""API rate limits: per token and per address, shared by instances, 429 with Retry-After."""

from __future__ import annotations

from support.api import Api, assert_problem


def test_per_token_limit_trips_with_retry_after_and_recovers(api, store, app, limit_clock):
    """Past the per-token limit the API answers 429 with Retry-After, until the window ends."""
    app.config.update(RATE_LIMIT_API_PER_TOKEN=(3, 60), RATE_LIMIT_API_PER_ADDRESS=(100, 60))
    limit_clock.now = 1_000_040.0  # 40 seconds before the window ends
    token = api.token("taro")
    other = api.token("hanako")
    for _ in range(3):
        assert api.get("/api/v1/me", token).status_code == 200
    response = api.get("/api/v1/me", token)
    data = assert_problem(response, 429, "rate-limited")
    assert response.headers["Retry-After"] == "40" and data["retry_after"] == 40
    assert api.get("/api/v1/me", other).status_code == 200  # another token is not limited
    limit_clock.advance(41)
    assert api.get("/api/v1/me", token).status_code == 200


def test_per_address_limit_counts_requests_without_a_token(api, store, app, limit_clock):
    """Requests without a valid token count per address: guessing tokens is slowed too."""
    app.config.update(RATE_LIMIT_API_PER_ADDRESS=(5, 60))
    for _ in range(5):
        assert api.get("/api/v1/me", "mgp_" + "x" * 43).status_code == 401
    assert_problem(api.get("/api/v1/me"), 429, "rate-limited")
    assert_problem(api.get("/api/v1/openapi.json"), 429, "rate-limited")


def test_instances_share_the_counts(api, store, app, make_app, db_url, serve, limit_clock):
    """Two app instances on one database count one token's requests together."""
    app.config.update(RATE_LIMIT_API_PER_TOKEN=(4, 60))
    other_app = make_app(db_url, RATE_LIMIT_API_PER_TOKEN=(4, 60))
    other = Api(other_app, serve(other_app))
    token = api.token("taro")
    try:
        statuses = [
            (api if n % 2 else other).get("/api/v1/me", token).status_code for n in range(5)
        ]
    finally:
        other.http.close()
    assert statuses == [200, 200, 200, 200, 429]


def test_posting_counts_against_the_users_posting_limit(api, store, app, limit_clock):
    """Posts through the API share the per-user posting limit the phones have."""
    app.config.update(RATE_LIMIT_POST_PER_USER=(2, 600))
    token = api.token("taro")
    for n in range(2):
        assert api.post("/api/v1/echoes", token, json={"text": f"{n}"}).status_code == 201
    response = api.post("/api/v1/echoes", token, json={"text": "one too many"})
    assert_problem(response, 429, "rate-limited")
    assert int(response.headers["Retry-After"]) > 0
    assert store.bodies() == ["0", "1"]
