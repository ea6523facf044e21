"""A feed server on 127.0.0.1 for the cross-posting tests, feeds to serve, and the worker.

Nothing here ever connects to another address: the tests of refused addresses are
refused before any connection is made.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import sqlalchemy as sa

from mobile_gateway.accounts import users
from mobile_gateway.crosspost import subscriptions
from mobile_gateway.storage.models import FeedSubscription, utcnow


def atom(entries, title: str = "taro on wassr") -> bytes:
    """Return an Atom feed of *entries*: (id, title, published datetime or None, link)."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"<title>{title}</title><id>urn:feed</id><updated>2009-06-01T00:00:00Z</updated>",
    ]
    for ident, text, published, link in entries:
        parts.append(f'<entry><id>{ident}</id><title type="html">{text}</title>')
        if published is not None:
            parts.append(f"<published>{published.strftime('%Y-%m-%dT%H:%M:%SZ')}</published>")
        if link:
            parts.append(f'<link rel="alternate" href="{link}"/>')
        parts.append("</entry>")
    parts.append("</feed>")
    return "".join(parts).encode("utf-8")


def rss(entries) -> bytes:
    """Return an RSS 2.0 feed of *entries*: (guid, title, published or None, link)."""
    items = []
    for ident, text, published, link in entries:
        date = f"<pubDate>{format_datetime(published)}</pubDate>" if published else ""
        items.append(
            f"<item><guid>{ident}</guid><title>{text}</title><link>{link}</link>{date}</item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        f"<link>http://example.com/</link><description>d</description>{''.join(items)}"
        "</channel></rss>"
    ).encode("utf-8")


class FeedServer:
    """Serves configured answers per path on 127.0.0.1 and records every request."""

    def __init__(self) -> None:
        self.routes: dict = {}
        self.requests: list[tuple[str, dict]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (the stdlib's name)
                server.requests.append((self.path, dict(self.headers)))
                route = server.routes.get(self.path)
                if route is None:
                    self.send_error(404)
                    return
                try:
                    route(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up, as it should

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def hits(self, path: str) -> list[dict]:
        """Return the headers of each request for *path*."""
        return [headers for p, headers in self.requests if p == path]

    def feed(self, path: str, body: bytes, etag: str | None = '"v1"', kind: str = "atom"):
        """Serve *body* at *path*, with an ETag honoured by If-None-Match (304)."""

        def answer(handler):
            if etag and handler.headers.get("If-None-Match") == etag:
                handler.send_response(304)
                handler.end_headers()
                return
            handler.send_response(200)
            handler.send_header("Content-Type", f"application/{kind}+xml; charset=utf-8")
            handler.send_header("Content-Length", str(len(body)))
            if etag:
                handler.send_header("ETag", etag)
            handler.send_header("Last-Modified", "Mon, 01 Jun 2009 12:00:00 GMT")
            handler.end_headers()
            handler.wfile.write(body)

        self.routes[path] = answer

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def make_due(store) -> None:
    """Make every feed due now (as if its interval had passed)."""
    with store.session() as session:
        session.execute(
            sa.update(FeedSubscription).values(next_fetch_at=utcnow() - timedelta(seconds=1))
        )
        session.commit()


def slow(seconds: float):
    """Return a route that answers only after *seconds*."""

    def answer(handler):
        time.sleep(seconds)
        handler.send_response(200)
        handler.end_headers()

    return answer


PAST = datetime(2009, 6, 1, 12, 0, tzinfo=timezone.utc)


def subscribe(store, name: str, url: str) -> int:
    """Sign *name* up if needed and subscribe them to *url*; return the subscription id."""
    if not store.user_exists(name):
        store.user(name)
    with store.session() as session:
        user = users.get_user(session, name)
        return subscriptions.add(session, user, url, allow_loopback=True, most=20).id


def run(app) -> str:
    """Run ``mobile-gateway crosspost run`` once; return what it printed."""
    result = app.test_cli_runner().invoke(args=["crosspost", "run"])
    assert result.exit_code == 0, result.output
    return result.output


def status(store, subscription_id: int) -> FeedSubscription:
    with store.session() as session:
        return session.get(FeedSubscription, subscription_id)


def soon():
    return utcnow() + timedelta(minutes=1)
