"""The console under /admin: who may use it, and each of its pages at work."""

import re
from urllib.parse import quote

import pytest
from support.console import AU_ONLY, DOCOMO_UA, PC_UA, Browser, add_user, hidden_fields
from support.settings import PASSWORD

import carrier_emoji
from mobile_gateway.echo.text import clean_body
from mobile_gateway.storage import db
from mobile_gateway.storage.models import Echo

SUN = "\u2600\ufe0f"
REASON = "tidy the sun's codes"
IPHONE_UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 3_0 like Mac OS X) AppleWebKit/528.18 Mobile/7A341"

#: Every console route: (method, URL, form) and the status an operator gets.
ROUTES = {
    "admin.index": ("GET", "/admin/", None, 200),
    "admin.lookup": ("GET", "/admin/emoji?q=F89F", None, 200),
    "admin.edit": ("GET", "/admin/emoji/edit?key=" + quote("U+2600 U+FE0F"), None, 200),
    "admin.preview": ("POST", "/admin/emoji/preview", {"op": "set", "key": SUN}, 200),
    "admin.save": (
        "POST",
        "/admin/emoji/save",
        {"op": "set", "key": SUN, "localsrc": "44", "reason": REASON},
        302,
    ),
    "admin.audit": ("GET", "/admin/audit", None, 200),
    "admin.revert": ("POST", "/admin/audit/1/revert", {"reason": REASON}, 302),
    "admin.language": ("GET", "/admin/language/ja?next=/admin/audit", None, 302),
    "admin.export_csv": ("GET", "/admin/export.csv", None, 200),
    "admin.import_csv": ("GET", "/admin/import", None, 200),
    "admin.check": ("GET", "/admin/check", None, 200),
    "admin_period.form": ("GET", "/admin/service-period", None, 200),
}


def call(browser: Browser, endpoint: str):
    """Request one console route the way its page would."""
    method, url, form, _ = ROUTES[endpoint]
    return browser.get(url) if method == "GET" else browser.post(url, form)


def test_every_route_is_listed(sqlite_app):
    """The authorization tests below cover every route of the console."""
    endpoints = {rule.endpoint for rule in sqlite_app.url_map.iter_rules()}
    assert {e for e in endpoints if e.startswith(("admin.", "admin_period."))} == set(ROUTES)


class TestAuthorization:
    """Only a signed-in operator on a PC gets in."""

    @pytest.mark.parametrize("endpoint", sorted(ROUTES))
    def test_signed_out(self, sqlite_app, endpoint):
        """A visitor who is not signed in is sent to the sign-in page."""
        browser = Browser(sqlite_app)
        browser.get("/login")
        response = call(browser, endpoint)
        assert response.status_code == 302 and response.location.startswith("/login")

    @pytest.mark.parametrize("endpoint", sorted(ROUTES))
    def test_ordinary_user(self, sqlite_app, endpoint):
        """A user without the operator role is refused."""
        add_user(sqlite_app, "taro")
        browser = Browser(sqlite_app).login("taro")
        browser.get("/")
        assert call(browser, endpoint).status_code == 403

    @pytest.mark.parametrize("user_agent", [DOCOMO_UA, IPHONE_UA])
    @pytest.mark.parametrize("endpoint", sorted(ROUTES))
    def test_phones(self, sqlite_app, endpoint, user_agent):
        """A phone is refused even when an operator signs in on it."""
        add_user(sqlite_app, "op", operator=True)
        browser = Browser(sqlite_app, user_agent)
        browser.get("/login")
        response = browser.post("/login", {"name": "op", "password": PASSWORD})
        sid = re.search(r"sid=([\w-]+)", response.location or "")
        suffix = ("&" if "?" in ROUTES[endpoint][1] else "?") + f"sid={sid.group(1)}" if sid else ""
        method, url, form, _ = ROUTES[endpoint]
        if method == "GET":
            response = browser.get(url + suffix)
        else:
            browser.get("/" + suffix.replace("&", "?", 1))
            response = browser.post(url + suffix, form)
        assert response.status_code == 403

    @pytest.mark.parametrize("endpoint", sorted(ROUTES))
    def test_operator(self, operator, sqlite_app, endpoint):
        """An operator on a PC gets every page."""
        if endpoint == "admin.revert":
            call(operator, "admin.save")
            entry = re.search(r"/admin/audit/(\d+)/revert", operator.get("/admin/audit").text)
            preview = operator.get(f"/admin/audit/{entry.group(1)}/revert")
            assert preview.status_code == 200 and 'id="revert"' in preview.text
            response = operator.post(f"/admin/audit/{entry.group(1)}/revert", {"reason": REASON})
            assert (
                "Reverted"
                in operator.client.get(response.location, headers={"User-Agent": PC_UA}).text
            )
            return
        response = call(operator, endpoint)
        assert response.status_code == ROUTES[endpoint][3], response.text[:2000]
        if response.status_code == 200 and response.mimetype == "text/html":
            assert response.content_type == "text/html; charset=UTF-8"
            assert "Echo operators" in response.text
        assert response.headers["Cache-Control"] == "no-store"


