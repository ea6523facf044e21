"""Pages per second of the real app beside a bare Flask app serving the same bytes.

On a database of 10,000 users (20-50 mutual friends each), three probe users with exactly
25, 500 and 5,000 friends, and 1,000,000 echoes (10-140 characters cut from real Japanese
prose, Debian's ``manpages-ja`` through ``bench/prose_corpus.py``, with 1-3 emoji each; 10%
answer a recent echo as ``@name``, 2% carry a URL), on SQLite and on PostgreSQL:

* the signed-in home page from the real app under waitress, and the same bytes and headers
  from a one-route Flask app under the same waitress settings, for a DoCoMo FOMA i-mode
  browser 1.0 (``DoCoMo/2.0 SH902i(c100;TB;W24H12)``, no cookies: ``?sid=``, Shift_JIS)
  and for a PC browser (session cookie, UTF-8), loaded alternately (real, bare, ...) in
  the same rounds with the same load generator (``wrk`` if installed, else a bounded
  Python one) and concurrency: requests/s, p50/p99 latency, the server's CPU per request
  and the real/bare ratio (target >= 0.33);
* one connection, in rounds of their own: that user's home page, archive page 1 and page
  40 (39 ``next`` links followed; a PC browser reads the archive if the DoCoMo pages are
  shortened by the page budget): archive/home and page 40/page 1 (targets <= 1.5);
* the fan-in table: the same three pages of each probe user (DoCoMo), and 500/25 and
  5000/25 friends for each page (target <= 1.5: timeline cost independent of friends);
* per call, in this process: the page encoder on the DoCoMo home page text and on an
  emoji-dense 3 KB text, and the DoCoMo form decoder on a 50-byte field with 2 emoji,
  each beside plain ``cp932`` on the same text without emoji (target <= 3x).

The summary is one table of every page measured, then one line per ratio with its target
("ok" or "BELOW target"), and the command line. Without manpages-ja the bodies come from a
word list (it says so; the cache key says which). Usage::

    python bench/pages.py [--db sqlite|postgresql|both] [--users 10000] [--echoes 1000000]
                          [--duration 10] [--rounds 3] [--connections 8] [--profile 200]

``--profile N`` also profiles N home-page requests in-process (cProfile) and lists the SQL
each page runs. Everything runs on 127.0.0.1; durations are bounded; servers are stopped.

The database is built once per size and reused from a cache under /tmp/mobile-gateway-bench
(one folder per data key: sizes, seed, ``DATA_VERSION``, text source): the SQLite file,
copied for each run, and a ``pg_dump`` of the PostgreSQL one, restored into a fresh
database ``mg_bench`` each run and dropped at the end. A cached database made at an older
migration is migrated to the newest before it is measured (the summary says so).
``--rebuild`` ignores the cache; delete the folders to free the disk.

At 10,000,000 echoes (PostgreSQL only)::

    python bench/pages.py --db postgresql --echoes 10000000 --duration 6 --rounds 3

The first run seeds by COPY, streaming: Python holds one batch of 50,000 echoes, never the
10,000,000 (the ages come out already sorted, one at a time, and only the authors of the
last 2,048 echoes are kept): the process peaked at 192 MB, as it did seeding 1,000,000.
Measured on 2 shared CPUs: seeding 225 s (COPY at ~50,000 echoes/s with ~1,000,000
mention rows, the 4 plain indexes built after it in 19 s, VACUUM ANALYZE), then ``pg_dump``
79 s (on a slower machine of the same kind, seeding took 672 s at ~16,000 echoes/s);
the database takes 4.1 GB and the cached dump 0.75 GB (``/tmp/mobile-gateway-bench/
u10000-e10000000-.../postgresql.dump``); the whole first run took 8.6 minutes. Later runs
restore the dump (``pg_restore -j 2``, which builds the indexes again, then VACUUM ANALYZE)
instead of seeding. Delete the folder to free the disk.
"""

from __future__ import annotations

import argparse
import cProfile
import html
import http.client
import io
import json
import os
import pstats
import random
import re
import secrets
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))  # prose_corpus, codecs (as bench_codecs)

#: Bump when the generated data changes, so old caches are not reused.
DATA_VERSION = 2
DOCOMO_UA = "DoCoMo/2.0 SH902i(c100;TB;W24H12)"
PC_UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"
PG_DBNAME = "mg_bench"
SERVER_THREADS = 4
HOME_ITEMS = 5
ARCHIVE_PAGE = 40
#: Friends of the probe users of the fan-in table.
PROBE_FRIENDS = (25, 500, 5000)
#: How far back an answer reaches (echoes); authors of that many echoes are kept.
REPLY_WINDOW = 2048
#: Shift_JIS bytes of manpages-ja prose the echo bodies are cut from.
PROSE_SIZE = 1_000_000

TEXT_WORDS = (
    "今日", "は", "ラーメン", "電車", "なう", "眠い", "!", "ケータイ", "おはよう", "おやすみ",
    "雨", "晴れ", "会社", "学校", "ビール", "カラオケ", "行きたい", "うまし", "〜", "。", "、",
    "w", "残業", "花見", "週末", "ﾊﾝｶｸ", "ABC", "テスト",
)  # fmt: skip
#: DoCoMo has most of these; some only by best fit or as ``[name]`` text; the last two are
#: carrier-only emoji in internal form (as in the demo data).
EMOJI = (
    "☀️", "☁️", "☔", "⛄", "🎵", "🍺", "📱", "✨", "🌸", "❤️", "1️⃣", "🍜", "🐱", "😂", "💦",
    "🎉", "👍", "🥳", "🇯🇵", "👍🏻", "🍣", "👨\u200d👩\u200d👧", chr(0x1016A6), chr(0x1016A7),
)  # fmt: skip
DISPLAY_NAMES = (
    "たろう",
    "はなこ",
    "けんじ",
    "ゆき",
    "さくら",
    "ﾀﾛｳ",
    "Ken",
    "みさき🌸",
    "だいすけ",
)


#: How each database was obtained this run, for the summary.
SEEDING: dict[str, str] = {}


def log(message: str) -> None:
    """Print a progress line at once."""
    print(message, flush=True)


def loadavg() -> str:
    """Return the 1-minute load average as text."""
    return f"{os.getloadavg()[0]:.2f}"


# --- Data -------------------------------------------------------------------------------


