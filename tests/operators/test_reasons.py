"""Every change of the emoji table asks for a reason; the audit log shows it with a readable
before/after table; a revert is previewed before it acts. On SQLite and PostgreSQL."""

from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa
from support.console import Browser, add_user, hidden_fields

from mobile_gateway.operators import emoji_changes, emoji_layer
from mobile_gateway.operators.emoji_layer import LayerError
from mobile_gateway.storage import db
from mobile_gateway.storage.models import EmojiAuditEntry

SUN = "\u2600\ufe0f"
CSV = (
    "key,docomo,au,softbank,docomo_fit,au_fit,softbank_fit,google,name_ja,fit,localsrc\n"
    "U+102A9D,,F370,,,,,,,☀️,\n"
)


@pytest.fixture
def console(app) -> Browser:
    """An operator signed in on a PC, on each kind of database."""
    add_user(app, "op", operator=True)
    browser = Browser(app).login("op")
    browser.get("/admin/")
    return browser


def entries(app) -> list[EmojiAuditEntry]:
    """Return the audit entries, oldest first."""
    with app.app_context():
        session = db.get_session()
        found = session.scalars(sa.select(EmojiAuditEntry).order_by(EmojiAuditEntry.id)).all()
        session.expunge_all()
        return found


def version(app) -> int:
    with app.app_context():
        return emoji_layer.read_version(db.get_session()) or 0


def preview_fields(console: Browser, form: dict) -> dict:
    """Preview a change and return the save form's fields."""
    preview = console.post("/admin/emoji/preview", form)
    assert preview.status_code == 200, preview.text[:500]
    assert 'name="reason"' in preview.text and " required " in preview.text
    return hidden_fields(preview.text, "/admin/emoji/save")


def save(console: Browser, form: dict, reason: str):
    return console.post("/admin/emoji/save", {**preview_fields(console, form), "reason": reason})


class TestSave:
    """Saving asks for a reason; without one nothing is saved and the preview comes back."""

    @pytest.mark.parametrize("reason", [None, "", "   ", "\t\n"])
    def test_no_reason_is_refused(self, console, app, reason):
        """A save without a reason is a 400 page saying so, the form still there; nothing saved."""
        fields = preview_fields(console, {"op": "set", "key": SUN, "name_ja": "お日さま"})
        if reason is not None:
            fields["reason"] = reason
        response = console.post("/admin/emoji/save", fields)
        assert response.status_code == 400
        assert "a reason is required" in response.text and 'id="reason-problem"' in response.text
        assert 'id="save"' in response.text and "お日さま" in response.text
        assert entries(app) == [] and version(app) == 0
        again = hidden_fields(response.text, "/admin/emoji/save")
        saved = console.post("/admin/emoji/save", {**again, "reason": "the sun's own name"})
        assert saved.status_code == 302 and version(app) == 1

    def test_no_reason_keeps_the_stale_check(self, console, app):
        """The page that asks for the reason still saves against the preview's rows."""
        fields = preview_fields(console, {"op": "set", "key": SUN, "name_ja": "お日さま"})
        asked = console.post("/admin/emoji/save", fields)
        save(console, {"op": "set", "key": SUN, "localsrc": "44"}, "someone else")
        response = console.post(
            "/admin/emoji/save", {**hidden_fields(asked.text, "/admin/emoji/save"), "reason": "x"}
        )
        assert response.status_code == 409 and "changed by someone else" in response.text
        assert [e.reason for e in entries(app)] == ["someone else"]

    def test_reason_is_stored_whitespace_folded(self, console, app):
        """The reason is stored with the entry, runs of spaces made one."""
        response = save(console, {"op": "set", "key": SUN, "localsrc": "44"}, "  au   number\n44 ")
        assert response.status_code == 302
        (entry,) = entries(app)
        assert entry.reason == "au number 44" and entry.actor == "op"

    def test_markup_in_a_reason_is_escaped(self, console, app):
        """A reason with markup is shown as text on the audit, start and revert pages."""
        reason = '<script>alert("x")</script> & <b>bold</b>'
        save(console, {"op": "set", "key": SUN, "localsrc": "44"}, reason)
        assert entries(app)[0].reason == reason
        for url in ("/admin/audit", "/admin/", f"/admin/audit/{entries(app)[0].id}/revert"):
            page = console.get(url).text
            assert "<script>alert" not in page and "<b>bold" not in page, url
            assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;bold" in page

    @pytest.mark.parametrize(
        "reason, problem",
        [
            ("x" * 501, "501 characters long; at most 500"),
            ("tidy\x00up", "control characters"),
            ("tidy \x1b[31m up", "control characters"),
            ("abc \u202edcba", "control characters"),
        ],
    )
    def test_bad_reasons_are_refused(self, console, app, reason, problem):
        """A reason too long or with control characters is refused, saying why."""
        response = save(console, {"op": "set", "key": SUN, "localsrc": "44"}, reason)
        assert response.status_code == 400 and problem in response.text
        assert entries(app) == []

    def test_longest_reason_and_emoji_are_kept(self, console, app):
        """A reason of 500 characters, emoji and Japanese included, is stored as written."""
        reason = ("晴れ☀️👨‍👩‍👧" * 100)[:500]
        assert save(console, {"op": "set", "key": SUN, "localsrc": "44"}, reason).status_code == 302
        assert entries(app)[0].reason == reason


