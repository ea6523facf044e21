"""The operators' commands ask for a reason for every change and speak LANG's language."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from mobile_gateway.operators import emoji_layer
from mobile_gateway.storage import db
from mobile_gateway.storage.models import EmojiAuditEntry

SUN = "\u2600\ufe0f"
ENGLISH = {"LANG": "C.UTF-8", "LC_ALL": "", "LC_MESSAGES": "", "LANGUAGE": ""}
JAPANESE = {"LANG": "ja_JP.UTF-8", "LC_ALL": "", "LC_MESSAGES": "", "LANGUAGE": ""}
CSV = (
    "key,docomo,au,softbank,docomo_fit,au_fit,softbank_fit,google,name_ja,fit,localsrc\n"
    "U+102A9D,,F370,,,,,,,☀️,\n"
)


def run(app, *args, env=ENGLISH):
    """Run ``mobile-gateway ARGS`` on the app's database in the environment *env*."""
    return app.test_cli_runner().invoke(args=list(args), env=env)


def audit(app) -> list[tuple[str, str | None]]:
    """(action, reason) of every audit entry, oldest first."""
    with app.app_context():
        rows = db.get_session().execute(
            sa.select(EmojiAuditEntry.action, EmojiAuditEntry.reason).order_by(EmojiAuditEntry.id)
        )
        return [tuple(row) for row in rows]


def first_entry(app) -> str:
    """The id of the oldest audit entry, as the command takes it."""
    with app.app_context():
        return str(db.get_session().scalar(sa.select(sa.func.min(EmojiAuditEntry.id))))


def version(app) -> int:
    with app.app_context():
        return emoji_layer.read_version(db.get_session()) or 0


class TestReason:
    """--reason is required for a change, not for a dry run; it is logged."""

    @pytest.mark.parametrize(
        "args",
        [
            ("emoji", "add", SUN, "--localsrc", "44"),
            ("emoji", "add", "--carrier", "au", "--code", "F370", "--means", ":sun:"),
            ("emoji", "add", SUN, "--localsrc", "44", "--reason", "  "),
            ("emoji", "remove", SUN),
            ("emoji", "revert", "1"),
        ],
    )
    def test_change_without_reason(self, app, args):
        """A change without a reason is a usage error (exit 2) saying so; nothing changes."""
        result = run(app, *args)
        assert result.exit_code == 2, result.output
        assert "a reason is required for a change: --reason TEXT" in result.output
        assert version(app) == 0 and audit(app) == []

    def test_import_without_reason(self, app, tmp_path):
        """An import without a reason is refused before the file is read."""
        path = tmp_path / "layer.csv"
        path.write_text(CSV, encoding="utf-8")
        assert run(app, "emoji", "import", str(path)).exit_code == 2
        dry = run(app, "emoji", "import", str(path), "--dry-run")
        assert dry.exit_code == 0 and "dry run" in dry.output
        done = run(app, "emoji", "import", str(path), "--reason", "au sheet")
        assert done.exit_code == 0, done.output
        assert audit(app) == [("import", "au sheet")]

    def test_dry_run_needs_none(self, app):
        """A dry run previews without a reason and saves nothing."""
        result = run(app, "emoji", "add", SUN, "--localsrc", "44", "--dry-run")
        assert result.exit_code == 0 and "dry run: nothing saved" in result.output
        assert version(app) == 0

    def test_too_long_reason(self, app):
        """A reason over 500 characters is refused (exit 1), saying so."""
        result = run(app, "emoji", "add", SUN, "--localsrc", "44", "--reason", "x" * 501)
        assert result.exit_code == 1 and "at most 500" in result.output
        assert audit(app) == []

    def test_log_shows_reason_and_fields(self, app):
        """log shows who, why, and each changed field before -> after (no JSON)."""
        added = run(app, "emoji", "add", SUN, "--name-ja", "お日さま", "--reason", "kinder name")
        assert added.exit_code == 0, added.output
        log = run(app, "emoji", "log").output
        assert "reason: kinder name" in log
        assert "before: shipped row -> after: operator row" in log
        assert "name (text fallback): [太陽] -> [お日さま]" in log
        assert "{" not in log and "null" not in log

    def test_revert_previews_then_acts(self, app):
        """revert --dry-run shows the revert's preview and changes nothing; revert logs it."""
        run(app, "emoji", "add", "--carrier", "au", "--code", "F370", "--means", ":sun:",
            "--reason", "au F370 is the sun")  # fmt: skip
        entry = first_entry(app)
        dry = run(app, "emoji", "revert", entry, "--dry-run")
        assert dry.exit_code == 0, dry.output
        assert "reason: au F370 is the sun" in dry.output  # the entry being reverted
        assert "means (fit): ☀️ (U+2600 U+FE0F) -> —" in dry.output
        assert "*x-sjis-docomo" in dry.output and "Affects output" in dry.output
        assert "dry run: nothing saved" in dry.output and version(app) == 1
        done = run(app, "emoji", "revert", entry, "--reason", "not the sun")
        assert done.exit_code == 0 and f"Reverted #{entry}: emoji table version 2." in done.output
        assert audit(app) == [("set", "au F370 is the sun"), ("revert", "not the sun")]

    def test_revert_refused_behind_a_later_change(self, app):
        """A revert out of order is refused before anything is shown as done."""
        run(app, "emoji", "add", SUN, "--localsrc", "44", "--reason", "one")
        run(app, "emoji", "add", SUN, "--name-ja", "晴", "--reason", "two")
        result = run(app, "emoji", "revert", first_entry(app), "--reason", "undo one")
        assert result.exit_code == 1 and "revert that one first" in result.output
        assert version(app) == 2