class Dataset:
    """Deterministic benchmark data: users, mutual friendships, echoes (oldest first).

    The users ``u00001`` .. are followed by one probe user per :data:`PROBE_FRIENDS` entry,
    with exactly that many accepted friends among them (fewer only when there are not that
    many users: :attr:`probes` says). Everyone posts alike. Echo bodies are cuts of real
    Japanese prose (``bench/prose_corpus.py``; the word list when manpages-ja is missing).
    """

    def __init__(self, users: int, echoes: int, seed: int = 2009):
        self.users, self.echoes, self.seed = users, echoes, seed
        #: Fixed in the cache key's meta; relative times on pages do not matter here.
        self.base = datetime.now(timezone.utc).replace(microsecond=0)
        #: (user id, friends asked for, friends given) of each probe user.
        self.probes = [
            (users + 1 + i, wanted, min(wanted, users)) for i, wanted in enumerate(PROBE_FRIENDS)
        ]
        self.total_users = users + len(self.probes)
        self.prose, self.text_source = load_prose()

    @property
    def key(self) -> str:
        # Not the migration head: a cached database is migrated to the head when it is used
        # (:func:`upgrade_cached`), as a deployment's would be.
        return f"u{self.users}-e{self.echoes}-s{self.seed}-d{DATA_VERSION}-t{self.text_source}"

    def password_hash(self, rng: random.Random) -> str:
        """A cheap scrypt hash in the accounts module's self-describing format (n=16).

        ``users.verify_password`` reads the cost from the stored string, so these verify
        like real ones; ``_needs_rehash`` would upgrade them at the first sign-in.
        """
        import base64
        import hashlib

        salt = rng.randbytes(16)
        key = hashlib.scrypt(b"bench-password", salt=salt, n=16, r=1, p=1, dklen=32)

        def b64(data: bytes) -> str:
            return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")

        return f"scrypt$16$1$1${b64(salt)}${b64(key)}"

    def user_rows(self) -> list[tuple]:
        """(id, name, name_key, display_name, password_hash, echo_enabled, role, created_at)."""
        rng = random.Random(self.seed)
        created = self.base - timedelta(days=400)
        rows = []
        for i in range(1, self.total_users + 1):
            name = f"u{i:05d}"
            display = f"{rng.choice(DISPLAY_NAMES)}{i}"
            rows.append((i, name, name, display, self.password_hash(rng), True, "user", created))
        return rows

    def friendship_rows(self) -> list[tuple]:
        """(id, user_low_id, user_high_id, requester_id, status, created_at, accepted_at).

        20-50 friends per user, then the probe users' friends, sampled from the users.
        """
        rng = random.Random(self.seed + 1)
        n = self.users
        hi = min(50, n - 1)
        lo = min(20, hi)
        target = [rng.randint(lo, hi) for _ in range(n)]
        stubs = [u for u in range(n) for _ in range(target[u])]
        rng.shuffle(stubs)
        pairs: set[tuple[int, int]] = set()
        degree = [0] * n

        def add(a: int, b: int) -> bool:
            if a == b:
                return False
            pair = (a, b) if a < b else (b, a)
            if pair in pairs:
                return False
            pairs.add(pair)
            degree[a] += 1
            degree[b] += 1
            return True

        for a, b in zip(stubs[::2], stubs[1::2]):
            add(a, b)
        for u in range(n):  # top up the few that lost a pairing to a duplicate
            tries = 0
            while degree[u] < lo and tries < 100 * n:
                tries += 1
                v = rng.randrange(n)
                if degree[v] < hi:
                    add(u, v)
        when = self.base - timedelta(days=390)
        rows = []
        for ident, (a, b) in enumerate(sorted(pairs), 1):
            low, high = a + 1, b + 1
            requester = low if rng.random() < 0.5 else high
            rows.append((ident, low, high, requester, "accepted", when, when))
        self.degrees = sorted(degree)
        probe_rng = random.Random(self.seed + 3)
        for probe_id, _, count in self.probes:
            for friend in sorted(probe_rng.sample(range(1, n + 1), count)):
                requester = friend if probe_rng.random() < 0.5 else probe_id
                rows.append((len(rows) + 1, friend, probe_id, requester, "accepted", when, when))
        return rows

    def body(self, rng: random.Random, ident: int, reply_name: str | None) -> str:
        """The text of echo *ident*: 10-140 characters of prose, 1-3 emoji, a URL (2%).

        The prose is cut at a random place (drawn again, up to 3 times, where the cut is
        mostly ASCII); the emoji go at random places in it. *reply_name* starts it as
        ``@name`` (an answer). At most 150 characters in all, as posting allows.
        """
        emoji = rng.choices(EMOJI, k=rng.randint(1, 3))
        url = f" http://example.jp/{ident}" if rng.random() < 0.02 else ""
        prefix = f"@{reply_name} " if reply_name else ""
        if self.prose is None:  # the word list, mixed with the emoji
            words = rng.choices(TEXT_WORDS, k=rng.randint(1, 6)) + emoji
            rng.shuffle(words)
            return prefix + "".join(words) + url
        length = min(rng.randint(10, 140), 150 - len(emoji) - len(url) - len(prefix))
        for _ in range(4):  # mostly Japanese: the man pages hold English passages too
            start = rng.randrange(len(self.prose) - length)
            text = self.prose[start : start + length].strip()
            if sum(c.isascii() for c in text) * 2 <= len(text):
                break
        parts, last = [prefix], 0
        for at, one in zip(sorted(rng.randint(0, len(text)) for _ in emoji), emoji):
            parts += [text[last:at], one]
            last = at
        return "".join(parts) + text[last:] + url

    def batches(self, size: int):
        """Yield (echo rows, mention rows) of up to *size* echoes, oldest first.

        Echo rows are (id, author_id, body, reply_to_id, created_at); mention rows
        (echo_id, user_id, kind, created_at): the author of the echo answered, as posting
        records it (never the echo's own author). Memory stays flat at any size: the ages
        come out sorted (the order statistics of uniform draws, largest first) and only the
        authors of the last :data:`REPLY_WINDOW` echoes are kept.
        """
        rng = random.Random(self.seed + 2)
        n, total = self.total_users, self.echoes
        oldest, newest = 365 * 86400, 600
        recent = [0] * REPLY_WINDOW  # authors by id modulo the window
        fraction = 1.0
        echoes, mentions = [], []
        for ident in range(1, total + 1):
            # The largest of the remaining uniform draws: U_(k) = U_(k+1) * V ** (1 / k).
            fraction *= (1.0 - rng.random()) ** (1.0 / (total + 1 - ident))
            author = rng.randrange(n) + 1
            recent[ident % REPLY_WINDOW] = author
            reply_to = None
            if ident > 1 and rng.random() < 0.1:
                reply_to = max(1, ident - rng.randint(1, REPLY_WINDOW - 1))
            answered = recent[reply_to % REPLY_WINDOW] if reply_to else None
            body = self.body(rng, ident, f"u{answered:05d}" if answered else None)
            created = self.base - timedelta(seconds=newest + fraction * (oldest - newest))
            echoes.append((ident, author, body, reply_to, created))
            if answered and answered != author:
                mentions.append((ident, answered, "reply", created))
            if len(echoes) == size:
                yield echoes, mentions
                echoes, mentions = [], []
        if echoes:
            yield echoes, mentions

    def echo_batches(self, size: int):
        """Yield lists of (id, author_id, body, reply_to_id, created_at), oldest first."""
        for echoes, _ in self.batches(size):
            yield echoes


def load_prose() -> tuple[str | None, str]:
    """Return (one line of manpages-ja prose, "prose"), or (None, "words") without it."""
    import prose_corpus

    try:
        text = prose_corpus.prose(PROSE_SIZE)
    except SystemExit as missing:  # no man pages: the word list instead
        log(f"echo bodies from the word list, not prose: {missing}")
        return None, "words"
    return " ".join(text.split()), "prose"


USER_COLUMNS = (
    "id", "name", "name_key", "display_name", "password_hash", "echo_enabled", "role",
    "created_at",
)  # fmt: skip
FRIEND_COLUMNS = (
    "id", "user_low_id", "user_high_id", "requester_id", "status", "created_at", "accepted_at",
)  # fmt: skip
ECHO_COLUMNS = ("id", "author_id", "body", "reply_to_id", "created_at")
MENTION_COLUMNS = ("echo_id", "user_id", "kind", "created_at")


class Progress:
    """Prints rows loaded, rate and elapsed time."""

    def __init__(self, label: str, total: int):
        self.label, self.total, self.done = label, total, 0
        self.start = time.perf_counter()
        self.last = 0.0

    def add(self, count: int) -> None:
        self.done += count
        now = time.perf_counter() - self.start
        if now - self.last >= 5 or self.done >= self.total:
            self.last = now
            rate = self.done / now if now else 0
            log(f"  {self.label}: {self.done:,}/{self.total:,} ({rate:,.0f} rows/s, {now:.0f} s)")


def friendships_note(ds: Dataset, rows: list) -> str:
    """Describe the friendships loaded: how many, the degrees, the probe users."""
    probes = ", ".join(
        f"u{ident:05d} {given:,}"
        + (f" (asked {wanted:,}: too few users)" if given < wanted else "")
        for ident, wanted, given in ds.probes
    )
    return (
        f"  friendships: {len(rows):,} (degrees {ds.degrees[0]}..{ds.degrees[-1]}, "
        f"median {ds.degrees[len(ds.degrees) // 2]}; probe users {probes})"
    )


