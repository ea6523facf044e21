"""Saving the layer, the audit log, revert, and CSV import/export, on SQLite and PostgreSQL."""

import io

import pytest
import sqlalchemy as sa
from support.console import AU_ONLY, AU_ONLY_CODE

import carrier_emoji
from mobile_gateway.operators import (
    emoji_changes,
    emoji_csv,
    emoji_layer,
    emoji_lookup,
    emoji_notation,
)
from mobile_gateway.operators.emoji_layer import LayerError
from mobile_gateway.storage import db
from mobile_gateway.storage.models import EmojiAuditEntry, EmojiMapping

SUN = "\u2600\ufe0f"
RAIN = "\u2614"


def sun() -> carrier_emoji.EmojiRow:
    """Return the shipped row of the sun."""
    return carrier_emoji.current_index().by_key[SUN]


def meaning(code: int = AU_ONLY_CODE, means: str = SUN) -> carrier_emoji.EmojiRow:
    """Return the row that gives au's carrier-only *code* the meaning *means*."""
    return emoji_lookup.propose_carrier_only(carrier_emoji.current_index(), "au", code, means)


def count(session, model) -> int:
    """Return the number of rows of *model*."""
    return session.scalar(sa.select(sa.func.count()).select_from(model))


class TestApply:
    """A saved change writes the row, one audit entry, and a new version, or nothing."""

    def test_saved_and_logged(self, session):
        """The audit entry says who, when, and the layer row before and after as JSON."""
        assert emoji_layer.read_version(session) == 0
        result = emoji_changes.apply(session, {AU_ONLY: meaning()}, "alice", reason="test")
        assert result.version == 1 == emoji_layer.read_version(session)
        assert emoji_layer.load_layer(session) == {AU_ONLY: meaning()}
        (entry,) = emoji_changes.audit_entries(session)
        assert (entry.actor, entry.action, entry.key, entry.version) == ("alice", "set", AU_ONLY, 1)
        assert entry.before is None
        assert entry.after["au"] == "F370" and entry.after["fit"] == SUN
        assert entry.at.tzinfo is not None
        assert carrier_emoji.encode(AU_ONLY, "x-sjis-docomo", index=result.index) == b"\xf8\x9f"

    def test_refused_change_writes_nothing(self, session):
        """A refused change leaves layer, log and version as they were."""
        with pytest.raises(LayerError, match="mapped twice"):
            emoji_changes.apply(
                session, {SUN: sun()._replace(docomo=0xF94A)}, "alice", reason="test"
            )
        assert emoji_layer.read_version(session) == 0
        assert count(session, EmojiMapping) == 0 and count(session, EmojiAuditEntry) == 0

    def test_stale_preview_is_refused(self, session, other_session):
        """A change previewed against a row someone changed meanwhile is refused."""
        emoji_changes.apply(other_session, {SUN: sun()._replace(localsrc=44)}, "bob", reason="test")
        with pytest.raises(LayerError, match="changed by someone else"):
            emoji_changes.apply(
                session,
                {SUN: sun()._replace(name_ja="晴れ")},
                "alice",
                expected={SUN: None},
                reason="test",
            )
        assert emoji_layer.load_layer(session)[SUN].localsrc == 44

    def test_checks_see_the_other_sessions_rows(self, session, other_session):
        """The check runs against the layer as saved, not as the operator last saw it."""
        emoji_changes.apply(other_session, {SUN: sun()._replace(localsrc=44)}, "bob", reason="test")
        rain = carrier_emoji.current_index().by_key[RAIN]
        with pytest.raises(LayerError, match="localsrc 44 is taken twice"):
            emoji_changes.apply(session, {RAIN: rain._replace(localsrc=44)}, "alice", reason="test")

    def test_remove_brings_the_shipped_row_back(self, session):
        """Removing an operator row is logged with the row as before and null as after."""
        emoji_changes.apply(
            session, {SUN: sun()._replace(name_ja="お日さま")}, "alice", reason="test"
        )
        emoji_changes.apply(session, {SUN: None}, "alice", "remove", reason="test")
        assert emoji_layer.load_layer(session) == {}
        latest = emoji_changes.audit_entries(session)[0]
        assert latest.action == "remove" and latest.after is None
        assert latest.before["name_ja"] == "お日さま"


@pytest.fixture
def other_session(engine):
    """Return a second session, as another operator's."""
    session = db.make_session_factory(engine)()
    yield session
    session.close()


