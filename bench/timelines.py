"""The two ways of reading a timeline, side by side by friend count: where the walk pays.

A timeline page is read either *per author* (each friend's newest echoes through the
``(author_id, created_at, id)`` index) or by *walking* the global time index and keeping
friends' echoes (``mobile_gateway/echo/lists.py``). This times both, forced, on the data of
``bench/pages.py`` (10,000 users with 20-50 friends, 1,000,000 echoes of real prose), for
users with 25 to 5,000 friends, on three pages: the home page (5 echoes), the first archive
page (25) and the 40th (keyset paging from the first). It also times the strategy the app
chooses (:func:`lists.strategies`, from ``WALK_MIN_FRIENDS``), which should be the faster
of the two on each row, and checks that both strategies give the same echoes in the same
order. Usage::

    python bench/timelines.py [--db sqlite|postgresql|both] [--rounds 7]
                              [--friends 25,100,200,300,400,600,1000,2000,5000]

It uses ``bench/pages.py``'s cached database (built there on first use: about two minutes
on SQLite, five on PostgreSQL) and adds, to its run copy only, one user per friend count
beyond the probe users (their friends drawn from everyone, seeded). PostgreSQL runs in a
database ``mg_bench_timelines``, dropped at the end. Times are medians of the per-round
means, rounds interleaved (every row and strategy once per round), in process, through the
app's own :func:`paging.paginate`: the database's work plus the app's loading of the cards.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pages  # noqa: E402  (bench/pages.py: the data, the cache, PostgreSQL helpers)

from mobile_gateway.echo.lists import WALK_MIN_FRIENDS  # noqa: E402  (pages puts ROOT on the path)

PG_DBNAME = "mg_bench_timelines"
PAGES = (("home", 5, 1), ("archive p1", 25, 1), (f"archive p{pages.ARCHIVE_PAGE}", 25, 40))


def add_users(url: str, ds: pages.Dataset, counts: list[int]) -> dict[int, int]:
    """Return {friend count: user id}: the probe users, and a new user for each other count."""
    import sqlalchemy as sa

    from mobile_gateway.storage import db
    from mobile_gateway.storage.models import Friendship, User

    have = {given: ident for ident, _, given in ds.probes}
    engine = db.make_engine(url)
    rng = random.Random(ds.seed + 7)
    try:
        with engine.begin() as conn:
            template = conn.execute(sa.select(User.__table__).where(User.id == 1)).mappings().one()
            user_id = conn.scalar(sa.select(sa.func.max(User.id)))
            friendship_id = conn.scalar(sa.select(sa.func.max(Friendship.id)))
            for count in counts:
                if count in have:
                    continue
                user_id += 1
                name = f"t{count:05d}"
                conn.execute(
                    sa.insert(User.__table__),
                    {**template, "id": user_id, "name": name, "name_key": name},
                )
                rows = []
                for friend in sorted(rng.sample(range(1, ds.users + 1), count)):
                    friendship_id += 1
                    rows.append(
                        {
                            "id": friendship_id,
                            "user_low_id": friend,
                            "user_high_id": user_id,
                            "requester_id": friend,
                            "status": "accepted",
                            "created_at": template["created_at"],
                            "accepted_at": template["created_at"],
                        }
                    )
                conn.execute(sa.insert(Friendship.__table__), rows)
                have[count] = user_id
            if engine.dialect.name == "postgresql":
                for table in ("users", "friendships"):
                    conn.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                conn.exec_driver_sql("ANALYZE users")
                conn.exec_driver_sql("ANALYZE friendships")
            else:
                conn.exec_driver_sql("ANALYZE")
    finally:
        engine.dispose()
    return {count: have[count] for count in counts}


def cursors(session, user_id: int) -> dict[str, str | None]:
    """Return the cursor of each page of :data:`PAGES` (read per author)."""
    from mobile_gateway.echo import lists, paging

    found: dict[str, str | None] = {}
    for page, limit, number in PAGES:
        cursor = None
        for _ in range(number - 1):
            source = lists.timeline(user_id, strategy="per_author")
            cursor = paging.paginate(session, source, cursor, limit).next_cursor
            if cursor is None:
                raise SystemExit(f"user {user_id} has fewer than {number} pages of {limit}")
        found[page] = cursor
    return found


def measure(url: str, users: dict[int, int], rounds: int) -> dict:
    """Return {(friends, page, strategy): median ms}; strategy None is the app's own choice."""
    from mobile_gateway.echo import lists, paging
    from mobile_gateway.storage import db

    engine = db.make_engine(url)
    session = db.make_session_factory(engine)()
    try:
        where = {count: cursors(session, uid) for count, uid in users.items()}
        cases = [
            (count, page, limit, strategy)
            for count in users
            for page, limit, _ in PAGES
            for strategy in ("per_author", "walk", None)
        ]
        for count, page, limit, _ in cases[::3]:
            uid, cursor = users[count], where[count][page]
            ids = {}
            for strategy in ("per_author", "walk", None):
                source = lists.timeline(uid, strategy=strategy)
                ids[strategy] = [
                    c.id for c in paging.paginate(session, source, cursor, limit).items
                ]
            if not ids["per_author"] or len({tuple(v) for v in ids.values()}) != 1:
                raise SystemExit(f"{count} friends, {page}: the strategies differ: {ids}")
        chosen = {count: lists.strategies(session, uid)[0] for count, uid in users.items()}
        times: dict[tuple, list[float]] = {case[:2] + case[3:]: [] for case in cases}
        for r in range(rounds):
            for count, page, limit, strategy in cases:
                uid, cursor = users[count], where[count][page]
                source = lists.timeline(uid, strategy=strategy)
                paging.paginate(session, source, cursor, limit)  # warm
                calls, start = 0, time.perf_counter()
                while calls < 3 or time.perf_counter() - start < 0.05:
                    paging.paginate(session, source, cursor, limit)
                    calls += 1
                times[count, page, strategy].append((time.perf_counter() - start) / calls * 1e3)
                session.rollback()
            pages.log(f"  round {r + 1}/{rounds}")
    finally:
        session.close()
        engine.dispose()
    return {
        "ms": {key: statistics.median(values) for key, values in times.items()},
        "chosen": chosen,
    }


