"""The demo's token-ready user, over real HTTP."""

from __future__ import annotations

import re
import secrets

import httpx


def test_the_demo_prints_a_token_that_reads_and_posts(fresh_db_url, make_app, serve):
    """``demo`` gives taro a read-write token, the same each run; it works against the API."""
    app = make_app(fresh_db_url)
    first = app.test_cli_runner().invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    token = re.search(r"API token of taro \(read, write\): (mgp_\S+)", first.output)[1]
    again = app.test_cli_runner().invoke(args=["demo"])
    assert token in again.output
    with httpx.Client(base_url=f"http://127.0.0.1:{serve(app)}", trust_env=False) as http:
        headers = {"Authorization": f"Bearer {token}"}
        assert http.get("/api/v1/me", headers=headers).json()["name"] == "taro"
        posted = http.post("/api/v1/echoes", headers=headers, json={"text": "API から☀️"})
        assert posted.status_code == 201
        home = http.get("/api/v1/timelines/home?limit=3", headers=headers).json()
        assert home["items"][0]["text"] == "API から☀️"
    other = make_app(fresh_db_url, SECRET_KEY=secrets.token_urlsafe(32))
    changed = other.test_cli_runner().invoke(args=["demo"])
    assert token not in changed.output  # a new key, a new token; the old one is replaced