class TestAuditTable:
    """Each change as the fields it changed, before and after, with who, when and why."""

    def test_before_and_after_of_each_field(self, console, app):
        """Shipped row then operator row: the changed fields only, values readable, no JSON."""
        save(console, {"op": "set", "key": SUN, "name_ja": "お日さま", "localsrc": "44"}, "names")
        save(console, {"op": "remove", "key": SUN}, "back to shipped")
        page = console.get("/admin/audit").text
        assert "{&#34;" not in page and "null" not in page
        rows = dict(
            re.findall(r'<tr id="entry-(\d+)">(.*?)(?=<tr id="entry-|</table>\n\n)', page, re.S)
        )
        first, second = (rows[str(e.id)] for e in entries(app))
        assert "(shipped row)" in first and "(operator row)" in first
        assert "<th>name (text fallback)</th><td><code>[太陽]</code></td>" in first
        assert "<td><code>[お日さま]</code></td>" in first
        assert "<th>au localsrc</th><td><code>—</code></td><td><code>44</code></td>" in first
        assert "DoCoMo code" not in first  # unchanged fields are left out
        assert '<td class="reason">names</td>' in first
        assert "remove" in second and "back to shipped" in second
        assert "<td><code>[お日さま]</code></td><td><code>[太陽]</code></td>" in second

    def test_carrier_only_codes_in_hex(self, console, app):
        """A new carrier-only row: codes in hex, the meaning as emoji and code points."""
        save(
            console,
            {"op": "carrier_only", "carrier": "au", "code": "F370", "means": ":sun:"},
            "au F370 is the sun",
        )
        page = console.get("/admin/audit").text
        assert "(shipped row)" in page and "(operator row)" in page
        assert (
            "<th>means (fit)</th><td><code>—</code></td><td><code>☀️ (U+2600 U+FE0F)</code>" in page
        )
        assert "au code" not in page  # the code stays F370

    def test_entry_written_before_reasons(self, console, app):
        """An entry without a reason (logged before 0008) says so."""
        save(console, {"op": "set", "key": SUN, "localsrc": "44"}, "x")
        with app.app_context():
            session = db.get_session()
            session.execute(sa.update(EmojiAuditEntry).values(reason=None))
            session.commit()
        assert "logged before reasons were asked for" in console.get("/admin/audit").text


class TestRevert:
    """A revert shows what it will do first; it asks for its own reason."""

    def test_preview_then_revert(self, console, app):
        """The preview changes nothing and shows fields and terminals; the revert is logged."""
        save(
            console,
            {"op": "carrier_only", "carrier": "au", "code": "F370", "means": ":sun:"},
            "au F370 is the sun",
        )
        (entry,) = entries(app)
        page = console.get(f"/admin/audit/{entry.id}/revert")
        assert page.status_code == 200 and version(app) == 1
        text = page.text
        assert "au F370 is the sun" in text  # the change's own reason
        assert 'id="effect"' in text and "Affects output" in text
        docomo = re.search(r"<tr[^>]*><td>DoCoMo i-mode.*?</tr>", text, re.S).group(0)
        assert "F8 9F" in docomo and "81 AC" in docomo  # the sun now, the geta mark after
        assert 'name="reason"' in text and 'id="revert"' in text
        done = console.post(f"/admin/audit/{entry.id}/revert", {"reason": "not the sun after all"})
        assert done.status_code == 302 and version(app) == 2
        assert f"Reverted #{entry.id}" in console.get(done.location).text
        revert = entries(app)[-1]
        assert revert.action == "revert" and revert.reverts_id == entry.id
        assert revert.reason == "not the sun after all"

    @pytest.mark.parametrize("form", [{}, {"reason": ""}, {"reason": " \n "}])
    def test_no_reason_is_refused(self, console, app, form):
        """A revert without a reason is a 400 preview saying so; nothing changes."""
        save(console, {"op": "set", "key": SUN, "localsrc": "44"}, "x")
        (entry,) = entries(app)
        response = console.post(f"/admin/audit/{entry.id}/revert", form)
        assert response.status_code == 400 and "a reason is required" in response.text
        assert 'id="revert"' in response.text and 'id="effect"' in response.text
        assert version(app) == 1 and len(entries(app)) == 1

    def test_row_changed_after_the_preview(self, console, app):
        """A revert previewed, then overtaken by another change, is refused and names it."""
        save(console, {"op": "set", "key": SUN, "localsrc": "44"}, "first")
        (entry,) = entries(app)
        assert console.get(f"/admin/audit/{entry.id}/revert").status_code == 200
        save(console, {"op": "set", "key": SUN, "name_ja": "晴"}, "second")
        later = entries(app)[-1].id
        response = console.post(f"/admin/audit/{entry.id}/revert", {"reason": "undo first"})
        assert response.status_code == 409
        assert f"(by entry #{later}); revert that one first" in response.text
        assert 'id="revert"' not in response.text and version(app) == 2

    def test_unknown_entry(self, console):
        """A revert of an entry that does not exist is not found, previewed or posted."""
        assert console.get("/admin/audit/999/revert").status_code == 404
        assert console.post("/admin/audit/999/revert", {"reason": "x"}).status_code == 404


