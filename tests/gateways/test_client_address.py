"""The client address: the socket peer, or the right-most untrusted X-Forwarded-For hop."""

import pytest

from mobile_gateway.gateways.client_address import client_address, parse_address, parse_networks

PROXIES = parse_networks(["10.0.0.0/8", "192.0.2.1"])


def test_peer_without_trusted_proxies():
    """With no trusted proxies the socket peer is the client, whatever the headers say."""
    assert client_address("198.51.100.7", ["203.0.113.9"], ()) == "198.51.100.7"


def test_forged_header_from_untrusted_peer_is_ignored():
    """A peer that is not a trusted proxy cannot name another address."""
    assert client_address("198.51.100.7", ["210.153.84.1"], PROXIES) == "198.51.100.7"


def test_right_most_untrusted_entry():
    """Behind trusted proxies, the right-most entry that is not a proxy is the client."""
    forwarded = ["210.153.84.1, 203.0.113.9", "10.1.2.3"]
    assert client_address("10.0.0.1", forwarded, PROXIES) == "203.0.113.9"


def test_entries_left_of_the_client_are_not_believed():
    """A client that writes its own X-Forwarded-For cannot pick the address we see."""
    assert client_address("192.0.2.1", ["210.153.84.1, 198.51.100.7"], PROXIES) == "198.51.100.7"


def test_all_hops_trusted_gives_the_left_most():
    """When every hop is a trusted proxy, the first of them is the client."""
    assert client_address("10.0.0.1", ["10.9.9.9, 10.1.1.1"], PROXIES) == "10.9.9.9"


def test_proxy_without_header_is_the_client():
    """A trusted proxy that sends no X-Forwarded-For is itself the client."""
    assert client_address("10.0.0.1", [], PROXIES) == "10.0.0.1"


def test_garbage_entry_stops_at_the_last_trusted_hop():
    """An entry that is no address is never used; the last trusted hop is returned instead."""
    assert client_address("10.0.0.1", ["210.153.84.1, unknown", "10.2.2.2"], PROXIES) == "10.2.2.2"


def test_ipv4_mapped_ipv6_is_written_as_ipv4():
    """``::ffff:a.b.c.d`` peers are the IPv4 address they carry."""
    assert client_address("::ffff:210.153.84.1") == "210.153.84.1"
    assert str(parse_address(" 2001:db8::1 ")) == "2001:db8::1"


def test_unknown_peer():
    """No REMOTE_ADDR (or a bad one) gives no address."""
    assert client_address(None) is None
    assert client_address("not-an-ip") is None


def test_bad_trusted_proxies_setting_is_refused():
    """A TRUSTED_PROXIES entry that is no network stops the app from starting."""
    with pytest.raises(ValueError):
        parse_networks(["10.0.0.0/8", "example.com"])
    assert parse_networks("10.0.0.0/8, 192.0.2.1") == PROXIES
