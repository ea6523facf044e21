"""The console's limits: only an operator may post a large import; ids beyond the database."""

import pytest
from support.console import AU_UA, Browser, add_user

#: More than a handset form may send (16 KB), less than the console's import limit.
LARGE = "key,name_ja\n" + "x" * (64 * 1024)


class TestLargeBodiesOnlyForOperators:
    """Only an operator's CSV import may send more than a handset form."""

    def test_signed_out(self, sqlite_app):
        """A visitor's large post to the import page is refused as too large."""
        browser = Browser(sqlite_app)
        browser.get("/login")
        response = browser.post("/admin/import", {"csv": LARGE})
        assert response.status_code == 413

    def test_ordinary_user(self, sqlite_app):
        """A signed-in user without the operator role cannot post a large body either."""
        add_user(sqlite_app, "taro")
        browser = Browser(sqlite_app).login("taro")
        browser.get("/")
        response = browser.post("/admin/import", {"csv": LARGE})
        assert response.status_code == 413

    def test_operator_on_a_handset(self, sqlite_app):
        """An operator's session on a phone is no console session: the handset limit holds."""
        add_user(sqlite_app, "op", operator=True)
        browser = Browser(sqlite_app, AU_UA).login("op")
        browser.get("/")
        response = browser.post("/admin/import", {"csv": LARGE})
        assert response.status_code == 413

    def test_operator(self, operator):
        """The control: an operator on a PC may (the import reports the bad rows)."""
        response = operator.post("/admin/import", {"csv": LARGE, "run": "no"})
        assert response.status_code in (200, 422)


@pytest.mark.parametrize("number", ["3000000000", "99999999999999999999999"])
def test_audit_page_beyond_the_ids(operator, number):
    """An audit page "before" an id no column can hold lists from the newest, not a 500."""
    response = operator.get(f"/admin/audit?before={number}")
    assert response.status_code == 200


@pytest.mark.parametrize("number", ["3000000000", "99999999999999999999999"])
def test_revert_beyond_the_ids(operator, number):
    """Reverting an entry id no column can hold is "not found", not a 500."""
    response = operator.post(f"/admin/audit/{number}/revert", {})
    assert response.status_code == 404
