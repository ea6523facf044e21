"""The social queries (issue 12) on a big store and a small one: time, plans, the migration.

Builds the data of ``bench/pages.py`` (users with display names, 20-50 mutual friends
each, echoes of which 10% answer another and start with its author's ``@name``) at the
schema *before* the social migration, then times the migration itself (it fills
``user_search_terms`` and ``mentions`` from what is there), then runs each new query
through the app's own functions on a typical user:

* user search (a display-name part in katakana, the first page and the fifth);
* the replies page (replies and mentions to the user, first page and a later one);
* the home page's counts of new replies and waiting requests;
* friends-of-friends suggestions; a profile's counts; one echo's replies.

It prints the median time of each (interleaved rounds) on the small store and the big
one, their ratio (bounded queries stay near 1 as the store grows 100-fold), and the plan
of every statement (``EXPLAIN QUERY PLAN`` on SQLite, ``EXPLAIN (ANALYZE, BUFFERS)`` on
PostgreSQL). Usage::

    python bench/social.py [--db sqlite|postgresql|both] [--users 10000] [--echoes 1000000]
                           [--small-users 1000] [--small-echoes 10000] [--rounds 7]

Databases are cached under /tmp/mobile-gateway-bench/social-* (SQLite files, PostgreSQL
dumps) at the old schema and copied or restored for each run; PostgreSQL runs in the
databases ``mg_bench_social_small`` and ``mg_bench_social_big``, dropped at the end.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pages  # noqa: E402  (the data of the page benchmark)

#: The schema the data is loaded at: the revision before the social migration.
BEFORE = "0004_sequence_fits"
ECHO_COLUMNS = pages.ECHO_COLUMNS
log = pages.log


def build_sqlite(path: Path, ds: pages.Dataset) -> None:
    """Create the old schema and load the data with explicit columns (Core executemany)."""
    import sqlalchemy as sa

    from mobile_gateway.storage import db

    engine = db.make_engine(f"sqlite:///{path}")
    try:
        db.upgrade(engine, BEFORE)
        tables = {
            "users": sa.table("users", *map(sa.column, pages.USER_COLUMNS)),
            "friendships": sa.table("friendships", *map(sa.column, pages.FRIEND_COLUMNS)),
            "echoes": sa.table("echoes", *map(sa.column, ECHO_COLUMNS)),
        }
        with engine.begin() as conn:
            conn.exec_driver_sql("PRAGMA synchronous=OFF")
            rows = ds.user_rows()
            conn.execute(
                sa.insert(tables["users"]), [dict(zip(pages.USER_COLUMNS, r)) for r in rows]
            )
            rows = ds.friendship_rows()
            conn.execute(
                sa.insert(tables["friendships"]), [dict(zip(pages.FRIEND_COLUMNS, r)) for r in rows]
            )
        progress = pages.Progress("echoes", ds.echoes)
        for batch in ds.echo_batches(50_000):
            with engine.begin() as conn:
                conn.exec_driver_sql("PRAGMA synchronous=OFF")
                conn.execute(
                    sa.insert(tables["echoes"]), [dict(zip(ECHO_COLUMNS, r)) for r in batch]
                )
            progress.add(len(batch))
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()


def build_postgresql(admin_url: str, dbname: str, ds: pages.Dataset) -> None:
    """Create the old schema in *dbname* and load the data with COPY."""
    from mobile_gateway.storage import db

    db.upgrade(pages.pg_url(admin_url, dbname), BEFORE)
    with pages.pg_connect(admin_url, dbname, autocommit=False) as conn:
        with conn.cursor() as cur:
            for table, columns, rows in (
                ("users", pages.USER_COLUMNS, ds.user_rows()),
                ("friendships", pages.FRIEND_COLUMNS, ds.friendship_rows()),
            ):
                with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            progress = pages.Progress("echoes", ds.echoes)
            with cur.copy(f"COPY echoes ({', '.join(ECHO_COLUMNS)}) FROM STDIN") as copy:
                for batch in ds.echo_batches(50_000):
                    for row in batch:
                        copy.write_row(row)
                    progress.add(len(batch))
            for table in ("users", "friendships", "echoes"):
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
        conn.commit()


def pg_recreate(admin_url: str, dbname: str) -> None:
    with pages.pg_connect(admin_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{dbname}"')


def pg_drop(admin_url: str, dbname: str) -> None:
    with pages.pg_connect(admin_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


def prepare(kind: str, label: str, ds: pages.Dataset, args) -> tuple[str, float]:
    """Return (URL, migration seconds) of a fresh copy of the data, migrated to head now."""
    from mobile_gateway.storage import db

    folder = args.cache_dir / f"social-u{ds.users}-e{ds.echoes}-s{ds.seed}-d{pages.DATA_VERSION}"
    folder.mkdir(parents=True, exist_ok=True)
    if kind == "sqlite":
        cached = folder / "before.sqlite3"
        if not cached.exists():
            log(f"SQLite {label}: building {ds.users:,} users, {ds.echoes:,} echoes ...")
            tmp = folder / "before.sqlite3.building"
            tmp.unlink(missing_ok=True)
            build_sqlite(tmp, ds)
            tmp.replace(cached)
        run = args.run_dir / f"{label}.sqlite3"
        shutil.copyfile(cached, run)
        url = f"sqlite:///{run}"
    else:
        dbname = f"mg_bench_social_{label}"
        dump = folder / "before.pgdump"
        env = pages.pg_env(args.pg_url)
        pg_recreate(args.pg_url, dbname)
        if not dump.exists():
            log(f"PostgreSQL {label}: building {ds.users:,} users, {ds.echoes:,} echoes ...")
            build_postgresql(args.pg_url, dbname, ds)
            tmp = folder / "before.pgdump.tmp"
            subprocess.run(["pg_dump", "-Fc", "-f", str(tmp), dbname], env=env, check=True)
            tmp.replace(dump)
        else:
            subprocess.run(
                ["pg_restore", "--no-owner", "-j", "2", "-d", dbname, str(dump)],
                env=env,
                check=True,
            )
        url = pages.pg_url(args.pg_url, dbname)
    start = time.perf_counter()
    db.upgrade(url)
    seconds = time.perf_counter() - start
    if kind == "postgresql":
        with pages.pg_connect(args.pg_url, f"mg_bench_social_{label}") as conn:
            conn.execute("VACUUM ANALYZE")
    log(f"{kind} {label}: migrated to {db.head()} in {seconds:.1f} s")
    return url, seconds


class Capture:
    """Records the statements a block runs (SQL and parameters)."""

    def __init__(self, engine):
        import sqlalchemy as sa

        self.statements: list[tuple[str, object]] = []
        self.on = False
        sa.event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        if self.on:
            self.statements.append((statement, parameters))


def operations(session, user, echo_id: int) -> dict:
    """Return the operations to time, each a function of no arguments."""
    from mobile_gateway.echo import echoes, notifications, people

    cursors = {}

    def search_page_5():
        cursor = cursors.get("search")
        if cursor is None:
            cursor = None
            for _ in range(4):
                cursor = people.search(session, "タロ", cursor).next_cursor
            cursors["search"] = cursor
        return people.search(session, "タロ", cursor)

    def replies_page_2():
        cursor = cursors.get("replies")
        if cursor is None:
            cursor = cursors["replies"] = echoes.replies_and_mentions(session, user).next_cursor
        return echoes.replies_and_mentions(session, user, cursor)

    return {
        "search たろ (page 1)": lambda: people.search(session, "たろ"),
        "search タロ (page 5)": search_page_5,
        "search u0012 (names)": lambda: people.search(session, "u0012"),
        "replies+mentions p1": lambda: echoes.replies_and_mentions(session, user),
        "replies+mentions p2": replies_page_2,
        "home news counts": lambda: notifications.news(session, user),
        "suggestions (FoF)": lambda: people.suggestions(session, user),
        "profile counts": lambda: people.counts(session, user),
        "replies of an echo": lambda: echoes.replies_of(session, echo_id),
    }


def pick(session):
    """Return (a user with replies and mentions, an echo with replies)."""
    import sqlalchemy as sa

    from mobile_gateway.storage.models import Echo, Mention, User

    user_id = session.scalar(
        sa.select(Mention.user_id).group_by(Mention.user_id).order_by(
            sa.func.count().desc()).limit(1)  # fmt: skip
    )
    echo_id = session.scalar(
        sa.select(Echo.reply_to_id).where(Echo.reply_to_id.is_not(None))
        .group_by(Echo.reply_to_id).order_by(sa.func.count().desc()).limit(1)
    )  # fmt: skip
    return session.get(User, user_id), echo_id


def explain(engine, statements) -> list[str]:
    """Return the plan of each statement, as the database gives it."""
    out = []
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        for statement, parameters in statements:
            if engine.dialect.name == "sqlite":
                cur.execute("EXPLAIN QUERY PLAN " + statement, parameters)
                plan = "\n".join(f"  {'  ' * 0}{row[-1]}" for row in cur.fetchall())
            else:
                cur.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + statement, parameters)
                plan = "\n".join(f"  {row[0]}" for row in cur.fetchall())
            out.append(" ".join(statement.split())[:300] + "\n" + plan)
        raw.rollback()
    finally:
        raw.close()
    return out


def measure(url: str, rounds: int) -> tuple[dict, dict]:
    """Return (median ms of each operation, plans of each operation's statements)."""
    from mobile_gateway.storage import db

    engine = db.make_engine(url)
    capture = Capture(engine)
    try:
        with db.make_session_factory(engine)() as session:
            user, echo_id = pick(session)
            ops = operations(session, user, echo_id)
            times = {name: [] for name in ops}
            for name, op in ops.items():  # warm up; record the statements once
                op()
                capture.statements, capture.on = [], True
                op()
                capture.on = False
                times[name] = []
                ops[name] = (op, list(capture.statements))
            for _ in range(rounds):
                for name, (op, _) in ops.items():
                    start = time.perf_counter()
                    op()
                    times[name].append((time.perf_counter() - start) * 1000)
                    session.rollback()
            plans = {name: explain(engine, statements) for name, (_, statements) in ops.items()}
            return {name: statistics.median(t) for name, t in times.items()}, plans
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--echoes", type=int, default=1_000_000)
    parser.add_argument("--small-users", type=int, default=1_000)
    parser.add_argument("--small-echoes", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--cache-dir", type=Path, default=Path("/tmp/mobile-gateway-bench"))
    parser.add_argument("--plans", type=Path, help="write the plans to this file too")
    args = parser.parse_args()
    args.run_dir = args.cache_dir / f"social-run-{time.time_ns()}"
    args.run_dir.mkdir(parents=True)
    kinds = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    sizes = {
        "small": pages.Dataset(args.small_users, args.small_echoes),
        "big": pages.Dataset(args.users, args.echoes),
    }
    report = {}
    plan_text = []
    try:
        for kind in kinds:
            for label, ds in sizes.items():
                url, migration = prepare(kind, label, ds, args)
                times, plans = measure(url, args.rounds)
                report[(kind, label)] = (times, migration)
                if label == "big":
                    for name, items in plans.items():
                        plan_text.append(f"### {kind} {ds.echoes:,} echoes: {name}")
                        plan_text.extend(items)
                if kind == "postgresql":
                    pg_drop(args.pg_url, f"mg_bench_social_{label}")
    finally:
        shutil.rmtree(args.run_dir, ignore_errors=True)
    text = "\n\n".join(plan_text)
    print(text)
    if args.plans:
        args.plans.write_text(text)
    print(f"\nmedian of {args.rounds} interleaved rounds, ms "
          f"(small: {args.small_users:,} users / {args.small_echoes:,} echoes; "
          f"big: {args.users:,} users / {args.echoes:,} echoes)")  # fmt: skip
    for kind in kinds:
        small, migration_small = report[(kind, "small")]
        big, migration_big = report[(kind, "big")]
        print(f"\n{kind}: migration 0006 {migration_small:.1f} s small, {migration_big:.1f} s big")
        print(f"  {'operation':<24}{'small':>9}{'big':>9}{'big/small':>11}")
        for name in small:
            ratio = big[name] / small[name] if small[name] else float("nan")
            print(f"  {name:<24}{small[name]:>9.2f}{big[name]:>9.2f}{ratio:>11.2f}")
    print(json.dumps({f"{k}-{s}": v[0] for (k, s), v in report.items()}, ensure_ascii=False))


if __name__ == "__main__":
    main()
