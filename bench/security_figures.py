"""Measure the figures of the security page: rows written by signed-out visitors, how
many guesses lock out whom, sign-ups per address, retried posts.

Run by hand, on SQLite in a temporary folder, through the app's real request path
(Flask's test client with each request's address and User-Agent)::

    python bench/security_figures.py

It uses only what every version of the app has (``create_app``, the pages and their
forms), so the same script measures an older tree too:
``PYTHONPATH=/path/to/old/tree python bench/security_figures.py``.
"""

from __future__ import annotations

import html
import re
import secrets
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

import sqlalchemy as sa

import mobile_gateway
from mobile_gateway import create_app
from mobile_gateway.storage import db

PC = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:126.0) Gecko/20100101 Firefox/126.0"
MOVA = "DoCoMo/1.0/P503i/c10"
PASSWORD = "kumo-ame-2009!x"
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"/>')


def make_app(folder: Path):
    """Return a fresh app on SQLite in *folder*, its database migrated."""
    url = sa.URL.create("sqlite", database=str(folder / "figures.sqlite3"))
    db.upgrade(url)
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": secrets.token_urlsafe(48),
            "DATABASE_URL": url.render_as_string(hide_password=False),
        }
    )


def rows(app) -> dict[str, int]:
    """Return the number of rows of every table."""
    with app.app_context():
        connection = db.get_session().connection()
        names = sa.inspect(connection).get_table_names()
        return {
            name: connection.scalar(sa.text(f'SELECT count(*) FROM "{name}"'))
            for name in names
            if name != "alembic_version"
        }


class Visitor:
    """A browser or phone at one address, keeping its cookies."""

    def __init__(self, app, address: str, user_agent: str = PC):
        self.client = app.test_client()
        self.address, self.user_agent = address, user_agent

    def open(self, path: str, data: dict | None = None):
        """GET *path*, or POST the form *data* to it (UTF-8)."""
        kwargs = {"headers": {"User-Agent": self.user_agent}}
        kwargs["environ_overrides"] = {"REMOTE_ADDR": self.address}
        if data is None:
            return self.client.get(path, **kwargs)
        return self.client.post(
            path,
            data=urlencode(data).encode(),
            content_type="application/x-www-form-urlencoded",
            **kwargs,
        )

    def submit(self, path: str, fields: dict):
        """Open the page *path* and send its first form with *fields* filled in."""
        page = self.open(path).get_data(as_text=True)
        hidden = {name: html.unescape(value) for name, value in _HIDDEN.findall(page)}
        return self.open(path, {**hidden, **fields})


def sign_up(app, name: str, address: str) -> int:
    """Sign *name* up from *address*; return the status of the answer."""
    return Visitor(app, address).submit("/signup", {"name": name, "password": PASSWORD}).status_code


def signed_out_rows(app, views: int = 500) -> tuple[int, int]:
    """Return (session rows, rows of all tables) written by *views* signed-out page views."""
    before = rows(app)
    for n in range(views):
        Visitor(app, f"198.51.100.{n % 200 + 1}", (PC, MOVA)[n % 2]).open(
            ("/", "/login", "/signup", "/u/owner")[n % 4]
        )
    after = rows(app)
    written = {name: after[name] - before.get(name, 0) for name in after}
    return written.get("auth_sessions", 0), sum(written.values())


def guesses(app, name: str, address: str, count: int) -> list[int]:
    """Send *count* wrong passwords for *name* from *address*; return the statuses."""
    return [
        Visitor(app, address)
        .submit("/login", {"name": name, "password": "wrong-guess"})
        .status_code
        for _ in range(count)
    ]


_owner_addresses = iter(range(2, 255))


def owner_signs_in(app, name: str) -> bool:
    """Return whether the owner, from an address of their own (a new one each time, so
    that the owner's own tries do not count), signs in."""
    address = f"192.0.2.{next(_owner_addresses)}"
    response = Visitor(app, address).submit("/login", {"name": name, "password": PASSWORD})
    return response.status_code == 302


def main() -> None:
    """Print each figure."""
    print(f"mobile_gateway from {Path(mobile_gateway.__file__).parent}")
    with tempfile.TemporaryDirectory() as folder:
        app = make_app(Path(folder))
        sign_up(app, "owner", "192.0.2.1")
        sign_up(app, "poster", "192.0.2.250")
        sessions, total = signed_out_rows(app)
        print(f"500 signed-out page views: {sessions} session rows, {total} rows in all")

        statuses = guesses(app, "owner", "198.51.100.1", 40)
        allowed = next((i for i, s in enumerate(statuses) if s == 429), len(statuses))
        print(f"one address, one account: {allowed} wrong passwords before 429 (of 40 sent)")
        print(f"  the owner, from another address, then signs in: {owner_signs_in(app, 'owner')}")

        sign_up(app, "victim", "192.0.2.1")
        for n in range(10):
            guesses(app, "victim", f"203.0.113.{n + 1}", 10)
        print(
            "10 wrong passwords from each of 10 addresses: the owner signs in:"
            f" {owner_signs_in(app, 'victim')}"
        )
        sign_up(app, "target", "192.0.2.1")
        needed = None
        for n in range(100):
            guesses(app, "target", f"203.0.114.{n + 1}", 10)
            if not owner_signs_in(app, "target"):
                needed = n + 1
                break
        print(
            "addresses sending 10 wrong passwords each until the owner is refused:"
            f" {needed if needed else 'more than 100'}"
        )

        statuses = [sign_up(app, f"bot{n}", "198.51.100.77") for n in range(40)]
        print(f"sign-ups from one address: {statuses.count(302)} of 40 accepted")

        owner = Visitor(app, "192.0.2.251")
        owner.submit("/login", {"name": "poster", "password": PASSWORD})
        page = owner.open("/").get_data(as_text=True)
        form = page.split('action="/echo"', 1)[1].split("</form>", 1)[0]
        fields = {name: html.unescape(value) for name, value in _HIDDEN.findall(form)}
        for _ in range(100):
            owner.open("/echo", {**fields, "body": "retried"})
        with app.app_context():
            stored = db.get_session().scalar(
                sa.text("SELECT count(*) FROM echoes WHERE body = 'retried'")
            )
        print(f"one post form sent 100 times (retries): {stored} echo(es) stored")
        db.get_engine(app).dispose()


if __name__ == "__main__":
    sys.exit(main())