def report(kind: str, users: dict[int, int], result: dict) -> None:
    ms, chosen = result["ms"], result["chosen"]
    print(f"\n{kind}: ms per page (median of rounds), per author / walk / chosen")
    header = f"{'friends':>8} {'chosen':>10}"
    for page, _, _ in PAGES:
        header += f" | {page:^24}"
    print(header)
    for count in users:
        line = f"{count:>8,} {chosen[count]:>10}"
        for page, _, _ in PAGES:
            per, walk, own = (ms[count, page, s] for s in ("per_author", "walk", None))
            line += (
                f" | {per:6.2f} {walk:7.2f} {own:7.2f}{'*' if own > 1.2 * min(per, walk) else ' '}"
            )
        print(line)
    print("  (* the chosen strategy took over 1.2x the faster one)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--echoes", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--friends", default="25,100,200,300,400,600,1000,2000,5000")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get(
            "MOBILE_GATEWAY_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
    )
    parser.add_argument("--cache-dir", type=Path, default=Path("/tmp/mobile-gateway-bench"))
    args = parser.parse_args()
    counts = [int(part) for part in args.friends.split(",")]
    if max(counts) > args.users:
        raise SystemExit(f"--friends: at most --users ({args.users})")
    pages.PG_DBNAME = PG_DBNAME  # not the database a running bench/pages.py measures
    ds = pages.Dataset(args.users, args.echoes)
    args.cache_dir.mkdir(parents=True, exist_ok=True)
    run_dir = args.cache_dir / f"timelines-{os.getpid()}"
    run_dir.mkdir()
    print(
        f"{args.users:,} users, {args.echoes:,} echoes ({ds.text_source}); "
        f"WALK_MIN_FRIENDS = {WALK_MIN_FRIENDS}"
    )
    try:
        for kind in ["sqlite", "postgresql"] if args.db == "both" else [args.db]:
            if kind == "sqlite":
                url = pages.prepare_sqlite(args.cache_dir, run_dir, ds, rebuild=False)
            else:
                url = pages.prepare_postgresql(args.cache_dir, args.pg_url, ds, rebuild=False)
            try:
                users = add_users(url, ds, counts)
                pages.log(f"{kind}: timing {len(users)} users x {len(PAGES)} pages x 3 ...")
                report(kind, users, measure(url, users, args.rounds))
            finally:
                if kind == "postgresql":
                    pages.pg_drop(args.pg_url)
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