def echo_with(app, body: str) -> int:
    """Store an echo by a new user and return its id."""
    with app.app_context():
        session = db.get_session()
        from mobile_gateway.accounts import users

        author = users.find_user(session, "hanako") or users.signup(session, "hanako", PASSWORD)
        echo = Echo(author=author, body=clean_body(body))
        session.add(echo)
        session.commit()
        return echo.id


class TestChanges:
    """Preview, save, revert through the console."""

    def test_refused_change_says_why(self, operator):
        """A change taking a code twice is refused with the reason and no save button."""
        response = operator.post(
            "/admin/emoji/preview", {"op": "set", "key": SUN, "docomo": "F94A"}
        )
        assert response.status_code == 422
        assert "docomo code F94A is mapped twice" in response.text
        assert 'id="save"' not in response.text

    def test_bad_field_says_which(self, operator):
        """A code that is no code of that carrier is named with its field."""
        response = operator.post(
            "/admin/emoji/preview", {"op": "set", "key": SUN, "au_fit": "F89F"}
        )
        assert (
            response.status_code == 422 and "au_fit: F89F is not one of au&#39;s" in response.text
        )

    def test_preview_save_and_phones_see_it(self, operator, sqlite_app):
        """au F370 gets a meaning: the preview shows DoCoMo's bytes; saved, DoCoMo gets them."""
        echo_id = echo_with(sqlite_app, "晴れ" + AU_ONLY)
        docomo = Browser(sqlite_app, DOCOMO_UA)
        assert b"\xf8\x9f" not in docomo.get(f"/echo/{echo_id}").data
        response = operator.post(
            "/admin/emoji/preview",
            {"op": "carrier_only", "carrier": "au", "code": "F370", "means": ":sun:"},
        )
        assert response.status_code == 200, response.text
        assert "F8 9F" in response.text and "Affects output" in response.text
        assert carrier_emoji.encode(AU_ONLY, "x-sjis-docomo", "geta") == b"\x81\xac"  # not yet
        saved = operator.post(
            "/admin/emoji/save",
            {**hidden_fields(response.text, "/admin/emoji/save"), "reason": REASON},
        )
        assert saved.status_code == 302 and "saved=1" in saved.location
        assert "Saved: emoji table version 1" in operator.get(saved.location).text
        page = docomo.get(f"/echo/{echo_id}").data
        assert "晴れ".encode("cp932") + b"\xf8\x9f" in page
        assert (
            b"\xf3\x70"
            in Browser(sqlite_app, "KDDI-CA32 UP.Browser/6.2.0.7.3.129 (GUI) MMP/2.0")
            .get(f"/echo/{echo_id}")
            .data
        )

    def test_stale_save_is_refused(self, operator, sqlite_app):
        """Saving a preview after someone else changed the row is refused."""
        response = operator.post(
            "/admin/emoji/preview", {"op": "set", "key": SUN, "localsrc": "44"}
        )
        fields = {**hidden_fields(response.text, "/admin/emoji/save"), "reason": REASON}
        other = operator.post("/admin/emoji/preview", {"op": "set", "key": SUN, "name_ja": "晴"})
        operator.post(
            "/admin/emoji/save", {**hidden_fields(other.text, "/admin/emoji/save"), "reason": "晴"}
        )
        response = operator.post("/admin/emoji/save", fields)
        assert response.status_code == 409 and "changed by someone else" in response.text

    def test_remove_and_revert_from_the_audit_log(self, operator):
        """Removal and revert are logged; a revert out of order is refused, saying why."""
        preview = operator.post("/admin/emoji/preview", {"op": "set", "key": SUN, "localsrc": "44"})
        operator.post(
            "/admin/emoji/save",
            {**hidden_fields(preview.text, "/admin/emoji/save"), "reason": "au's sun number"},
        )
        preview = operator.post("/admin/emoji/preview", {"op": "remove", "key": SUN})
        assert preview.status_code == 200
        operator.post(
            "/admin/emoji/save",
            {**hidden_fields(preview.text, "/admin/emoji/save"), "reason": "back to shipped"},
        )
        audit = operator.get("/admin/audit").text
        assert audit.count("op</td>") == 2 and "back to shipped" in audit
        first, second = sorted(map(int, re.findall(r"/admin/audit/(\d+)/revert", audit)))
        refused = operator.get(f"/admin/audit/{first}/revert")
        assert refused.status_code == 409 and f"changed after entry #{first}" in refused.text
        assert "revert that one first" in refused.text and 'id="revert"' not in refused.text
        refused = operator.post(f"/admin/audit/{first}/revert", {"reason": "try"})
        assert refused.status_code == 409 and "revert that one first" in refused.text
        done = operator.post(f"/admin/audit/{second}/revert", {"reason": "keep 44"})
        assert f"Reverted #{second}" in operator.get(done.location).text
        assert f"revert of #{second}" in operator.get("/admin/audit").text