def build_sqlite(path: Path, ds: Dataset) -> None:
    """Create the schema with the migrations and bulk-insert the data (Core executemany)."""
    import sqlalchemy as sa

    from mobile_gateway.storage import db
    from mobile_gateway.storage.models import Echo, Friendship, Mention, User

    engine = db.make_engine(f"sqlite:///{path}")
    try:
        db.upgrade(engine)
        with engine.begin() as conn:
            conn.exec_driver_sql("PRAGMA synchronous=OFF")
            rows = ds.user_rows()
            conn.execute(sa.insert(User.__table__), [dict(zip(USER_COLUMNS, r)) for r in rows])
            log(f"  users: {len(rows):,}")
            rows = ds.friendship_rows()
            for i in range(0, len(rows), 50_000):
                chunk = rows[i : i + 50_000]
                conn.execute(
                    sa.insert(Friendship.__table__), [dict(zip(FRIEND_COLUMNS, r)) for r in chunk]
                )
            log(friendships_note(ds, rows))
        progress = Progress("echoes", ds.echoes)
        insert = sa.insert(Echo.__table__)
        insert_mentions = sa.insert(Mention.__table__)
        mentions = 0
        for batch, replies in ds.batches(50_000):
            with engine.begin() as conn:
                conn.exec_driver_sql("PRAGMA synchronous=OFF")
                conn.execute(insert, [dict(zip(ECHO_COLUMNS, r)) for r in batch])
                if replies:
                    conn.execute(insert_mentions, [dict(zip(MENTION_COLUMNS, r)) for r in replies])
            mentions += len(replies)
            progress.add(len(batch))
        log(f"  mentions (answers): {mentions:,}")
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()


def pg_params(admin_url: str) -> dict:
    """Return host, port, user, password of the PostgreSQL server in *admin_url*."""
    from sqlalchemy.engine import make_url

    url = make_url(admin_url)
    return {
        "host": url.host or "127.0.0.1",
        "port": url.port or 5432,
        "user": url.username or "postgres",
        "password": url.password,
        "dbname": url.database or "postgres",
    }


def pg_connect(admin_url: str, dbname: str | None = None, autocommit: bool = True):
    """Open a psycopg connection to *dbname* (default: the admin URL's database)."""
    import psycopg

    p = pg_params(admin_url)
    return psycopg.connect(
        host=p["host"], port=p["port"], user=p["user"], password=p["password"],
        dbname=dbname or p["dbname"], autocommit=autocommit,
    )  # fmt: skip


def pg_url(admin_url: str, dbname: str) -> str:
    """Return the SQLAlchemy URL of *dbname* on the admin URL's server."""
    from sqlalchemy.engine import make_url

    return (
        make_url(admin_url)
        .set(drivername="postgresql+psycopg", database=dbname)
        .render_as_string(hide_password=False)
    )


def pg_env(admin_url: str) -> dict:
    """Return the environment for pg_dump/pg_restore."""
    p = pg_params(admin_url)
    env = dict(os.environ, PGHOST=str(p["host"]), PGPORT=str(p["port"]), PGUSER=p["user"])
    if p["password"]:
        env["PGPASSWORD"] = p["password"]
    return env


def pg_create(admin_url: str) -> None:
    """Create an empty database ``mg_bench`` (dropping a leftover one first).

    Refuses while another session uses ``mg_bench`` (another run of this benchmark).
    """
    with pg_connect(admin_url) as conn:
        busy = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (PG_DBNAME,)
        ).fetchone()[0]
        if busy:
            raise SystemExit(f"{busy} sessions use {PG_DBNAME}: is another benchmark running?")
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_DBNAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{PG_DBNAME}"')


def pg_drop(admin_url: str) -> None:
    """Drop the benchmark database."""
    with pg_connect(admin_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_DBNAME}" WITH (FORCE)')


