"""Ids in URLs, forms and cursors beyond what the database holds are "not found", never a 500."""

from __future__ import annotations

import pytest

#: Larger than a PostgreSQL ``integer`` (and, the second, than any SQLite INTEGER).
TOO_LARGE = ("3000000000", "99999999999999999999999")


@pytest.mark.parametrize("echo_id", TOO_LARGE)
def test_echo_page_of_an_out_of_range_id(phone, echo_id):
    """An echo id no column can hold is "not found" (404), not a server error."""
    reader = phone("docomo_mova")
    reader.get(f"/echo/{echo_id}")
    assert reader.status == 404


@pytest.mark.parametrize("echo_id", TOO_LARGE)
def test_reply_to_an_out_of_range_id(signed_in, store, echo_id):
    """A reply to an id no column can hold is refused like any unknown echo, not a 500."""
    handset = signed_in("au", "alice")
    handset.get(handset.home_url())
    handset.submit({"body": "こんにちは", "reply_to": echo_id}, "/echo")
    assert handset.status == 400
    assert store.bodies() == []


@pytest.mark.parametrize("echo_id", TOO_LARGE)
def test_delete_of_an_out_of_range_id(signed_in, echo_id):
    """Asking to delete an echo id no column can hold is a 404."""
    handset = signed_in("pc", "alice")
    handset.get(f"/echo/{echo_id}/delete")
    assert handset.status == 404


def test_cursor_with_an_out_of_range_id(phone, store):
    """A crafted archive cursor naming an id no column can hold is refused (404), not a 500."""
    import base64

    store.user("alice")
    store.echo("alice", "こんにちは")
    payload = b"b1243857600000000.3000000000"
    cursor = base64.urlsafe_b64encode(payload).rstrip(b"=").decode("ascii")
    reader = phone("pc")
    reader.get(f"/u/alice?c={cursor}")
    assert reader.status in (200, 404)
