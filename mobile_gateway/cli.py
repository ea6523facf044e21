"""The ``mobile-gateway`` command (also ``flask --app mobile_gateway``).

``init_app`` adds the commands to ``app.cli``; ``main`` is the console script: a Flask
command group that builds the app with :func:`mobile_gateway.create_app`.
"""

from __future__ import annotations

import random
from datetime import datetime
from datetime import timedelta

import carrier_emoji  # noqa: F401  (registers the codecs the demo decodes with)
import click
import sqlalchemy as sa
from flask import Flask
from flask import current_app
from flask.cli import FlaskGroup
from flask.cli import with_appcontext

from . import accounts
from . import db
from . import echoes
from . import friends
from . import service_period
from .models import Echo
from .models import User
from .models import utcnow

__all__ = ["init_app", "main"]

#: Demo users: (name, display name, password). The passwords are printed by ``demo``.
DEMO_USERS = (
    ("taro", "たろう", "taro-echo-2009"),
    ("hanako", "はなこ", "hanako-echo-2009"),
    ("kenji", "けんじ", "kenji-echo-2009"),
    ("yuki", "ゆき", "yuki-echo-2009"),
    ("sakura", "さくら", "sakura-echo-2009"),
    ("mobile_op", "運営", "mobile-op-2009"),
)
#: Demo friendships (all accepted); sakura's request to taro stays pending.
DEMO_FRIENDS = (
    ("taro", "hanako"),
    ("taro", "kenji"),
    ("taro", "yuki"),
    ("hanako", "yuki"),
    ("hanako", "sakura"),
    ("kenji", "yuki"),
    ("mobile_op", "taro"),
)
#: Demo echoes, oldest first: (author, body, 1-based number of the echo answered or None).
#: U+1016A6 and its neighbours are carrier-only emoji in internal form.
DEMO_ECHOES = (
    ("mobile_op", "Echo、はじめました！ひとことどうぞ🎵", None),
    ("taro", "今日はいい天気☀️ 散歩してきます", None),
    ("hanako", "おはよう☀️ 電車なう", None),
    ("kenji", "雨☔ 傘忘れた…", None),
    ("taro", "@kenji コンビニで買えるよ！", 4),
    ("yuki", "ランチはラーメン🍜 うまし", None),
    ("sakura", "はじめてのエコー。よろしくね" + chr(0x1016A6), None),
    ("hanako", "曇ってきた☁️", None),
    ("kenji", "ありがと、買った☔", 5),
    ("taro", "ビール🍺が冷えてる", None),
    ("yuki", "雪だるま⛄つくりたい", None),
    ("hanako", "カラオケ行く人〜🎵🎤", None),
    ("taro", "行く！", 12),
    ("yuki", "わたしも🙋", 12),
    ("mobile_op", "ケータイからも絵文字が送れます📱", None),
    ("kenji", "残業なう…💦", None),
    ("sakura", "ネコかわいい🐱", None),
    ("hanako", "新しいケータイほしい📱✨", None),
    ("taro", "今夜は鍋🍲", None),
    ("yuki", "明日テストだ📝", None),
    ("kenji", "がんばれ！👍", 20),
    ("hanako", "花見いきたいな🌸", None),
    ("taro", "週末どこか行こう🚃", None),
    ("sakura", "いいね" + chr(0x1016A7), 23),
    ("yuki", "ケーキ焼いた🎂", None),
    ("hanako", "おいしそう！", 25),
    ("kenji", "今日は早く帰れた🏠", None),
    ("taro", "夕焼けきれい🌇", None),
    ("mobile_op", "メンテナンスは明日の2時からです🔧", None),
    ("hanako", "星がきれい⭐", None),
    ("yuki", "おやすみ🌙", None),
    ("taro", "おやすみ〜💤", 31),
    ("kenji", "朝から晴れ☀️", None),
    ("sakura", "バイト終わった🎉", None),
    ("hanako", "ドライブ🚗 海まで", None),
    ("taro", "🍺🍺🍺 かんぱーい", None),
    ("yuki", "かんぱい🍻", 36),
    ("kenji", "電池切れそう🔋", None),
    ("hanako", "ありがとう❤️", None),
    ("taro", "1️⃣2️⃣3️⃣ 押してね", None),
)
#: Demo echoes as each carrier's phone sends them: (author, codec, bytes). They go through
#: carrier_emoji like a real post, so the timeline holds emoji from every carrier,
#: including carrier-only ones (DoCoMo F94A, au F370, SoftBank F7B1 "double loop").
DEMO_CARRIER_ECHOES = (
    ("kenji", "x-sjis-docomo", "ドコモから晴れ".encode("cp932") + b"\xf8\x9f\xf9\x4a"),
    ("hanako", "x-sjis-kddi", "auから".encode("cp932") + b"\xf6\x62\xf3\x70"),
    ("yuki", "x-utf8-softbank", "ソフトバンクから雪".encode() + "\ue048\ue33c".encode()),
    ("sakura", "x-sjis-softbank-webcode", "J-PHONEから".encode("cp932") + b"\x1b$Gji\x0f"),
    ("taro", "x-sjis-willcom", "WILLCOMから".encode("cp932") + b"\xf9\x87\xf9\x88"),
)
#: Words mixed into ``demo --bulk`` echoes.
_BULK_WORDS = ("今日", "☀️", "☁️", "☔", "⛄", "🎵", "🍺", "ラーメン", "電車", "なう", "眠い", "!")