class TestLanguage:
    """LANG=ja_JP.UTF-8 gives Japanese; anything else English."""

    def test_japanese(self, app):
        """Messages, the review and the errors come in Japanese under a Japanese LANG."""
        missing = run(app, "emoji", "add", SUN, "--localsrc", "44", env=JAPANESE)
        assert "変更には理由が必要です: --reason 理由" in missing.output
        added = run(app, "emoji", "add", SUN, "--name-ja", "お日さま", "--reason", "名前",
                    env=JAPANESE)  # fmt: skip
        assert added.exit_code == 0, added.output
        assert "名前（代替テキスト）: [太陽] -> [お日さま]" in added.output
        assert "影響: 出力" in added.output
        assert "保存しました: 絵文字テーブルのバージョン 1。" in added.output
        log = run(app, "emoji", "log", env=JAPANESE).output
        assert "理由: 名前" in log and " 設定 " in log
        refused = run(app, "emoji", "add", SUN, "--localsrc", "999", "--reason", "x",
                      env=JAPANESE)  # fmt: skip
        assert refused.exit_code == 1
        assert "localsrc 999 は 1～518、700～822 の範囲外です" in refused.output
        assert (
            "範囲外"
            not in run(app, "emoji", "add", SUN, "--localsrc", "999", "--reason", "x").output
        )

    @pytest.mark.parametrize(
        "env",
        [
            {"LANG": "en_US.UTF-8"},
            {"LANG": "C"},
            {"LANG": "fr_FR.UTF-8"},
            {"LANG": "ja_JP.UTF-8", "LC_ALL": "C"},
            {"LANG": "ja_JP.UTF-8", "LANGUAGE": "en"},
        ],
    )
    def test_english(self, app, env):
        """Any environment that does not ask for Japanese first gets English."""
        env = {**ENGLISH, **env}
        result = run(app, "emoji", "add", SUN, "--localsrc", "44", "--dry-run", env=env)
        assert "dry run: nothing saved" in result.output

    def test_ranges_report_in_japanese(self, app, tmp_path):
        """The gateway ranges import report follows LANG too."""
        path = tmp_path / "ranges.tsv"
        path.write_text(
            "carrier\tcidr\tsource\tdate\ndocomo\t210.153.84.7/24\tdocs\t2009-06-01\n"
            "crawler\t72.14.199.0/25\tgoogle\t2009-06-01\n",
            encoding="utf-8",
        )
        result = run(app, "ranges", "import", str(path), "--dry-run", env=JAPANESE)
        assert result.exit_code == 0, result.output
        assert "2 行を読みました: アドレス帯 1、重複 0、読み飛ばし: 1 crawler" in result.output
        assert "2 行目: 注意: 210.153.84.7/24 は 210.153.84.0/24 として読みました" in result.output
        assert "試行: 何も変えていません" in result.output

    def test_service_period_error_in_japanese(self, app):
        """The service period's refusal is Japanese under a Japanese LANG."""
        args = ("service-period", "set", "--start", "2009-07-31", "--end", "2009-07-01")
        assert "終了日時は開始日時より後" in run(app, *args, env=JAPANESE).output
        assert "The end must be after the start" in run(app, *args).output

    def test_language_ends_with_the_command(self, app):
        """After a Japanese command, code in the same process speaks English again."""
        from mobile_gateway.phone import i18n

        run(app, "emoji", "check", env=JAPANESE)
        assert i18n.current() == "en"
