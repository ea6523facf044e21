"""The cross-posting worker against feeds served on 127.0.0.1: new entries become echoes once."""

from __future__ import annotations

import threading
from datetime import timedelta

import sqlalchemy as sa
from support.feeds import PAST, atom, make_due, rss, run, slow, soon, status, subscribe

from mobile_gateway.crosspost import worker
from mobile_gateway.crosspost.entries import parse
from mobile_gateway.storage import db
from mobile_gateway.storage.models import CrosspostEntry, FeedSubscription, utcnow


def test_new_entries_become_echoes_old_ones_are_not_replayed(crossposting, store, feeds):
    """Entries older than the subscription are skipped; newer ones are posted, oldest first."""
    feeds.feed(
        "/atom",
        atom(
            [
                ("e3", "later", soon() + timedelta(seconds=1), "http://wassr.example/3"),
                ("e2", "new one", soon(), "http://wassr.example/2"),
                ("e1", "from 2009", PAST, "http://wassr.example/1"),
            ]
        ),
    )
    ident = subscribe(store, "taro", feeds.url("/atom"))
    output = run(crossposting)
    assert "2 posted" in output
    assert store.bodies("taro") == [
        "new one http://wassr.example/2",
        "later http://wassr.example/3",
    ]
    feed = status(store, ident)
    assert (feed.last_status, feed.posted_count, feed.etag) == ("ok", 2, '"v1"')


def test_conditional_get_and_nothing_posted_twice(crossposting, store, feeds):
    """The next fetch sends If-None-Match / If-Modified-Since; a 304 posts nothing."""
    feeds.feed("/atom", atom([("e1", "hello", soon(), None)]))
    ident = subscribe(store, "taro", feeds.url("/atom"))
    run(crossposting)
    make_due(store)
    assert "not_modified" in run(crossposting)
    second = feeds.hits("/atom")[1]
    assert second["If-None-Match"] == '"v1"'
    assert second["If-Modified-Since"] == "Mon, 01 Jun 2009 12:00:00 GMT"
    feeds.feed("/atom", atom([("e1", "hello", soon(), None)]), etag='"v2"')
    make_due(store)
    run(crossposting)
    assert store.bodies("taro") == ["hello"]
    assert status(store, ident).last_status == "ok"


def test_a_feed_that_repeats_entries_posts_each_once(crossposting, store, feeds):
    """The same entry id twice in a feed, and again in later fetches, is one echo."""
    entries = [("dup", "same", soon(), None), ("dup", "same again", soon(), None)]
    feeds.feed("/rss", rss(entries), etag=None, kind="rss")
    subscribe(store, "taro", feeds.url("/rss"))
    run(crossposting)
    for _ in range(2):
        make_due(store)
        run(crossposting)
    assert len(store.bodies("taro")) == 1


def test_undated_entries_of_the_first_fetch_are_the_past(crossposting, store, feeds):
    """Undated entries present at the first fetch are not posted; undated new ones are."""
    feeds.feed("/atom", atom([("old", "old", None, None)]), etag=None)
    subscribe(store, "taro", feeds.url("/atom"))
    run(crossposting)
    assert store.bodies("taro") == []
    feeds.feed("/atom", atom([("new", "new", None, None), ("old", "old", None, None)]), etag=None)
    make_due(store)
    run(crossposting)
    assert store.bodies("taro") == ["new"]


def test_markup_and_carrier_emoji_in_an_entry(crossposting, store, feeds, phone):
    """Markup becomes text; SoftBank's and Google's emoji become standard ones; others 〓."""
    title = (
        "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;晴れ&lt;/b&gt;\ue04a \U000fe000"
        " docomo\ue63e forged\U001016a6"
    )
    feeds.feed("/atom", atom([("e1", title, soon(), "http://twitter.example/taro/1")]))
    subscribe(store, "taro", feeds.url("/atom"))
    run(crossposting)
    [body] = store.bodies("taro")
    assert body == "晴れ☀️ ☀️ docomo〓 forged〓 http://twitter.example/taro/1"
    handset = phone("docomo_mova")
    handset.get("/u/taro")
    assert "晴れ☀️" in handset.text and "<script" not in handset.raw.decode("cp932", "replace")


def test_a_long_entry_is_cut_and_its_link_kept_whole(crossposting, store, feeds):
    """A long entry is cut to 150 characters with its link whole at the end."""
    link = "http://blog.example/2009/06/01/a-rather-long-permalink-that-must-stay-whole"
    feeds.feed("/atom", atom([("e1", "長" * 300, soon(), link)]))
    subscribe(store, "taro", feeds.url("/atom"))
    run(crossposting)
    [body] = store.bodies("taro")
    from mobile_gateway.echo.text import count_chars

    assert body.endswith("… " + link) and count_chars(body) == 150