class TestImport:
    """A CSV import runs only with a reason, logged with each row it changes."""

    def test_run_without_reason(self, console, app):
        """Dry run needs none; the run without one is a 400 page and imports nothing."""
        dry = console.post("/admin/import", {"csv": CSV, "run": "no"})
        assert dry.status_code == 200 and 'name="reason"' in dry.text
        refused = console.post("/admin/import", {"csv": CSV, "run": "yes", "reason": ""})
        assert refused.status_code == 400 and "a reason is required" in refused.text
        assert 'id="run"' in refused.text and version(app) == 0
        done = console.post("/admin/import", {"csv": CSV, "run": "yes", "reason": "au sheet v2"})
        assert done.status_code == 200 and 'id="done"' in done.text
        assert [(e.action, e.reason) for e in entries(app)] == [("import", "au sheet v2")]


class TestDomain:
    """The rule itself, for every caller (console, commands, code)."""

    def test_check_reason(self):
        """Whitespace folded; empty, too long and control characters refused."""
        assert emoji_changes.check_reason(" a \t b\n") == "a b"
        for bad in (None, "", " ", "a" * 501, "a\x07b", "a\u2066b"):
            with pytest.raises(LayerError):
                emoji_changes.check_reason(bad)

    def test_apply_and_revert_need_a_reason(self, session):
        """apply() and revert() refuse to write without a reason."""
        row = emoji_layer.shipped_by_key()[SUN]._replace(localsrc=44)
        with pytest.raises(LayerError, match="a reason is required"):
            emoji_changes.apply(session, {SUN: row}, "alice", reason="")
        assert emoji_layer.read_version(session) == 0
        emoji_changes.apply(session, {SUN: row}, "alice", reason="number")
        entry = emoji_changes.audit_entries(session)[0]
        with pytest.raises(LayerError, match="a reason is required"):
            emoji_changes.revert(session, entry.id, "bob", reason=" ")
        assert emoji_layer.read_version(session) == 1

    def test_audit_diff(self, session):
        """The diff names the fields and their origins in the language in force."""
        from mobile_gateway.phone import i18n

        row = emoji_layer.shipped_by_key()[SUN]._replace(name_ja="お日さま")
        emoji_changes.apply(session, {SUN: row}, "alice", reason="name")
        entry = emoji_changes.audit_entries(session)[0]
        diff = emoji_changes.audit_diff(entry)
        assert (diff.before_origin, diff.after_origin) == ("shipped row", "operator row")
        assert diff.fields == [("name (text fallback)", "[太陽]", "[お日さま]")]
        with i18n.using("ja"):
            diff = emoji_changes.audit_diff(entry)
        assert (diff.before_origin, diff.after_origin) == ("同梱の行", "運営者の行")
        assert diff.fields == [("名前（代替テキスト）", "[太陽]", "[お日さま]")]


def test_entries_from_before_the_migration_keep_no_reason(fresh_db_url):
    """0008 adds the reason column; entries written before it keep theirs empty."""
    db.upgrade(fresh_db_url, "0004_sequence_fits")
    engine = db.make_engine(fresh_db_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    'INSERT INTO emoji_audit (at, actor, action, "key", "before", "after", version)'
                    " VALUES (CURRENT_TIMESTAMP, 'old', 'set', :key, NULL, NULL, 1)"
                ),
                {"key": SUN},
            )
        db.upgrade(fresh_db_url)
        with engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT actor, reason FROM emoji_audit")).all()
        assert [tuple(r) for r in rows] == [("old", None)]
        db.downgrade(fresh_db_url, "0004_sequence_fits")
        with engine.connect() as connection:
            columns = {c["name"] for c in sa.inspect(connection).get_columns("emoji_audit")}
        assert "reason" not in columns and "actor" in columns
    finally:
        engine.dispose()


def test_audit_page_of_an_old_entry(fresh_db_url, make_app):
    """The audit page shows an entry from before reasons as such, with its readable diff."""
    db.upgrade(fresh_db_url)
    app = make_app(fresh_db_url)
    with app.app_context():
        session = db.get_session()
        session.add(
            EmojiAuditEntry(actor="old", action="set", key=SUN, before=None, after=None, version=1)
        )
        session.commit()
    add_user(app, "op", operator=True)
    page = html.unescape(Browser(app).login("op").get("/admin/audit").text)
    assert "(none: logged before reasons were asked for)" in page
    assert "no field changes" in page