def build_postgresql(admin_url: str, ds: Dataset) -> None:
    """Create the schema with the migrations in ``mg_bench`` and load the data with COPY.

    The echoes and mentions stream from :meth:`Dataset.batches` into COPY, one statement
    per 50,000 echoes (no more rows than that in Python at a time). Their plain indexes
    are dropped for the load and built again after it from their own definitions
    (``pg_indexes``), faster than keeping them up to date row by row; the indexes of
    constraints stay.
    """
    from mobile_gateway.storage import db

    db.upgrade(pg_url(admin_url, PG_DBNAME))
    with pg_connect(admin_url, PG_DBNAME, autocommit=False) as conn:
        with conn.cursor() as cur:
            rows = ds.user_rows()
            with cur.copy(f"COPY users ({', '.join(USER_COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            log(f"  users: {len(rows):,}")
            rows = ds.friendship_rows()
            with cur.copy(f"COPY friendships ({', '.join(FRIEND_COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            log(friendships_note(ds, rows))
            indexes = cur.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
                " AND tablename IN ('echoes', 'mentions') AND indexname NOT IN"
                " (SELECT conname FROM pg_constraint)"
            ).fetchall()
            for name, _ in indexes:
                cur.execute(f'DROP INDEX "{name}"')
            progress = Progress("echoes", ds.echoes)
            mentions = 0
            for batch, replies in ds.batches(50_000):
                with cur.copy(f"COPY echoes ({', '.join(ECHO_COLUMNS)}) FROM STDIN") as copy:
                    for row in batch:
                        copy.write_row(row)
                if replies:
                    columns = ", ".join(MENTION_COLUMNS)
                    with cur.copy(f"COPY mentions ({columns}) FROM STDIN") as copy:
                        for row in replies:
                            copy.write_row(row)
                mentions += len(replies)
                progress.add(len(batch))
            log(f"  mentions (answers): {mentions:,}")
            start = time.perf_counter()
            cur.execute("SET maintenance_work_mem = '256MB'")
            for _, definition in indexes:
                cur.execute(definition)
            log(f"  {len(indexes)} indexes built in {time.perf_counter() - start:.0f} s")
            for table in ("users", "friendships", "echoes"):
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
        conn.commit()
    pg_vacuum(admin_url)


def pg_vacuum(admin_url: str) -> None:
    """VACUUM ANALYZE (statistics and the visibility map, as autovacuum would leave them),
    then CHECKPOINT, so that no checkpoint of the load's writes falls inside a measurement."""
    with pg_connect(admin_url, PG_DBNAME) as conn:
        conn.execute("VACUUM ANALYZE")
        conn.execute("CHECKPOINT")


def prepare_sqlite(cache: Path, run_dir: Path, ds: Dataset, rebuild: bool) -> str:
    """Return the URL of a fresh copy of the cached SQLite database (built if missing)."""
    folder = cache / ds.key
    meta_path = folder / "sqlite.json"
    cached = folder / "echo.sqlite3"
    if rebuild or not meta_path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / "echo.sqlite3.building"
        for leftover in folder.glob("echo.sqlite3.building*"):
            leftover.unlink()
        log(f"SQLite: building {ds.users:,} users, {ds.echoes:,} echoes in {tmp} ...")
        start = time.perf_counter()
        build_sqlite(tmp, ds)
        seconds = time.perf_counter() - start
        tmp.replace(cached)
        meta_path.write_text(
            json.dumps({"seconds": seconds, "built": time.ctime(), "peak_rss_mb": peak_rss_mb()})
        )
        log(f"SQLite: built in {seconds:.0f} s ({cached.stat().st_size / 1e6:.0f} MB)")
        SEEDING["sqlite"] = f"built now in {seconds:.0f} s"
    else:
        meta = json.loads(meta_path.read_text())
        log(f"SQLite: reusing {cached} (built {meta['built']} in {meta['seconds']:.0f} s)")
        SEEDING["sqlite"] = f"reused the cache (built in {meta['seconds']:.0f} s)"
    SEEDING["sqlite"] += f"; file {cached.stat().st_size / 1e9:.2f} GB" + built_rss(meta_path)
    run_copy = run_dir / "echo.sqlite3"
    shutil.copyfile(cached, run_copy)
    wal = folder / "echo.sqlite3-wal"  # normally absent: the build checkpoints
    if wal.exists() and wal.stat().st_size:
        shutil.copyfile(wal, run_dir / "echo.sqlite3-wal")
    url = f"sqlite:///{run_copy}"
    SEEDING["sqlite"] += upgrade_cached("sqlite", url)
    os.sync()  # write the copy out now rather than during a measurement
    return url


def upgrade_cached(kind: str, url: str) -> str:
    """Migrate a database from the cache to the newest revision; return a note for the
    summary ("" when it was at the head)."""
    from mobile_gateway.storage import db

    before, head = db.current(url), db.head()
    if before == head:
        return ""
    start = time.perf_counter()
    db.upgrade(url)
    seconds = time.perf_counter() - start
    log(f"{kind}: cached database migrated {before} -> {head} in {seconds:.0f} s")
    return f"; migrated {before} -> {head} in {seconds:.0f} s"


def prepare_postgresql(cache: Path, admin_url: str, ds: Dataset, rebuild: bool) -> str:
    """Create ``mg_bench`` from the cached dump (built and dumped if missing); return its URL."""
    folder = cache / ds.key
    meta_path = folder / "postgresql.json"
    dump = folder / "postgresql.dump"
    env = pg_env(admin_url)
    pg_create(admin_url)
    if rebuild or not meta_path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        log(f"PostgreSQL: building {ds.users:,} users, {ds.echoes:,} echoes in {PG_DBNAME} ...")
        start = time.perf_counter()
        build_postgresql(admin_url, ds)
        seconds = time.perf_counter() - start
        log(f"PostgreSQL: built in {seconds:.0f} s; dumping to {dump} for later runs ...")
        tmp = folder / "postgresql.dump.tmp"
        start = time.perf_counter()
        subprocess.run(["pg_dump", "-Fc", "-f", str(tmp), PG_DBNAME], env=env, check=True)
        tmp.replace(dump)
        meta_path.write_text(
            json.dumps({"seconds": seconds, "built": time.ctime(), "peak_rss_mb": peak_rss_mb()})
        )
        log(f"PostgreSQL: dumped in {time.perf_counter() - start:.0f} s")
        SEEDING["postgresql"] = f"built now in {seconds:.0f} s (COPY, indexes, VACUUM ANALYZE)"
    else:
        meta = json.loads(meta_path.read_text())
        log(f"PostgreSQL: restoring {dump} (built {meta['built']} in {meta['seconds']:.0f} s) ...")
        start = time.perf_counter()
        subprocess.run(
            ["pg_restore", "--no-owner", "-j", "2", "-d", PG_DBNAME, str(dump)], env=env, check=True
        )
        migrated = upgrade_cached("postgresql", pg_url(admin_url, PG_DBNAME))
        pg_vacuum(admin_url)  # pg_restore brings no statistics
        seconds = time.perf_counter() - start
        log(f"PostgreSQL: restored and analysed in {seconds:.0f} s")
        SEEDING["postgresql"] = (
            f"restored the cached dump in {seconds:.0f} s (built in {meta['seconds']:.0f} s)"
            + migrated
        )
    with pg_connect(admin_url, PG_DBNAME) as conn:
        size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    SEEDING[
        "postgresql"
    ] += f"; database {size / 1e9:.2f} GB, dump {dump.stat().st_size / 1e9:.2f} GB" + built_rss(
        meta_path
    )
    return pg_url(admin_url, PG_DBNAME)


def peak_rss_mb() -> float:
    """Return the peak resident memory of this process so far, in MB."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def built_rss(meta_path: Path) -> str:
    """Return the peak memory of the process that built the cache, from its meta."""
    rss = json.loads(meta_path.read_text()).get("peak_rss_mb")
    return f", process peak memory {rss:.0f} MB by the end of seeding" if rss else ""


@dataclass(frozen=True)
class Visitor:
    """A signed-in browser: whose session, and how it presents it.

    Terminals that keep cookies present the session in the ``mgsid`` cookie (a ``sid`` in
    their URLs is ignored); the others, such as the DoCoMo i-mode browser 1.0, as ``?sid=``.
    """

    user: str
    user_id: int
    ua: str
    token: str
    cookies: bool

    @property
    def browser(self) -> str:
        return "DoCoMo" if self.ua == DOCOMO_UA else "PC" if self.ua == PC_UA else self.ua[:10]

    def headers(self) -> dict[str, str]:
        """The request headers: User-Agent, and the session cookie where it is kept."""
        from mobile_gateway.accounts.web_session import COOKIE_NAME

        headers = {"User-Agent": self.ua}
        if self.cookies:
            headers["Cookie"] = f"{COOKIE_NAME}={self.token}"
        return headers

    def url(self, path: str) -> str:
        """*path* as this browser asks for it (with ``?sid=`` when it keeps no cookies)."""
        return path if self.cookies else f"{path}?sid={self.token}"


def sign_in(url: str, ua: str, user_id: int | None = None) -> Visitor:
    """Create a session of the terminal *ua* names, as a sign-in from it would.

    For *user_id*, or else for the first user whose home shows 5 echoes with emoji.
    """
    import emoji
    import sqlalchemy as sa

    from mobile_gateway.accounts import passwords, sessions
    from mobile_gateway.echo import echoes
    from mobile_gateway.phone import terminals
    from mobile_gateway.storage import db
    from mobile_gateway.storage.models import User

    terminal = terminals.detect({"User-Agent": ua})
    binding = sessions.TerminalBinding(terminal.carrier, terminal.model, terminal.full_browser)
    engine = db.make_engine(url)
    try:
        with db.make_session_factory(engine)() as session:
            if user_id is not None:
                candidates = [session.get(User, user_id)]
            else:
                candidates = session.scalars(sa.select(User).order_by(User.id).limit(200))
            for user in candidates:
                if user_id is None:
                    items = echoes.home(session, user)
                    if len(items) != HOME_ITEMS or not all(
                        emoji.emoji_count(e.body) or any(ord(c) > 0xFFFFF for c in e.body)
                        for e in items
                    ):
                        continue
                assert passwords.verify_password(user.password_hash, "bench-password")
                token, _ = sessions.create(session, binding, user)
                return Visitor(user.name, user.id, ua, token, terminal.cookies)
    finally:
        engine.dispose()
    raise SystemExit("no user with 5 emoji echoes on the home page among the first 200")


def friend_count(url: str, user_id: int) -> int:
    """Return how many accepted friends *user_id* has."""
    import sqlalchemy as sa

    from mobile_gateway.echo import friends
    from mobile_gateway.storage import db

    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            ids = friends.friend_ids(user_id).subquery()
            return conn.scalar(sa.select(sa.func.count()).select_from(ids))
    finally:
        engine.dispose()


def page_text(url: str, visitor: Visitor) -> tuple[str, object, str]:
    """Return the home page of *visitor* as the app hands it to its page encoder.

    (internal HTML text, the terminal, the emoji fallback), taken in-process from
    ``phone.outbound.encode_page`` during one request; if the page did not go through it,
    the page's bytes decoded by the page's codec (then emoji the carrier lacks are their
    fallbacks already).
    """
    import carrier_emoji
    from mobile_gateway import create_app
    from mobile_gateway.phone import outbound, terminals
    from mobile_gateway.storage import db

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secrets.token_urlsafe(48)})
    client = app.test_client()
    seen = []
    original = outbound.encode_page

    def spy(html_text, terminal, fallback="fit"):
        seen.append((html_text, terminal, fallback))
        return original(html_text, terminal, fallback)

    outbound.encode_page = spy
    try:
        response = client.get(visitor.url("/"), headers=visitor.headers())
    finally:
        outbound.encode_page = original
        db.get_engine(app).dispose()
    if response.status_code != 200:
        raise SystemExit(f"home page in-process: HTTP {response.status_code}")
    if seen:
        return seen[-1]
    log("the home page did not go through phone.outbound.encode_page: decoding its bytes")
    terminal = terminals.detect(visitor.headers())
    return carrier_emoji.decode(response.get_data(), terminal.page_codec), terminal, "fit"


# --- Servers ------------------------------------------------------------------------------


def serve_main(argv: list[str]) -> None:
    """Child process: ``_serve real URL PORT THREADS`` or ``_serve bare DIR PORT THREADS``."""
    kind, arg, port, threads = argv
    import waitress

    if kind == "real":
        from mobile_gateway import create_app

        app = create_app({"DATABASE_URL": arg, "SECRET_KEY": secrets.token_urlsafe(48)})
    else:
        from flask import Flask, Response

        folder = Path(arg)
        body = (folder / "body.bin").read_bytes()
        headers = json.loads((folder / "headers.json").read_text())
        app = Flask("bare")

        @app.route("/")
        def page():
            response = Response(body, 200, content_type=headers["Content-Type"])
            for name, value in headers.items():
                if name.lower() not in SERVER_HEADERS:
                    response.headers[name] = value
            return response

    waitress.serve(app, host="127.0.0.1", port=int(port), threads=int(threads))


#: Response headers that waitress writes itself (or that describe the connection): the bare
#: app serves every other header of the real page.
SERVER_HEADERS = {"content-length", "date", "server", "connection", "transfer-encoding"}


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A waitress subprocess on 127.0.0.1."""

    def __init__(self, name: str, kind: str, arg: str, run_dir: Path, threads: int):
        self.name = name
        self.port = free_port()
        self.log_path = run_dir / f"{name}.log"
        self.log_file = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "_serve", kind, arg, str(self.port), str(threads)],
            stdout=self.log_file, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise SystemExit(f"{name} server died:\n{self.log_path.read_text()[-3000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit(f"{name} server did not start") from None
                time.sleep(0.2)

    def get(self, path: str, headers: dict) -> tuple[int, dict, bytes]:
        """GET *path* once with *headers*: (status, headers, body)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            conn.close()

    def cpu_seconds(self) -> float:
        """Return the CPU time (user + system) the server process has used."""
        return proc_cpu(self.proc.pid)

    def stop(self) -> None:
        """Stop the server (TERM, then KILL) and close its log."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.log_file.close()


def proc_cpu(pid: int) -> float:
    """Return utime + stime of process *pid* in seconds (0 if gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- Load ---------------------------------------------------------------------------------

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def run_wrk(port: int, path: str, headers: dict, connections: int, duration: float) -> dict:
    """Load with wrk (one thread); return rps, p50/p99 ms, requests, errors."""
    cmd = [
        "wrk", "-t1", f"-c{connections}", f"-d{max(1, round(duration))}s", "--latency",
        "--timeout", "30s",
    ]  # fmt: skip
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    cmd.append(f"http://127.0.0.1:{port}{path}")
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60).stdout

    def latency(pct: str) -> float:
        match = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
        return float(match[1]) * _UNITS_MS[match[2]]

    try:
        result = {
            "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]),
            "p50": latency("50"),
            "p99": latency("99"),
            "requests": int(re.search(r"(\d+) requests in", out)[1]),
        }
    except TypeError:
        raise SystemExit(f"could not read wrk's output:\n{out}") from None
    errors = 0
    match = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if match:
        errors += int(match[1])
    match = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if match:
        errors += sum(int(x) for x in match.groups())
    result["errors"] = errors
    return result


def run_python_load(port: int, path: str, headers: dict, connections: int, duration: float) -> dict:
    """Bounded keep-alive load from threads (when wrk is missing); same figures as wrk."""
    deadline = time.perf_counter() + duration
    latencies: list[list[float]] = []
    errors = [0]
    lock = threading.Lock()

    def worker():
        local = []
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                ok = False
            local.append(time.perf_counter() - start)
            if not ok:
                with lock:
                    errors[0] += 1
        conn.close()
        with lock:
            latencies.append(local)

    start = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    flat = sorted(x for local in latencies for x in local)
    return {
        "rps": len(flat) / elapsed,
        "p50": flat[len(flat) // 2] * 1000,
        "p99": flat[min(len(flat) - 1, int(len(flat) * 0.99))] * 1000,
        "requests": len(flat),
        "errors": errors[0],
    }


class Load:
    """One load generator for every run, with the server's (and database's) CPU per request."""

    def __init__(self, use_wrk: bool, db_pids=lambda: []):
        self.run = run_wrk if use_wrk else run_python_load
        self.name = "wrk -t1" if use_wrk else "python threads"
        self.db_pids = db_pids

    def __call__(
        self, server: Server, path: str, headers: dict, conns: int, seconds: float
    ) -> dict:
        pids = self.db_pids() if server.name == "real" else []
        cpu0, db0, load0 = server.cpu_seconds(), sum(map(proc_cpu, pids)), os.getloadavg()[0]
        result = self.run(server.port, path, headers, conns, seconds)
        cpu1, db1 = server.cpu_seconds(), sum(map(proc_cpu, pids))
        n = max(1, result["requests"])
        result["cpu_ms"] = (cpu1 - cpu0) * 1000 / n
        result["db_cpu_ms"] = (db1 - db0) * 1000 / n if pids else None
        result["load"] = (load0 + os.getloadavg()[0]) / 2
        return result


# --- One database -------------------------------------------------------------------------

#: The "next" link of a list: accesskey "#" on feature phones, rel="next" on the others.
_NEXT_RE = re.compile(r'<a\s[^>]*(?:accesskey="#"|rel="next")[^>]*>')
_HREF_RE = re.compile(r'href="([^"]+)"')
_ITEM_RE = re.compile(r'<a href="/echo/\d+[^"]*">返信</a>')
_CHARSET_RE = re.compile(r"charset=([\w-]+)", re.I)
_DOCOMO_EMOJI_RE = re.compile(rb"[\xf8\xf9][\x40-\xfc]")


def page_charset(headers: dict) -> str:
    """Return the Python codec that reads the markup of a page with *headers*."""
    match = _CHARSET_RE.search(headers.get("Content-Type", ""))
    charset = match[1].lower() if match else "utf-8"
    return "cp932" if charset in ("shift_jis", "shift-jis", "sjis", "windows-31j") else charset


def follow_archive(server: Server, visitor: Visitor, pages: int) -> tuple[str, list[int]]:
    """Follow ``next`` from archive page 1 to page *pages*; return its path and item counts."""
    path = visitor.url("/archive")
    counts = []
    for number in range(1, pages + 1):
        status, headers, body = server.get(path, visitor.headers())
        if status != 200:
            raise SystemExit(f"archive page {number} of {visitor.user}: HTTP {status}")
        text = body.decode(page_charset(headers), "replace")
        counts.append(len(_ITEM_RE.findall(text)))
        if number == pages:
            return path, counts
        match = _NEXT_RE.search(text)
        if match is None:
            raise SystemExit(
                f"archive page {number} of {visitor.user} has no next link (timeline too short?)"
            )
        path = html.unescape(_HREF_RE.search(match[0])[1])
    raise AssertionError


def archive_of(kind: str, real: Server, url: str, visitor: Visitor) -> tuple[Visitor, str, str]:
    """Return (who reads, path of page 1, path of page 40) of *visitor*'s archive.

    Read by *visitor* unless the page budget shortens its pages: then by a PC browser
    signed in as the same user.
    """
    from mobile_gateway.echo import echoes

    p40, counts = follow_archive(real, visitor, ARCHIVE_PAGE)
    if min(counts) < echoes.PAGE_SIZE:
        log(
            f"[{kind}] {visitor.user}: {visitor.browser} archive pages shortened to fit the page "
            f"budget ({min(counts)}..{max(counts)} echoes): using a PC browser for the archive"
        )
        visitor = sign_in(url, PC_UA, visitor.user_id)
        p40, counts = follow_archive(real, visitor, ARCHIVE_PAGE)
    log(
        f"[{kind}] {visitor.user} archive ({visitor.browser}): page 1 and page {ARCHIVE_PAGE} "
        f"have {counts[0]} and {counts[-1]} echoes; page {ARCHIVE_PAGE} is {p40.split('&')[0]}..."
    )
    return visitor, visitor.url("/archive"), p40


def check_home(kind: str, server: Server, visitor: Visitor, friends: int) -> tuple[dict, bytes]:
    """GET *visitor*'s home page once; check it shows 5 echoes; return (headers, body)."""
    status, headers, body = server.get(visitor.url("/"), visitor.headers())
    charset = page_charset(headers)
    text = body.decode(charset, "replace")
    items = len(_ITEM_RE.findall(text))
    note = ""
    if charset == "cp932":
        note = f", ~{len(_DOCOMO_EMOJI_RE.findall(body))} DoCoMo emoji codes"
    log(
        f"[{kind}] {visitor.user} ({friends:,} friends) home ({visitor.browser}): HTTP {status}, "
        f"{len(body)} bytes, {headers.get('Content-Type')}, {items} echoes{note}"
    )
    if status != 200 or items != HOME_ITEMS:
        raise SystemExit(f"unexpected home page:\n{text[:2000]}")
    return headers, body


