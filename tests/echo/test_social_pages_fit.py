"""Every page of finding people and hearing from them fits every phone's page budget."""

from __future__ import annotations

import pytest
from support.phones import PHONES

from mobile_gateway.accounts import users
from mobile_gateway.echo import profiles

pytestmark = pytest.mark.sqlite_only

#: The longest display name and profile: twenty and a hundred characters, emoji among them.
LONG_NAME = "🎉あ" * 10
LONG_PROFILE = "🌏かきくけ" * 20


@pytest.fixture
def crowd(store) -> dict:
    """alice with long-named friends, requests, suggestions, mentions and a long thread."""
    names = ["alice"] + [f"friend{n}" for n in range(8)] + ["asker1", "asker2", "fof"]
    for name in names:
        store.user(name)
        with store.session() as session:
            profiles.set_profile(session, users.get_user(session, name), LONG_NAME, LONG_PROFILE)
    for friend in names[1:9]:
        store.befriend("alice", friend)
    store.befriend("friend0", "fof")
    store.ask("asker1", "alice")
    store.ask("asker2", "alice")
    question = store.echo("alice", "@friend0 @friend1 " + "☀️" * 120, minutes_ago=60)
    for n in range(8):
        store.echo(f"friend{n}", f"@alice @friend{n} " + "🎉" * 120, minutes_ago=50 - n,
                   reply_to=question)  # fmt: skip
    return {"question": question}


@pytest.mark.parametrize("name", PHONES)
def test_every_new_page_fits(signed_in, store, crowd, name):
    """Home with news, replies, a thread, profiles, friends, removal, search, settings fit."""
    handset = signed_in(name, "alice", create=False)
    sid = handset.sid
    pages = {
        "home": "/",
        "replies": "/replies",
        "thread": f"/echo/{crowd['question']}",
        "profile of a friend": "/u/friend0",
        "profile of an asker": "/u/asker1",
        "profile of a stranger": "/u/fof",
        "own profile": "/u/alice",
        "friends": "/friends",
        "remove": "/friends/remove/friend0",
        "search": "/search",
        "search results": "/search?q=%F0%9F%8E%89&_cs=%E3%81%82",
        "settings": "/settings/profile",
        "posted": "/?m=posted",
    }
    over = {}
    for label, path in pages.items():
        handset.visit(path, sid=sid)
        assert handset.status == 200, (label, handset.text)
        if label == "home":
            assert handset.has_link("マイミク申請 2件") and handset.has_link("新着返信 8件")
        if len(handset.raw) > handset.terminal.page_budget:
            over[label] = len(handset.raw)
    handset.visit("/settings/profile", sid=sid)
    handset.submit({"display_name": "あ" * 21, "profile": "☀️かきくけ" * 20}, "/settings/profile")
    assert handset.status == 400
    if len(handset.raw) > handset.terminal.page_budget:
        over["settings error"] = len(handset.raw)
    assert not over, f"{name} (budget {handset.terminal.page_budget}): over {over}"
