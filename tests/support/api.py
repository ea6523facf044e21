"""The API over real HTTP: an httpx client on a served app, and problem-details checks."""

from __future__ import annotations

import httpx

from mobile_gateway.accounts import users
from mobile_gateway.api import tokens
from mobile_gateway.storage import db

from .settings import PASSWORD


class Api:
    """An httpx client on the served app, and helpers to make users and tokens."""

    def __init__(self, app, port: int):
        self.app = app
        self.base = f"http://127.0.0.1:{port}"
        self.http = httpx.Client(base_url=self.base, timeout=10, trust_env=False)

    def token(self, name: str, scopes=("read", "write"), *, create: bool = True) -> str:
        """Return a new token of user *name* (signed up first unless *create* is False)."""
        with self.app.app_context():
            session = db.get_session()
            user = users.find_user(session, name)
            if user is None and create:
                user = users.signup(session, name, PASSWORD)
            secret, _row = tokens.create(session, user, "test", list(scopes))
            return secret

    def request(self, method: str, path: str, token: str | None = None, **kwargs):
        """Send one request, with ``Authorization: Bearer`` when *token* is given."""
        headers = dict(kwargs.pop("headers", {}) or {})
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return self.http.request(method, path, headers=headers, **kwargs)

    def get(self, path: str, token: str | None = None, **kwargs):
        return self.request("GET", path, token, **kwargs)

    def post(self, path: str, token: str | None = None, **kwargs):
        return self.request("POST", path, token, **kwargs)

    def delete(self, path: str, token: str | None = None, **kwargs):
        return self.request("DELETE", path, token, **kwargs)


def assert_problem(response, status: int, slug: str) -> dict:
    """Check *response* is problem details of *slug* with both languages; return its JSON."""
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    data = response.json()
    assert data["type"] == f"tag:mobile-gateway.echo,2009:problems/{slug}"
    assert data["status"] == status
    assert data["messages"]["ja"] and data["messages"]["en"]
    assert data["detail"] in (data["messages"]["ja"], data["messages"]["en"])
    assert not response.text.lstrip().startswith("<")  # never an HTML page
    return data