def median_of(runs: list[dict], key: str) -> float | None:
    """Return the median of *key* over *runs* (None if no run has it)."""
    values = [r[key] for r in runs if r[key] is not None]
    return statistics.median(values) if values else None


def row(kind: str, page: str, who: str, browser: str, conns: int, runs: list[dict]) -> dict:
    """Return one row of the table: the medians of *runs*."""
    return {
        "db": kind, "page": page, "user": who, "browser": browser, "conns": conns,
        "rps": median_of(runs, "rps"),
        "rps_range": (min(r["rps"] for r in runs), max(r["rps"] for r in runs)),
        "p50": median_of(runs, "p50"), "p99": median_of(runs, "p99"),
        "cpu_ms": median_of(runs, "cpu_ms"), "db_cpu_ms": median_of(runs, "db_cpu_ms"),
        "load": median_of(runs, "load"), "errors": sum(r["errors"] for r in runs),
    }  # fmt: skip


def bench_db(
    kind: str, url: str, ds: Dataset, args, run_dir: Path, load: Load, results: list
) -> dict:
    """Measure one database; append rows to *results*; return facts for the report.

    Round after round: the home page of the DoCoMo user and of the same user on a PC,
    each from the real app and the bare one, at ``--connections``; then, one connection
    each, that user's home, archive page 1 and page 40, and the same three pages of each
    probe user (the fan-in table).
    """
    docomo = sign_in(url, DOCOMO_UA)
    pc = sign_in(url, PC_UA, docomo.user_id)
    friends = friend_count(url, docomo.user_id)
    facts: dict = {"user": docomo.user, "friends": friends, "home_bytes": {}}
    log(f"[{kind}] signed in as {docomo.user} ({friends} friends): DoCoMo by ?sid=, PC by cookie")
    probes = []
    for probe_id, _, given in ds.probes:
        count = friend_count(url, probe_id)
        if count != given:
            raise SystemExit(f"probe user {probe_id} has {count} friends, not {given}")
        probes.append((given, sign_in(url, DOCOMO_UA, probe_id)))
    facts["page_text"] = page_text(url, docomo)
    servers = []
    try:
        real = Server("real", "real", url, run_dir, args.threads)
        servers.append(real)
        homes = {}
        for visitor in (docomo, pc):
            headers, body = check_home(kind, real, visitor, friends)
            bare_dir = run_dir / f"bare-{kind}-{visitor.browser}"
            bare_dir.mkdir()
            (bare_dir / "body.bin").write_bytes(body)
            (bare_dir / "headers.json").write_text(json.dumps(headers))
            bare = Server(f"bare-{visitor.browser}", "bare", str(bare_dir), run_dir, args.threads)
            servers.append(bare)
            b_status, b_headers, b_body = bare.get(visitor.url("/"), visitor.headers())
            differ = sorted(
                name
                for name in {*headers, *b_headers}
                if name.lower() not in SERVER_HEADERS and headers.get(name) != b_headers.get(name)
            )
            if b_status != 200 or b_body != body or differ:
                raise SystemExit(f"bare app differs: status {b_status}, headers {differ}")
            homes[visitor.browser] = (visitor, bare)
            facts["home_bytes"][visitor.browser] = len(body)

        reader, p1, p40 = archive_of(kind, real, url, docomo)
        facts["archive_browser"] = reader.browser
        who = f"{docomo.user} ({friends})"
        singles = [  # (group, page, visitor, path): one connection each
            ("user", "home", reader, reader.url("/")),
            ("user", "archive p1", reader, p1),
            ("user", f"archive p{ARCHIVE_PAGE}", reader, p40),
        ]
        labels = {"user": who}
        for given, probe in probes:
            check_home(kind, real, probe, given)
            probe_reader, probe_p1, probe_p40 = archive_of(kind, real, url, probe)
            singles += [
                (given, "home", probe, probe.url("/")),
                (given, "archive p1", probe_reader, probe_p1),
                (given, f"archive p{ARCHIVE_PAGE}", probe_reader, probe_p40),
            ]
            labels[given] = f"{probe.user} ({given})"
        facts["profile_pages"] = [("home", docomo, docomo.url("/"))] + [
            (page if group == "user" else f"{page} of {labels[group]}", v, path)
            for group, page, v, path in singles[1:]
        ]

        # Warm up: pools, compiled SQL, templates, the OS cache.
        for visitor, bare in homes.values():
            for server in (real, bare):
                load(server, visitor.url("/"), visitor.headers(), args.connections, 2)
        for _, _, visitor, path in singles:
            load(real, path, visitor.headers(), 1, 1)

        single_seconds = max(2.0, args.duration / 2)
        home_runs = {(b, name): [] for b in homes for name in ("real", "bare")}
        for r in range(args.rounds):
            for browser, (visitor, bare) in homes.items():
                for name, server in (("real", real), ("bare", bare)):
                    res = load(
                        server, visitor.url("/"), visitor.headers(), args.connections, args.duration
                    )
                    home_runs[browser, name].append(res)
                    log(
                        f"[{kind}] round {r + 1}/{args.rounds} home {browser} {name}: "
                        f"{res['rps']:.0f} req/s, p50 {res['p50']:.1f} ms, p99 {res['p99']:.1f} "
                        f"ms, {res['cpu_ms']:.2f} ms CPU/req, load {res['load']:.2f}"
                        + (f", {res['errors']} errors" if res["errors"] else "")
                    )
        single_runs = {(group, page): [] for group, page, _, _ in singles}
        for r in range(args.rounds):
            for group, page, visitor, path in singles:
                res = load(real, path, visitor.headers(), 1, single_seconds)
                single_runs[group, page].append(res)
                log(
                    f"[{kind}] round {r + 1}/{args.rounds} {labels[group]} {page} "
                    f"({visitor.browser}, 1 conn): {res['rps']:.0f} req/s, p50 {res['p50']:.1f} "
                    f"ms, p99 {res['p99']:.1f} ms"
                    + (f", {res['errors']} errors" if res["errors"] else "")
                )
    finally:
        for server in servers:
            server.stop()

    facts["ratios"] = {}
    for browser, (visitor, _) in homes.items():
        for name in ("real", "bare"):
            results.append(
                row(kind, f"home {name}", who, browser, args.connections, home_runs[browser, name])
            )
        pairs = zip(home_runs[browser, "real"], home_runs[browser, "bare"])
        per_round = [a["rps"] / b["rps"] for a, b in pairs]
        facts["ratios"][browser] = (statistics.median(per_round), min(per_round), max(per_round))
    for (group, page), runs in single_runs.items():
        browser = next(v.browser for g, p, v, _ in singles if (g, p) == (group, page))
        results.append(row(kind, page, labels[group], browser, 1, runs))
    p50 = {key: median_of(runs, "p50") for key, runs in single_runs.items()}
    facts["p50"] = p50
    facts["fan_in"] = [given for given, _ in probes]
    return facts


