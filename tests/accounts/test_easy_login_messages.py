"""Easy login says why it cannot work once per page, in the phone's encoding."""

from __future__ import annotations

from support.phones import Phone

MESSAGE = "この端末のiモードIDが取得できません"


def _csrf(handset) -> str:
    """Return the CSRF token of the first form of the last page that has one."""
    return [form for form in handset.forms() if form.control("_csrf")][0].control("_csrf")[1]


def test_refused_easy_login_says_it_once(app):
    """A DoCoMo phone without its i-mode ID pressing easy login reads the reason once."""
    handset = Phone(app, "docomo_foma", **{"X-DCMGUID": None})
    handset.get("/easy-login")
    assert handset.text.count(MESSAGE) == 1
    handset.get("/login")
    handset.post("/easy-login", {"_cs": "あ", "_csrf": _csrf(handset)})
    assert handset.status == 400
    assert handset.text.count(MESSAGE) == 1


def test_refused_binding_says_it_once(signed_in):
    """Binding without the ID is refused with the reason written once."""
    handset = signed_in("docomo_foma", "alice", **{"X-DCMGUID": None})
    handset.get("/settings/easy-login")
    assert handset.text.count(MESSAGE) == 1
    handset.post("/settings/easy-login/bind", {"_cs": "あ", "_csrf": _csrf(handset)})
    assert handset.status == 400
    assert handset.text.count(MESSAGE) == 1