class TestRevert:
    """Any entry can be reverted, and the revert is logged like any change."""

    def test_revert_restores_and_is_logged(self, session):
        """Reverting a change puts the row back and logs a revert pointing at it."""
        emoji_changes.apply(session, {AU_ONLY: meaning()}, "alice", reason="test")
        first = emoji_changes.audit_entries(session)[0]
        result = emoji_changes.revert(session, first.id, "bob", reason="test")
        assert result.version == 2
        assert emoji_layer.load_layer(session) == {}
        latest = emoji_changes.audit_entries(session)[0]
        assert (latest.action, latest.actor, latest.reverts_id) == ("revert", "bob", first.id)
        assert latest.before == first.after and latest.after is None
        assert (
            carrier_emoji.encode(AU_ONLY, "x-sjis-docomo", "geta", index=result.index)
            == b"\x81\xac"
        )

    def test_revert_of_a_revert(self, session):
        """A revert can itself be reverted, bringing the change back."""
        emoji_changes.apply(session, {AU_ONLY: meaning()}, "alice", reason="test")
        emoji_changes.revert(
            session, emoji_changes.audit_entries(session)[0].id, "bob", reason="test"
        )
        emoji_changes.revert(
            session, emoji_changes.audit_entries(session)[0].id, "carol", reason="test"
        )
        assert emoji_layer.load_layer(session) == {AU_ONLY: meaning()}

    def test_revert_twice_is_refused(self, session):
        """An entry already undone cannot be undone again."""
        emoji_changes.apply(session, {AU_ONLY: meaning()}, "alice", reason="test")
        entry_id = emoji_changes.audit_entries(session)[0].id
        emoji_changes.revert(session, entry_id, "bob", reason="test")
        with pytest.raises(LayerError, match=f"changed after entry #{entry_id}"):
            emoji_changes.revert(session, entry_id, "bob", reason="test")
        assert emoji_layer.read_version(session) == 2

    def test_revert_behind_a_later_change_names_it(self, session):
        """Reverting an older change of a row changed since names the later entry."""
        emoji_changes.apply(session, {AU_ONLY: meaning()}, "alice", reason="test")
        emoji_changes.apply(session, {AU_ONLY: meaning(means=RAIN)}, "alice", reason="test")
        older, newer = sorted(e.id for e in emoji_changes.audit_entries(session))
        with pytest.raises(LayerError, match=f"by entry #{newer}"):
            emoji_changes.revert(session, older, "bob", reason="test")

    def test_revert_unknown_entry(self, session):
        """A missing entry is refused by number."""
        with pytest.raises(LayerError, match="no audit entry #999"):
            emoji_changes.revert(session, 999, "bob", reason="test")


CSV = (
    "key,docomo,au,softbank,docomo_fit,au_fit,softbank_fit,google,name_ja,fit,localsrc\n"
    f"U+102A9D,,F370,,,,,,,{SUN},\n"
    "☀️,F89F,F660,F98B,,,,FE000,太陽,,44\n"
)