@click.group("db")
def db_group() -> None:
    """Create, upgrade and inspect the database."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Create or upgrade the database schema."""
    db.upgrade(db.get_engine(), revision)
    click.echo(f"Database at revision {db.current(db.get_engine())}.")


@db_group.command("current")
@with_appcontext
def db_current() -> None:
    """Show the revision of the database and the newest one available."""
    revision = db.current(db.get_engine())
    click.echo(f"current: {revision or '(empty database)'}")
    click.echo(f"head:    {db.head()}")


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create or upgrade the database schema (same as "db upgrade")."""
    db.init_db()
    click.echo("Initialized the database.")


def _seed_demo(session, bulk: int = 0) -> bool:
    """Add the demo users, friendships and echoes unless present; return whether added."""
    if accounts.find_user(session, DEMO_USERS[0][0]) is not None:
        return False
    users: dict[str, User] = {}
    with click.progressbar(DEMO_USERS, label="Demo users") as bar:
        for name, display_name, password in bar:
            users[name] = accounts.find_user(session, name) or accounts.signup(
                session, name, password, display_name
            )
    for a, b in DEMO_FRIENDS:
        friends.request(session, users[a], users[b])
        friends.accept(session, users[b], users[a])
    friends.request(session, users["sakura"], users["taro"])
    # Spread the echoes over the last three days, the newest a few minutes ago.
    now = utcnow()
    step = timedelta(days=3) / len(DEMO_ECHOES)
    added: list[Echo] = []
    with click.progressbar(DEMO_ECHOES, label="Demo echoes") as bar:
        for index, (author, body, answered) in enumerate(bar):
            created_at = now - timedelta(minutes=3) - step * (len(DEMO_ECHOES) - 1 - index)
            echo = Echo(
                author=users[author],
                body=echoes.clean_body(body),
                reply_to=added[answered - 1] if answered else None,
                created_at=created_at,
            )
            session.add(echo)
            added.append(echo)
    for minutes, (author, codec, data) in enumerate(DEMO_CARRIER_ECHOES, start=1):
        body = echoes.clean_body(data.decode(codec))
        session.add(Echo(author=users[author], body=body, created_at=now - timedelta(minutes=minutes)))
    session.commit()
    if bulk:
        _seed_bulk(session, list(users.values()), bulk)
    return True


def _seed_bulk(session, authors: list[User], count: int) -> None:
    """Insert *count* generated echoes by *authors* over the past year, in batches."""
    rng = random.Random(2009)
    now = utcnow()
    ids = [user.id for user in authors]
    batch: list[dict] = []
    with click.progressbar(length=count, label="Bulk echoes") as bar:
        for _ in range(count):
            words = rng.choices(_BULK_WORDS, k=rng.randint(1, 8))
            batch.append(
                {
                    "author_id": rng.choice(ids),
                    "body": "".join(words),
                    "created_at": now - timedelta(seconds=rng.randint(600, 365 * 86400)),
                }
            )
            if len(batch) == 10_000:
                session.execute(sa.insert(Echo), batch)
                session.commit()
                bar.update(len(batch))
                batch.clear()
        if batch:
            session.execute(sa.insert(Echo), batch)
            session.commit()
            bar.update(len(batch))


@click.command("demo")
@click.option("--bulk", default=0, show_default=True, help="Also add this many generated echoes.")
@with_appcontext
def demo_command(bulk: int) -> None:
    """Create the database if needed and add demo users, friends and echoes."""
    db.init_db()
    _demo(bulk)


def _demo(bulk: int = 0) -> None:
    """Seed the demo data and print the demo accounts."""
    session = db.get_session()
    added = _seed_demo(session, bulk)
    click.echo("Demo data added." if added else "Demo data already present; nothing added.")
    click.echo("Demo accounts (name / password):")
    for name, _display_name, password in DEMO_USERS:
        click.echo(f"  {name:<10} {password}")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, help="Port to listen on.")
@click.option("--threads", default=4, show_default=True, help="Worker threads.")
@click.option("--demo", "with_demo", is_flag=True, help="Add the demo data first.")
@with_appcontext
def serve_command(host: str, port: int, threads: int, with_demo: bool) -> None:
    """Serve the app with waitress."""
    import waitress

    engine = db.get_engine()
    if engine.dialect.name == "sqlite":
        db.upgrade(engine)
    elif db.current(engine) != db.head():
        raise click.ClickException(
            "The database is not at the newest revision: run `mobile-gateway db upgrade`."
        )
    if with_demo:
        _demo()
    app = current_app._get_current_object()
    click.echo(f"Serving on http://{host}:{port}/ with {threads} threads.")
    # With TRUSTED_PROXIES the app reads X-Forwarded-For itself (client_address.py);
    # waitress 3 would drop the header before the app sees it.
    proxies = {"clear_untrusted_proxy_headers": False} if app.config["TRUSTED_PROXIES"] else {}
    waitress.serve(app, host=host, port=port, threads=threads, **proxies)


@click.group("operator")
def operator_group() -> None:
    """Manage operators."""


@operator_group.command("grant")
@click.argument("name")
@with_appcontext
def operator_grant(name: str) -> None:
    """Make the user NAME an operator."""
    try:
        user = accounts.grant_operator(db.get_session(), name)
    except accounts.UnknownUser:
        raise click.ClickException(f"No user named {name!r}.") from None
    click.echo(f"{user.name} is now an operator.")


@operator_group.command("revoke")
@click.argument("name")
@with_appcontext
def operator_revoke(name: str) -> None:
    """Make the operator NAME an ordinary user again."""
    try:
        user = accounts.revoke_operator(db.get_session(), name)
    except accounts.UnknownUser:
        raise click.ClickException(f"No user named {name!r}.") from None
    click.echo(f"{user.name} is no longer an operator.")


@click.group("service-period")
def service_period_group() -> None:
    """Show or set when posting (and reading) is open."""


def _parse_moment(value: str | None) -> datetime | None:
    """Parse an ISO 8601 date or time; ``none`` or empty means open-ended."""
    if value is None or value.strip().lower() in ("", "none"):
        return None
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(f"not an ISO 8601 date or time: {value!r}") from None


def _show_period(period: service_period.ServicePeriod) -> None:
    """Print *period* in Japan time."""

    def show(moment: datetime | None) -> str:
        return "(open)" if moment is None else moment.astimezone(service_period.JST).isoformat()

    click.echo(f"start:             {show(period.start)}")
    click.echo(f"end:               {show(period.end)}")
    click.echo(f"reading after end: {period.reading_after_end}")
    now = utcnow()
    click.echo(
        f"now:               posting {'open' if period.posting_open(now) else 'closed'}, "
        f"reading {'open' if period.reading_open(now) else 'closed'}"
    )


@service_period_group.command("show")
@with_appcontext
def service_period_show() -> None:
    """Show the service period."""
    _show_period(service_period.get_period(db.get_session()))


@service_period_group.command("set")
@click.option("--start", help="Start, ISO 8601 (naive = Japan time); 'none' for open.")
@click.option("--end", help="End, ISO 8601 (naive = Japan time); 'none' for open.")
@click.option(
    "--reading-after-end",
    type=click.Choice(service_period.READING_AFTER_END),
    default="open",
    show_default=True,
    help="Whether echoes can still be read after the end.",
)
@with_appcontext
def service_period_set(start: str | None, end: str | None, reading_after_end: str) -> None:
    """Set the service period (options left out become open-ended)."""
    try:
        period = service_period.set_period(
            db.get_session(), _parse_moment(start), _parse_moment(end), reading_after_end
        )
    except service_period.ServicePeriodError as error:
        raise click.ClickException(str(error)) from None
    _show_period(period)


@click.group("ranges")
def ranges_group() -> None:
    """Manage the carrier gateway IP ranges (subscriber ids are believed only from them)."""


@ranges_group.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option("--dry-run", is_flag=True, help="Only report what would change.")
@click.option("--replace", is_flag=True, help="Also remove ranges of the file's carriers it lacks.")
@with_appcontext
def ranges_import(file, dry_run: bool, replace: bool) -> None:
    """Import ranges from FILE (tab-separated: carrier, cidr, source, date)."""
    from . import gateway_ranges

    session = db.get_session()
    plan = gateway_ranges.plan_import(session, gateway_ranges.parse_file(file), replace=replace)
    for line in plan.report():
        click.echo(line)
    if plan.parsed.errors:
        raise click.ClickException("the file has errors; nothing imported")
    if dry_run:
        click.echo("dry run: nothing changed")
        return
    gateway_ranges.apply_plan(session, plan)
    gateway_ranges.invalidate()
    click.echo(f"imported: {len(plan.add)} added, {len(plan.remove)} removed")


@ranges_group.command("list")
@click.option("--carrier", type=click.Choice(("docomo", "au", "softbank", "willcom")))
@with_appcontext
def ranges_list(carrier: str | None) -> None:
    """List the stored ranges."""
    from . import gateway_ranges

    rows = gateway_ranges.list_ranges(db.get_session(), carrier)
    for row in rows:
        click.echo(f"{row.carrier}\t{row.cidr}\t{row.source or ''}")
    click.echo(f"{len(rows)} range(s)", err=True)


@ranges_group.command("add")
@click.argument("carrier")
@click.argument("cidr")
@with_appcontext
def ranges_add(carrier: str, cidr: str) -> None:
    """Add the range CIDR of CARRIER."""
    from . import gateway_ranges

    try:
        row = gateway_ranges.add_range(db.get_session(), carrier, cidr, source="cli")
    except gateway_ranges.RangeError as error:
        raise click.ClickException(str(error)) from None
    gateway_ranges.invalidate()
    click.echo(f"added {row.carrier} {row.cidr}")


@ranges_group.command("remove")
@click.argument("carrier")
@click.argument("cidr")
@with_appcontext
def ranges_remove(carrier: str, cidr: str) -> None:
    """Remove the range CIDR of CARRIER."""
    from . import gateway_ranges

    try:
        gateway_ranges.remove_range(db.get_session(), carrier, cidr)
    except gateway_ranges.RangeError as error:
        raise click.ClickException(str(error)) from None
    gateway_ranges.invalidate()
    click.echo(f"removed {carrier} {cidr}")


@ranges_group.command("stats")
@with_appcontext
def ranges_stats() -> None:
    """Show per carrier the stored ranges and the subscriber ids refused from elsewhere."""
    from . import gateway_ranges

    rows = gateway_ranges.list_ranges(db.get_session())
    click.echo("carrier   ranges  refused  today  last refused")
    for stats in gateway_ranges.untrusted_stats():
        count = sum(1 for row in rows if row.carrier == stats.carrier)
        last = (
            f"{stats.last_seen_at.isoformat(timespec='seconds')} from {stats.last_address}"
            if stats.last_seen_at
            else "-"
        )
        click.echo(f"{stats.carrier:<9} {count:>6}  {stats.total:>7}  {stats.today:>5}  {last}")


@click.group("emoji")
def emoji_group() -> None:
    """Look up, change, check, import and export the operators' emoji mappings.

    Every change is checked like on the console (/admin), logged with --actor, and reaches
    the running app instances within seconds.
    """


def _actor_option(command):
    """Add ``--actor``: the name the audit log records."""
    import getpass

    return click.option(
        "--actor",
        default=lambda: f"cli:{getpass.getuser()}",
        show_default="cli:<login>",
        help="Who makes the change, for the audit log.",
    )(command)


def _echo_row(row, layer) -> None:
    """Print one row with every notation of its codes."""
    from . import emoji_layer

    origin = "operator row" if row.key in layer else "shipped row"
    click.echo(f"{emoji_layer.describe_key(row.key)}  [{origin}]")
    for carrier, label in emoji_layer.CARRIER_LABELS.items():
        code, fit = row.code(carrier), row.fit_code(carrier)
        shown = "  ".join(emoji_layer.code_notations(carrier, code).values()) if code else "-"
        if carrier == "au" and row.localsrc:
            shown += f"  localsrc {row.localsrc}"
        if fit:
            shown += f"  (best fit {emoji_layer.format_code(fit)})"
        click.echo(f"  {label:<9} {shown}")
    click.echo(f"  name      {'[' + row.name_ja + ']' if row.name_ja else '-'}")
    if row.fit:
        click.echo(f"  means     {emoji_layer.describe_key(row.fit)}")
    if row.google:
        click.echo(f"  Google    U+{row.google:05X}")


def _echo_review(result) -> None:
    """Print a review: field changes, preview, effect, warnings, problems."""
    from . import emoji_layer

    for row_change in result.rows:
        click.echo(f"{emoji_layer.describe_key(row_change.key)}:")
        for name, before, after in row_change.fields_changed:
            click.echo(f"  {name}: {before!r} -> {after!r}")
        for line in result.preview.get(row_change.key, ()):
            mark = "*" if line.changed else " "
            click.echo(f" {mark}{line.codec:<24} {line.before.hex(' ').upper()}")
            if line.changed:
                click.echo(f"  {'':<24} -> {line.after.hex(' ').upper()}  {line.after_view}")
    for warning in result.warnings:
        click.echo(f"warning: {warning}")
    if not result.problems:
        click.echo(f"Affects {result.effect}.")


def _emoji_apply(change, actor: str, action: str, dry_run: bool) -> None:
    """Review *change*, print it, and apply it unless *dry_run* or refused."""
    from . import emoji_layer

    session = db.get_session()
    layer = emoji_layer.load_layer(session)
    result = emoji_layer.review(layer, change, emoji_layer.read_version(session) or 0)
    _echo_review(result)
    if not result.ok:
        raise click.ClickException("refused: " + "; ".join(result.problems))
    if dry_run:
        click.echo("dry run: nothing saved")
        return
    expected = {key: layer.get(key) for key in change}
    try:
        saved = emoji_layer.apply(session, change, actor, action, expected=expected)
    except emoji_layer.LayerError as error:
        raise click.ClickException(f"refused: {error}") from None
    click.echo(f"Saved: emoji table version {saved.version}.")


@emoji_group.command("list")
@click.option("--all", "everything", is_flag=True, help="List the whole effective table.")
@with_appcontext
def emoji_list(everything: bool) -> None:
    """List the operator rows (tab-separated: emoji, DoCoMo, au, SoftBank, name, means)."""
    from . import emoji_layer

    layer = emoji_layer.load_layer(db.get_session())
    rows = emoji_layer.effective_index(layer).rows if everything else list(layer.values())
    for row in rows:
        codes = [emoji_layer.format_code(row.code(c)) or "-" for c in emoji_layer.CARRIER_LABELS]
        click.echo("\t".join([emoji_layer.describe_key(row.key), *codes, row.name_ja or "-",
                              row.fit or "-"]))
    click.echo(f"{len(rows)} row(s)", err=True)


@emoji_group.command("show")
@click.argument("query")
@click.option("--carrier", type=click.Choice(("docomo", "au", "softbank")),
              help="Read a bare Shift_JIS code as this carrier's.")
@with_appcontext
def emoji_show(query: str, carrier: str | None) -> None:
    """Show the mappings QUERY finds: an emoji, :name:, a name, F89F, U+E63E, $Gj, localsrc."""
    from . import emoji_layer

    layer = emoji_layer.load_layer(db.get_session())
    matches = emoji_layer.lookup(emoji_layer.effective_index(layer), query, carrier)
    if not matches:
        raise click.ClickException(f"nothing found for {query!r}")
    for match in matches:
        click.echo(f"-- {match.how}" + ("" if match.in_table else " (not in the table)"))
        _echo_row(match.row, layer)


@emoji_group.command("add")
@click.argument("key", required=False)
@click.option("--carrier", type=click.Choice(("docomo", "au", "softbank")),
              help="With --code: a carrier code that stands for no standard emoji yet.")
@click.option("--code", help="With --carrier: the code (F94A, U+E6A6, $Gj).")
@click.option("--means", help="With --carrier/--code: the standard emoji it means.")
@click.option("--docomo", help="DoCoMo round-trip code ('' for none).")
@click.option("--au", help="au round-trip code.")
@click.option("--softbank", help="SoftBank round-trip code.")
@click.option("--docomo-fit", help="DoCoMo best-fit code (one way).")
@click.option("--au-fit", help="au best-fit code (one way).")
@click.option("--softbank-fit", help="SoftBank best-fit code (one way).")
@click.option("--google", help="Google code point, hex.")
@click.option("--name-ja", help="Name of the text fallback ([name]).")
@click.option("--fit", help="For a carrier-only emoji: the standard emoji it means.")
@click.option("--localsrc", help="au's emoji number (1-518, 700-822).")
@click.option("--dry-run", is_flag=True, help="Check and preview only.")
@_actor_option
@with_appcontext
def emoji_add(key, carrier, code, means, dry_run, actor, **fields) -> None:
    """Add or change a mapping, after the console's checks and preview.

    KEY with field options (``add ☀️ --au-fit F660``, ``add :sun: --localsrc 44``), or a
    carrier-only code: ``add --carrier docomo --code F94A --means ☀️``.
    """
    from . import emoji_layer

    layer = emoji_layer.load_layer(db.get_session())
    try:
        if carrier or code:
            if not (carrier and code) or key:
                raise click.UsageError("give --carrier and --code together, without KEY")
            parsed = emoji_layer.parse_code(carrier, code, "code")
            row = emoji_layer.propose_carrier_only(
                emoji_layer.effective_index(layer), carrier, parsed,
                emoji_layer.parse_key(means) if means else None, fields.get("name_ja"))
        elif key:
            key = emoji_layer.parse_key(key)
            base = emoji_layer.effective_row(layer, key) or carrier_emoji.EmojiRow(key)
            given = {name: value for name, value in fields.items() if value is not None}
            if not given:
                raise click.UsageError("nothing to change: give at least one field option")
            row, problems = emoji_layer.row_from_fields(given, base)
            if problems:
                raise emoji_layer.LayerError(problems)
        else:
            raise click.UsageError("give KEY, or --carrier and --code")
    except emoji_layer.LayerError as error:
        raise click.ClickException(f"refused: {error}") from None
    _emoji_apply({row.key: row}, actor, "set", dry_run)


@emoji_group.command("remove")
@click.argument("key")
@click.option("--dry-run", is_flag=True, help="Check and preview only.")
@_actor_option
@with_appcontext
def emoji_remove(key: str, dry_run: bool, actor: str) -> None:
    """Remove the operator row of KEY (its shipped row, if any, applies again)."""
    from . import emoji_layer

    try:
        key = emoji_layer.parse_key(key)
    except emoji_layer.LayerError as error:
        raise click.ClickException(str(error)) from None
    if key not in emoji_layer.load_layer(db.get_session()):
        raise click.ClickException(f"{emoji_layer.describe_key(key)} has no operator row")
    _emoji_apply({key: None}, actor, "remove", dry_run)


@emoji_group.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8-sig"))
@click.option("--dry-run", is_flag=True, help="Only report what would change.")
@click.option("--replace", is_flag=True, help="Also remove operator rows the file lacks.")
@_actor_option
@with_appcontext
def emoji_import(file, dry_run: bool, replace: bool, actor: str) -> None:
    """Import operator rows from a CSV FILE (columns: see emoji_layer's docstring)."""
    from . import emoji_layer

    text = file.read()
    session = db.get_session()
    with click.progressbar(length=max(text.count("\n"), 1), label="Reading rows") as bar:
        plan = emoji_layer.plan_import(session, text, replace, progress=lambda n: bar.update(1))
    click.echo(plan.summary())
    for name, keys in (("added", plan.added), ("changed", plan.changed), ("removed", plan.removed)):
        for key in keys:
            click.echo(f"  {name}: {emoji_layer.describe_key(key)}")
    if plan.review is not None and plan.ok:
        click.echo(f"Affects {plan.review.effect}.")
    if not plan.ok:
        for problem in plan.problems:
            click.echo(f"error: {problem}", err=True)
        raise click.ClickException("refused: nothing imported")
    if dry_run or not plan.change:
        click.echo("dry run: nothing changed" if dry_run else "nothing to import")
        return
    try:
        result = emoji_layer.import_csv(session, plan, actor)
    except emoji_layer.LayerError as error:
        raise click.ClickException(f"refused: {error}") from None
    click.echo(f"Imported: emoji table version {result.version}.")


@emoji_group.command("export")
@click.argument("file", type=click.File("w", encoding="utf-8"), default="-")
@with_appcontext
def emoji_export(file) -> None:
    """Write the operator rows as CSV to FILE (default: standard output)."""
    from . import emoji_layer

    count = emoji_layer.export_csv(emoji_layer.load_layer(db.get_session()), file)
    click.echo(f"{count} row(s) exported", err=True)


@emoji_group.command("check")
@with_appcontext
def emoji_check() -> None:
    """Validate the effective table: operator rows, codes taken once, every round trip."""
    from . import emoji_layer

    session = db.get_session()
    problems = emoji_layer.check_table(emoji_layer.load_layer(session))
    for problem in problems:
        click.echo(f"error: {problem}", err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s)")
    version = emoji_layer.read_version(session) or 0
    click.echo(f"The emoji table at version {version} is consistent.")


@emoji_group.command("log")
@click.option("--key", help="Only the changes of this emoji.")
@click.option("--limit", default=20, show_default=True, help="How many entries.")
@with_appcontext
def emoji_log(key: str | None, limit: int) -> None:
    """Show the audit log, newest first (before/after are operator rows as JSON)."""
    from . import emoji_layer

    entries = emoji_layer.audit_entries(
        db.get_session(), limit, key=emoji_layer.parse_key(key) if key else None
    )
    for e in entries:
        what = e.action + (f" of #{e.reverts_id}" if e.reverts_id else "")
        click.echo(f"#{e.id} {e.at.isoformat(timespec='seconds')} {e.actor} {what}"
                   f" {emoji_layer.describe_key(e.key)} v{e.version}")
        click.echo(f"    before {emoji_layer.audit_json(e.before)}")
        click.echo(f"    after  {emoji_layer.audit_json(e.after)}")


@emoji_group.command("revert")
@click.argument("entry_id", type=int)
@_actor_option
@with_appcontext
def emoji_revert(entry_id: int, actor: str) -> None:
    """Undo the change of audit entry ENTRY_ID (logged as a change of its own)."""
    from . import emoji_layer

    try:
        result = emoji_layer.revert(db.get_session(), entry_id, actor)
    except emoji_layer.LayerError as error:
        raise click.ClickException(f"refused: {error}") from None
    click.echo(f"Reverted #{entry_id}: emoji table version {result.version}.")


def init_app(app: Flask) -> None:
    """Add this module's commands to ``app.cli``."""
    for command in (
        db_group,
        init_db_command,
        demo_command,
        serve_command,
        operator_group,
        service_period_group,
        emoji_group,
        ranges_group,
    ):
        app.cli.add_command(command)


def _create_app() -> Flask:
    """Build the app for the console script."""
    from . import create_app

    return create_app()


#: The ``mobile-gateway`` console script.
main = FlaskGroup(
    create_app=_create_app,
    help="Run and manage the Echo mobile gateway.",
)