def test_errors_are_recorded_and_back_off(crossposting, store, feeds):
    """Malformed XML, HTTP errors, huge and slow bodies, redirect loops: an error each."""
    feeds.routes["/malformed"] = lambda h: (
        h.send_response(200),
        h.end_headers(),
        h.wfile.write(b"<rss><channel><item><title>x</title></item"),
    )
    feeds.routes["/gone"] = lambda h: h.send_error(410)
    feeds.routes["/huge"] = lambda h: (
        h.send_response(200),
        h.send_header("Content-Length", str(50 * 1024 * 1024)),
        h.end_headers(),
        h.wfile.write(b"<" * 1024),
    )

    def endless(handler):
        handler.send_response(200)
        handler.end_headers()
        chunk = b"<!-- " + b"x" * 65536 + b" -->"
        for _ in range(800):  # 50 MB, no Content-Length: cut off by the size limit
            handler.wfile.write(chunk)

    def drip(handler):
        import time

        handler.send_response(200)
        handler.end_headers()
        for _ in range(60):
            handler.wfile.write(b" ")
            handler.wfile.flush()
            time.sleep(0.1)

    feeds.routes["/endless"] = endless
    feeds.routes["/slow"] = slow(3)
    feeds.routes["/drip"] = drip
    feeds.routes["/loop"] = lambda h: (
        h.send_response(302),
        h.send_header("Location", "/loop"),
        h.end_headers(),
    )
    expected = {
        "/malformed": "XMLが正しくありません",
        "/gone": "HTTP 410",
        "/huge": "大きすぎます",
        "/endless": "大きすぎます",
        "/slow": "タイムアウト",
        "/drip": "時間がかかりすぎました",
        "/loop": "リダイレクトが多すぎます",
    }
    ids = {path: subscribe(store, "taro", feeds.url(path)) for path in expected}
    run(crossposting)
    for path, message in expected.items():
        feed = status(store, ids[path])
        assert feed.last_status == "error" and message in feed.last_error, (path, feed.last_error)
        assert feed.failures == 1
        assert feed.next_fetch_at > utcnow() + timedelta(minutes=20)  # backed off
    assert len(feeds.hits("/loop")) == 4  # the first request and three redirects
    assert store.bodies() == []


def test_redirects_to_internal_addresses_are_refused_before_connecting(crossposting, store, feeds):
    """A redirect to a metadata, private or link-local address is refused; no connection."""
    for n, target in enumerate(
        [
            "http://169.254.169.254/latest/meta-data/",
            "http://10.0.0.1/feed",
            "http://[::ffff:192.168.0.1]/",
        ]
    ):
        feeds.routes[f"/r{n}"] = lambda h, t=target: (
            h.send_response(301),
            h.send_header("Location", t),
            h.end_headers(),
        )
    ids = [subscribe(store, "taro", feeds.url(f"/r{n}")) for n in range(3)]
    run(crossposting)
    for ident in ids:
        assert "内部のアドレス" in status(store, ident).last_error


def test_feedparser_never_fetches_what_a_body_names(crossposting, store, feeds):
    """A body that is only an address is not fetched by the parser (an SSRF of its own)."""
    feeds.routes["/secret"] = lambda h: (h.send_response(200), h.end_headers())
    feeds.feed("/atom", feeds.url("/secret").encode())
    ident = subscribe(store, "taro", feeds.url("/atom"))
    run(crossposting)
    assert feeds.hits("/secret") == []
    assert status(store, ident).last_status == "error"
    assert parse is not None


def test_several_workers_post_each_entry_exactly_once(crossposting, store, feeds):
    """Workers that read the same feed at the same moment post each entry once between them."""
    items = parse(atom([(f"e{n}", f"entry {n}", soon(), None) for n in range(8)]))
    ident = subscribe(store, "taro", feeds.url("/atom"))
    engine = db.get_engine(crossposting)
    factory = db.make_session_factory(engine)
    barrier = threading.Barrier(3)
    posted, errors = [], []

    def work():
        with factory() as session:
            subscription = session.get(FeedSubscription, ident)
            barrier.wait()
            try:
                posted.append(
                    worker.post_entries(session, subscription, items, first=False, most=100)
                )
            except Exception as exc:  # reported below
                errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sum(posted) == 8
    assert sorted(store.bodies("taro")) == sorted(f"entry {n}" for n in range(8))
    with store.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(CrosspostEntry)) == 8


def test_the_database_refuses_a_second_row_for_an_entry(crossposting, store):
    """The unique constraint itself: one row per feed and entry key."""
    import pytest
    from sqlalchemy.exc import IntegrityError

    ident = subscribe(store, "taro", "http://127.0.0.1:9/feed")
    with store.session() as session:
        session.add(CrosspostEntry(subscription_id=ident, entry_key="k" * 64))
        session.commit()
        session.add(CrosspostEntry(subscription_id=ident, entry_key="k" * 64))
        with pytest.raises(IntegrityError):
            session.commit()


def test_a_leased_feed_is_left_to_its_worker(crossposting, store, feeds):
    """A feed another worker holds is not fetched by this one."""
    feeds.feed("/atom", atom([("e1", "x", soon(), None)]))
    ident = subscribe(store, "taro", feeds.url("/atom"))
    with store.session() as session:
        session.execute(
            sa.update(FeedSubscription).values(leased_until=utcnow() + timedelta(minutes=5))
        )
        session.commit()
    assert "0 feeds fetched" in run(crossposting)
    assert feeds.hits("/atom") == [] and status(store, ident).last_status is None


def test_loop_runs_rounds_with_jittered_sleeps(crossposting, store, feeds, monkeypatch):
    """``crosspost run --loop --rounds 2`` fetches, sleeps a jittered while, fetches again."""
    slept = []
    monkeypatch.setattr(worker, "_sleep", slept.append)
    feeds.feed("/atom", atom([("e1", "x", soon(), None)]))
    subscribe(store, "taro", feeds.url("/atom"))
    result = crossposting.test_cli_runner().invoke(
        args=["crosspost", "run", "--loop", "--rounds", "2"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.count("feed ") == 1  # fetched in round one, not yet due in round two
    assert len(slept) == 1 and 0.9 * 1 <= slept[0] <= 60 * 1.1
    assert store.bodies("taro") == ["x"]