class TestCsv:
    """Export, dry run, import, and the refusals of an import."""

    def test_export_then_import_changes_nothing(self, session):
        """An exported layer imports back as unchanged."""
        emoji_changes.apply(
            session, {AU_ONLY: meaning(), SUN: sun()._replace(localsrc=44)}, "a", reason="test"
        )
        out = io.StringIO()
        assert emoji_csv.export_csv(emoji_layer.load_layer(session), out) == 2
        assert "U+102A9D,,F370" in out.getvalue()
        plan = emoji_csv.plan_import(session, out.getvalue())
        assert plan.ok and plan.read == 2 and len(plan.unchanged) == 2 and not plan.change

    def test_dry_run_reports_and_writes_nothing(self, session):
        """Planning an import reports additions and changes and writes nothing."""
        seen = []
        plan = emoji_csv.plan_import(session, CSV, progress=seen.append)
        assert plan.ok, plan.problems
        assert seen == [1, 2]
        assert sorted(plan.changed) == sorted([AU_ONLY, SUN])
        assert plan.summary() == "2 rows read: 0 added, 2 changed, 0 removed, 0 unchanged"
        assert plan.review.output and not plan.review.input
        assert emoji_layer.load_layer(session) == {} and emoji_layer.read_version(session) == 0

    def test_real_run_writes_and_logs_each_row(self, session):
        """An import saves every row in one version, one audit entry per key."""
        plan = emoji_csv.plan_import(session, CSV)
        result = emoji_csv.import_csv(session, plan, "alice", reason="test")
        assert result.version == 1
        layer = emoji_layer.load_layer(session)
        assert layer[AU_ONLY].fit == SUN and layer[SUN].localsrc == 44
        entries = emoji_changes.audit_entries(session)
        assert {(e.action, e.version) for e in entries} == {("import", 1)} and len(entries) == 2

    def test_missing_columns_keep_values(self, session):
        """A column left out keeps the current value; an empty cell clears it."""
        plan = emoji_csv.plan_import(session, "key,localsrc,name_ja\n☀️,44,\n")
        emoji_csv.import_csv(session, plan, "alice", reason="test")
        row = emoji_layer.load_layer(session)[SUN]
        assert row == sun()._replace(localsrc=44, name_ja=None)

    def test_replace_removes_unlisted_rows(self, session):
        """With replace, operator rows the file lacks are removed."""
        emoji_changes.apply(
            session,
            {RAIN: carrier_emoji.current_index().by_key[RAIN]._replace(name_ja="雨")},
            "alice",
            reason="test",
        )
        plan = emoji_csv.plan_import(session, CSV, replace=True)
        assert plan.removed == [RAIN]
        emoji_csv.import_csv(session, plan, "alice", reason="test")
        assert RAIN not in emoji_layer.load_layer(session)

    def test_errors_name_the_line(self, session):
        """Bad cells and duplicate keys are refused with their line; nothing is written."""
        text = CSV + "☀️,F89F,,,,,,,,,\n" + "U+1016A6,F000,,,,,,,,,\n"
        plan = emoji_csv.plan_import(session, text)
        assert not plan.ok
        assert any(p.startswith("line 4:") and "also on line 3" in p for p in plan.problems)
        assert any(p.startswith("line 5: docomo: F000") for p in plan.problems)
        with pytest.raises(LayerError):
            emoji_csv.import_csv(session, plan, "alice", reason="test")
        assert emoji_layer.read_version(session) == 0

    def test_table_check_refuses_the_whole_import(self, session):
        """A row taking a code twice refuses the whole file."""
        plan = emoji_csv.plan_import(session, CSV + "☔,F94A,,,,,,,,,\n")
        assert not plan.ok and any("mapped twice" in p for p in plan.problems)

    def test_unknown_column(self, session):
        """A header with an unknown column is refused before any row is read."""
        plan = emoji_csv.plan_import(session, "key,colour\n☀️,red\n")
        assert not plan.ok and plan.read == 0 and "unknown columns colour" in plan.problems[0]


class TestCli:
    """The command-line twins of the console."""

    def test_add_show_check_log_revert(self, app):
        """add, show, check, log and revert work on the app's database."""
        runner = app.test_cli_runner()
        added = runner.invoke(
            args=[
                "emoji",
                "add",
                "--carrier",
                "au",
                "--code",
                "F370",
                "--means",
                ":sun:",
                "--actor",
                "cli:test",
                "--reason",
                "au F370 is the sun",
            ]
        )
        assert added.exit_code == 0, added.output
        assert "Affects output" in added.output and "version 1" in added.output
        shown = runner.invoke(args=["emoji", "show", "U+102A9D"])
        assert "means     ☀️" in shown.output and "[operator row]" in shown.output
        assert runner.invoke(args=["emoji", "check"]).exit_code == 0
        log = runner.invoke(args=["emoji", "log"])
        assert "cli:test set U+102A9D" in log.output
        entry_id = log.output.split()[0].lstrip("#")
        reverted = runner.invoke(args=["emoji", "revert", entry_id, "--reason", "undo"])
        assert reverted.exit_code == 0 and "version 2" in reverted.output

    def test_refused_add_exits_non_zero(self, app):
        """A refused change exits 1 and says why."""
        result = app.test_cli_runner().invoke(
            args=["emoji", "add", "☀️", "--name-ja", "太陽é", "--reason", "rename"]
        )
        assert result.exit_code == 1 and "not in CP932" in result.output

    def test_import_dry_run_then_export(self, app, tmp_path):
        """import --dry-run changes nothing; import and export agree."""
        path = tmp_path / "layer.csv"
        path.write_text(CSV, encoding="utf-8")
        runner = app.test_cli_runner()
        dry = runner.invoke(args=["emoji", "import", "--dry-run", str(path)])
        assert dry.exit_code == 0 and "dry run" in dry.output and "2 changed" in dry.output
        assert runner.invoke(args=["emoji", "list"]).stdout.strip() == ""
        assert runner.invoke(args=["emoji", "import", str(path), "--reason", "load"]).exit_code == 0
        exported = runner.invoke(args=["emoji", "export"])
        assert exported.stdout.splitlines()[1:] == sorted(
            CSV.splitlines()[1:], key=lambda line: (emoji_notation.parse_key(line.split(",")[0]))
        )