# --- Profile ------------------------------------------------------------------------------

#: (file suffix, function) whose cumulative time per request the profile summary shows.
PROFILE_BUCKETS = (
    ("inbound.py", "read_request", "terminal + query decoding"),
    ("web_session.py", "load", "session load (sessions.load)"),
    ("service_period.py", "get_period", "service period (get_period)"),
    ("echo/views.py", "_reading_closed", "  _reading_closed (1 get_period)"),
    ("echoes.py", "home", "timeline query (echoes.home)"),
    ("echoes.py", "_timeline", "  building the SELECT"),
    ("outbound.py", "render", "render (template + encode)"),
    ("templating.py", "render_template", "  flask.render_template"),
    ("outbound.py", "encode_page", "  encode_page (carrier_emoji)"),
    ("template_helpers.py", "linkify", "  linkify filter"),
    ("web_session.py", "form_fields", "  form_fields"),
    ("flask/app.py", "url_for", "  url_for (Flask.url_for)"),
    ("default.py", "do_execute", "DBAPI execute (all queries)"),
    ("cache_key.py", "_generate_cache_key", "SQLAlchemy cache keys"),
    ("session.py", "close", "Session.close"),
)


def profile(url: str, pages: list[tuple[str, Visitor, str]], requests: int) -> None:
    """Profile the home page in-process; list the SQL of *pages*.

    The first of *pages* is the home page profiled; the SQL is listed for each: that user's
    archive pages 1 and 40, and the three pages of each probe user.
    """
    import sqlalchemy as sa

    from mobile_gateway import create_app
    from mobile_gateway.storage import db

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secrets.token_urlsafe(48)})
    client = app.test_client()
    engine = db.get_engine(app)
    statements: list[tuple[str, float]] = []

    @sa.event.listens_for(engine, "before_cursor_execute")
    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["t0"] = time.perf_counter()

    @sa.event.listens_for(engine, "after_cursor_execute")
    def after(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, (time.perf_counter() - conn.info["t0"]) * 1000))

    def get(path: str, visitor: Visitor):
        response = client.get(path, headers=visitor.headers())
        assert response.status_code == 200, response.status_code
        return response

    _, home_visitor, home = pages[0]
    for _ in range(30):
        get(home, home_visitor)
    start = time.perf_counter()
    for _ in range(requests):
        get(home, home_visitor)
    plain_ms = (time.perf_counter() - start) * 1000 / requests
    for label, visitor, path in pages:
        get(path, visitor)
        statements.clear()
        start = time.perf_counter()
        get(path, visitor)
        total = (time.perf_counter() - start) * 1000
        sql = sum(ms for _, ms in statements)
        log(
            f"  {label} ({visitor.browser}): {total:.1f} ms in-process, "
            f"{len(statements)} statements, {sql:.1f} ms in cursor.execute:"
        )
        for statement, ms in statements:
            flat = " ".join(statement.split())
            log(f"    {ms:7.2f} ms  {flat[:150]}{'...' if len(flat) > 150 else ''}")
    log(f"  home page in-process (Flask test client, no profiler): {plain_ms:.2f} ms/request")
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        get(home, home_visitor)
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt
    log(
        f"  cProfile, {requests} home requests ({total * 1000 / requests:.2f} ms/request "
        "under the profiler); cumulative time per request by step:"
    )
    for suffix, func, label in PROFILE_BUCKETS:
        found = [v for k, v in stats.stats.items() if k[0].endswith(suffix) and k[2] == func]
        if found:
            calls = sum(v[1] for v in found)
            cum = sum(v[3] for v in found)
            log(
                f"    {label:36s} {cum * 1000 / requests:6.2f} ms {100 * cum / total:5.1f}%"
                f"  ({calls / requests:.1f} calls/request)"
            )
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(25)
        lines = out.getvalue().splitlines()
        start = next(i for i, line in enumerate(lines) if "ncalls" in line)
        log(f"  top 25 by {order}:")
        for line in lines[start : start + 26]:
            log(f"    {line}")
    engine.dispose()