CSV = (
    "key,docomo,au,softbank,docomo_fit,au_fit,softbank_fit,google,name_ja,fit,localsrc\n"
    "U+102A9D,,F370,,,,,,,☀️,\n"
)


class TestImportExport:
    """CSV in the console: dry run with counts, real run, export."""

    def test_dry_run_then_run(self, operator):
        """The dry run reports counts and writes nothing; the run imports."""
        response = operator.post("/admin/import", {"csv": CSV, "run": "no"})
        assert response.status_code == 200
        assert "1 row read: 0 added, 1 changed" in response.text
        assert 'id="run"' in response.text and 'id="table-version">0<' in response.text
        response = operator.post("/admin/import", {"csv": CSV, "run": "yes", "reason": REASON})
        assert "Imported: 1 row read" in response.text and "Table version 1" in response.text
        exported = operator.get("/admin/export.csv")
        assert exported.mimetype == "text/csv" and "U+102A9D,,F370" in exported.text

    def test_refused_import(self, operator):
        """An import with a bad row names the line and imports nothing."""
        response = operator.post(
            "/admin/import", {"csv": CSV + "☀️,F000\n", "run": "yes", "reason": REASON}
        )
        assert response.status_code == 422 and "line 3: docomo: F000" in response.text
        assert "U+102A9D" not in operator.get("/admin/export.csv").text

    def test_large_import(self, operator):
        """An import larger than a handset form (16 KB) is accepted on the console."""
        index = carrier_emoji.current_index()
        rows = [r for r in index.rows if r.name_ja and not index.is_carrier_only(r.key)][:400]
        text = "key,name_ja\n" + "".join(f"{r.key},{r.name_ja}です\n" for r in rows)
        assert len(text.encode()) * 2 > 16 * 1024
        response = operator.post("/admin/import", {"csv": text, "run": "no"})
        assert response.status_code == 200, response.text[:500]
        assert f"{len(rows)} rows read: 0 added, {len(rows)} changed" in response.text


class TestOtherPages:
    """The check page and the service period form."""

    def test_check(self, operator):
        """The check page reports a consistent table."""
        assert "is consistent" in operator.get("/admin/check").text

    def test_service_period(self, operator, sqlite_app):
        """The period is saved in Japan time; an end before the start is refused."""
        response = operator.post(
            "/admin/service-period",
            {"start": "2009-07-01T00:00", "end": "2009-07-31T23:59", "reading_after_end": "closed"},
        )
        assert response.status_code == 200 and "Saved." in response.text
        assert 'value="2009-07-31T23:59"' in response.text
        with sqlite_app.app_context():
            from mobile_gateway.echo import service_period

            period = service_period.get_period(db.get_session())
        assert period.end.isoformat() == "2009-07-31T14:59:00+00:00"
        assert period.reading_after_end == "closed"
        response = operator.post(
            "/admin/service-period",
            {"start": "2009-07-31T00:00", "end": "2009-07-01T00:00", "reading_after_end": "open"},
        )
        assert response.status_code == 400 and "The end must be after the start" in response.text