# --- Codecs -------------------------------------------------------------------------------


def bench_codecs():
    """Return ``bench/codecs.py`` as a module (imported by path: ``codecs`` is the stdlib's)."""
    import importlib.util

    module = sys.modules.get("bench_codecs")
    if module is None:
        spec = importlib.util.spec_from_file_location("bench_codecs", ROOT / "bench" / "codecs.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules["bench_codecs"] = module
    return module


def without_emoji(text: str) -> str:
    """Return *text* without its emoji (standard ones, and carriers' in internal form)."""
    import emoji

    text = emoji.replace_emoji(text, "")
    return "".join(c for c in text if ord(c) < 0xF0000 and c not in "\u200d\u20e3\ufe0e\ufe0f")


def japanese_run(text: str, length: int) -> str:
    """Return the first *length* characters of *text* that hold no ASCII (else its start)."""
    for start in range(0, len(text) - length, 7):
        run = text[start : start + length]
        if not any(c.isascii() for c in run):
            return run
    return text[:length]


def field_of(run: str, emoji: list[str], codec: str, size: int = 50) -> str:
    """Return the shortest start of *run*, with *emoji* spread in it, of >= *size* bytes."""
    for n in range(1, len(run) + 1):
        text = run[:n]
        step = max(1, n // (len(emoji) + 1))
        for i, one in enumerate(emoji):
            at = min(len(text), step * (i + 1) + i)
            text = text[:at] + one + text[at:]
        if len(text.encode(codec)) >= size:
            return text
    raise ValueError("run too short")


def codec_figures(page: tuple[str, object, str], rounds: int) -> list[dict]:
    """Per-call cost of the codec calls of the request path beside plain ``cp932``.

    * The page encoder (``phone.outbound.encode_page``, HTML mode, the page's codec and
      emoji fallback) on the DoCoMo home page text as the app rendered it, and on an
      emoji-dense 3 KB text (``bench/codecs.py``'s: prose with one DoCoMo emoji per ~3
      characters), each against ``str.encode("cp932")`` of the same text without emoji.
    * The form decoder: ``bytes.decode`` with the codec ``phone.inbound.form_codec`` picks
      for a DoCoMo Shift_JIS form (as ``decode_pairs`` calls it) on a 50-byte field of
      Japanese prose with 2 DoCoMo emoji, against ``bytes.decode("cp932")`` of a 50-byte
      field of prose without emoji.

    Each call is timed in interleaved rounds (``bench/codecs.py``'s ``timed``); medians.
    """
    codecs_bench = bench_codecs()
    from mobile_gateway.phone import inbound, outbound

    html_text, terminal, fallback = page
    prose, source = load_prose()
    if prose is None:
        prose = codecs_bench.random_text(200_000)
        log("codec figures: random Japanese text instead of prose (no manpages-ja)")
    keys = codecs_bench.carrier_emoji_keys(terminal.carrier)
    dense = codecs_bench.head(codecs_bench.prose_corpus.with_emoji(prose, keys, every=3), 3000)
    form_codec = inbound.form_codec(terminal, inbound.CHARSET_PROBE.encode("cp932"))
    run = japanese_run(prose, 60)
    rng = random.Random(2009)
    field = field_of(run, rng.sample(keys, 2), form_codec).encode(form_codec)
    plain_field = field_of(japanese_run(prose[len(prose) // 2 :], 60), [], "cp932")
    plain_field_bytes = plain_field.encode("cp932")

    def encode(text: str) -> bytes:
        return outbound.encode_page(text, terminal, fallback)

    def decode(data: bytes) -> str:
        return data.decode(form_codec)

    def plain_encode(text: str) -> bytes:
        return text.encode("cp932", "replace")

    def plain_decode(data: bytes) -> str:
        return data.decode("cp932")

    cases = []
    for label, text in (("home page as rendered", html_text), ("emoji-dense 3 KB text", dense)):
        plain = without_emoji(text)
        lost = len(plain) - len(plain.encode("cp932", "ignore").decode("cp932"))
        cases.append({
            "label": f"page encode, {label}", "codec": terminal.page_codec, "calls": 200,
            "func": encode, "arg": text, "bytes": len(encode(text)),
            "emoji": count_emoji(text),
            "base": plain_encode, "base_arg": plain, "base_bytes": len(plain_encode(plain)),
            "note": f" ({lost} characters cp932 lacks)" if lost else "",
        })  # fmt: skip
    cases.append({
        "label": "form decode, 50-byte field", "codec": form_codec, "calls": 5000,
        "func": decode, "arg": field, "bytes": len(field), "emoji": count_emoji(decode(field)),
        "base": plain_decode, "base_arg": plain_field_bytes, "base_bytes": len(plain_field_bytes),
        "note": "",
    })  # fmt: skip
    times = {i: ([], []) for i in range(len(cases))}
    for case in cases:  # warm up
        case["func"](case["arg"])
        case["base"](case["base_arg"])
    for _ in range(rounds):
        for i, case in enumerate(cases):
            times[i][0].append(codecs_bench.timed(case["func"], case["arg"], case["calls"]))
            times[i][1].append(codecs_bench.timed(case["base"], case["base_arg"], case["calls"]))
    for i, case in enumerate(cases):
        case["us"] = statistics.median(times[i][0]) * 1e6
        case["base_us"] = statistics.median(times[i][1]) * 1e6
        case["ratio"] = case["us"] / case["base_us"]
    return cases


def count_emoji(text: str) -> int:
    """Return the emoji in *text*: standard ones and carriers' in internal form."""
    import emoji

    return emoji.emoji_count(text) + sum(ord(c) >= 0xF0000 for c in text)


# --- Summary ------------------------------------------------------------------------------

#: Targets of issue 11: (minimum real/bare, maximum ratio of pages, maximum codec multiple).
HOME_TARGET, PAGE_TARGET, CODEC_TARGET = 0.33, 1.5, 3.0


def verdict(value: float, target: float, at_least: bool) -> str:
    """Return "(target >= t: ok)" or "(target <= t: BELOW target)" for *value*."""
    met = value >= target if at_least else value <= target
    return f"(target {'>=' if at_least else '<='} {target:g}: {'ok' if met else 'BELOW target'})"


def print_summary(
    results: list[dict], facts: dict, codecs_: list[dict], args, command: str, load: Load
) -> None:
    """Print the command, the table of every page measured, and the ratio lines."""
    log("")
    log(f"command: {command}")
    log(
        f"load: {load.name}; home real/bare at {args.connections} connections for "
        f"{args.duration:g} s, other pages 1 connection for {max(2.0, args.duration / 2):g} s; "
        f"{args.rounds} rounds interleaved, medians; waitress threads={args.threads}; "
        f"{os.cpu_count()} CPUs; {args.users:,} users + probes, {args.echoes:,} echoes"
    )
    header = (f"{'db':10} {'page':11} {'user (friends)':15} {'browser':7} {'conns':>5} "
              f"{'req/s':>7} {'(min-max)':>13} {'p50 ms':>7} {'p99 ms':>7} {'CPU ms/req':>10} "
              f"{'db CPU':>6} {'load':>5} {'err':>3}")  # fmt: skip
    log(header)
    log("-" * len(header))
    for r in results:
        lo, hi = r["rps_range"]
        db_cpu = "" if r["db_cpu_ms"] is None else f"{r['db_cpu_ms']:.2f}"
        log(
            f"{r['db']:10} {r['page']:11} {r['user']:15} {r['browser']:7} {r['conns']:>5} "
            f"{r['rps']:7.0f} {f'({lo:.0f}-{hi:.0f})':>13} {r['p50']:7.2f} {r['p99']:7.2f} "
            f"{r['cpu_ms']:10.2f} {db_cpu:>6} {r['load']:5.2f} {r['errors']:3d}"
        )
    log("")
    for kind, f in facts.items():
        for browser, (ratio, lo, hi) in f["ratios"].items():
            log(
                f"{kind:10} home real/bare, {browser} = {ratio:.2f} (rounds {lo:.2f}-{hi:.2f}) "
                + verdict(ratio, HOME_TARGET, True)
            )
        p50 = f["p50"]
        page40 = f"archive p{ARCHIVE_PAGE}"
        value = p50["user", "archive p1"] / p50["user", "home"]
        log(
            f"{kind:10} archive p1 p50 / home p50, 1 conn, {f['archive_browser']} = {value:.2f} "
            + verdict(value, PAGE_TARGET, False)
        )
        value = p50["user", page40] / p50["user", "archive p1"]
        log(
            f"{kind:10} archive p{ARCHIVE_PAGE} p50 / p1 p50 = {value:.2f} "
            + verdict(value, PAGE_TARGET, False)
        )
        base, *others = f["fan_in"]
        for page in ("home", "archive p1", page40):
            for given in others:
                value = p50[given, page] / p50[base, page]
                log(
                    f"{kind:10} fan-in {page} p50, {given} / {base} friends = {value:.2f} "
                    + verdict(value, PAGE_TARGET, False)
                )
    for case in codecs_:
        log(
            f"{'codec':10} {case['label']} ({case['bytes']:,} bytes {case['codec']}, "
            f"{case['emoji']} emoji): {case['us']:.2f} us; cp932 without emoji "
            f"({case['base_bytes']:,} bytes{case['note']}) {case['base_us']:.2f} us = "
            f"{case['ratio']:.1f}x " + verdict(case["ratio"], CODEC_TARGET, False)
        )
    log("")
    for kind, f in facts.items():
        log(f"{kind:10} database: {SEEDING.get(kind, '?')}")
        log(
            f"{'':10} home pages: "
            + ", ".join(f"{b} {n:,} bytes" for b, n in f["home_bytes"].items())
            + f"; archive read by the {f['archive_browser']} browser"
        )
    log(
        "CPU ms/req: the waitress process's user+system CPU per request; db CPU: the "
        "PostgreSQL backends serving it (SQLite runs inside the app process). Codec "
        "figures: us per call, medians of interleaved rounds, in this process."
    )


# --- Main ---------------------------------------------------------------------------------


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_serve":
        serve_main(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__[__doc__.index("At 10,000,000 echoes") :],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--echoes", type=int, default=1_000_000)
    parser.add_argument("--duration", type=float, default=10, help="seconds per home-page run")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved real/bare rounds")
    parser.add_argument("--connections", type=int, default=8, help="home-page concurrency")
    parser.add_argument("--threads", type=int, default=SERVER_THREADS, help="waitress threads")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get(
            "MOBILE_GATEWAY_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
        help="server to create the benchmark database on (connects to this database first)",
    )
    parser.add_argument("--cache-dir", type=Path, default=Path("/tmp/mobile-gateway-bench"))
    parser.add_argument("--rebuild", action="store_true", help="ignore the cached databases")
    parser.add_argument("--loadgen", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument(
        "--codec-rounds", type=int, default=15, help="interleaved rounds of the codec figures"
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="also profile N home requests in-process and list the SQL",
    )
    args = parser.parse_args()  # fmt: skip
    command = "python " + shlex.join([os.path.relpath(sys.argv[0]), *sys.argv[1:]])
    use_wrk = args.loadgen == "wrk" or (args.loadgen == "auto" and shutil.which("wrk"))
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    ds = Dataset(args.users, args.echoes)
    args.cache_dir.mkdir(parents=True, exist_ok=True)
    run_dir = args.cache_dir / f"run-{os.getpid()}"
    run_dir.mkdir()
    log(f"{command}\nload average {loadavg()}, cache {args.cache_dir / ds.key}")
    results: list[dict] = []
    facts: dict[str, dict] = {}
    try:
        for kind in kinds:
            if kind == "sqlite":
                url = prepare_sqlite(args.cache_dir, run_dir, ds, args.rebuild)
                load = Load(use_wrk)
            else:
                url = prepare_postgresql(args.cache_dir, args.pg_url, ds, args.rebuild)

                def backend_pids():
                    with pg_connect(args.pg_url) as conn:
                        rows = conn.execute(
                            "SELECT pid FROM pg_stat_activity WHERE datname = %s", (PG_DBNAME,)
                        ).fetchall()
                    return [pid for (pid,) in rows]

                load = Load(use_wrk, backend_pids)
            try:
                facts[kind] = bench_db(kind, url, ds, args, run_dir, load, results)
                if args.profile:
                    log(f"[{kind}] profile:")
                    profile(url, facts[kind]["profile_pages"], args.profile)
            finally:
                if kind == "postgresql":
                    pg_drop(args.pg_url)
                else:
                    for path in run_dir.glob("echo.sqlite3*"):
                        path.unlink()
        log(f"codec figures ({args.codec_rounds} interleaved rounds) ...")
        codec_cases = codec_figures(facts[kinds[0]]["page_text"], args.codec_rounds)
        print_summary(results, facts, codec_cases, args, command, load)
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
