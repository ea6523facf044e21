"""Which feed addresses may be fetched: public http(s) hosts only; loopback only in tests."""

from __future__ import annotations

import pytest

from mobile_gateway.crosspost import addresses

REFUSED = [
    "127.0.0.1",
    "::1",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",  # cloud metadata
    "100.100.100.200",  # carrier-grade NAT (a metadata address too)
    "0.0.0.0",
    "224.0.0.1",
    "240.0.0.1",
    "fe80::1",
    "fc00::1",
    "fd00:ec2::254",  # AWS metadata over IPv6
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "2002:a00:1::",  # 6to4 of 10.0.0.1
    "2001:0::1",  # Teredo
    "not an address",
]


@pytest.mark.parametrize("address", REFUSED)
def test_internal_addresses_are_refused(address):
    """Loopback, private, link-local, metadata, reserved and their IPv6 forms: refused."""
    assert not addresses.allowed(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"])
def test_public_addresses_are_allowed(address):
    """A public IPv4 or IPv6 address may be fetched."""
    assert addresses.allowed(address)


def test_the_test_setting_allows_loopback_and_nothing_more():
    """allow_loopback lets 127.0.0.0/8 and ::1 through, never private or metadata addresses."""
    assert addresses.allowed("127.0.0.1", allow_loopback=True)
    assert addresses.allowed("::1", allow_loopback=True)
    for address in ("10.1.2.3", "169.254.169.254", "192.168.1.1", "fd00:ec2::254"):
        assert not addresses.allowed(address, allow_loopback=True)


@pytest.mark.parametrize(
    "url,message",
    [
        ("", "入力してください"),
        ("ftp://example.com/feed", "http://"),
        ("file:///etc/passwd", "http://"),
        ("javascript:alert(1)", "http://"),
        ("http://user:pass@example.com/", "パスワード"),
        ("http://127.0.0.1/feed", "内部のアドレス"),
        ("http://localhost:8080/feed", "内部のアドレス"),
        ("http://[::1]/feed", "内部のアドレス"),
        ("http://169.254.169.254/latest/meta-data/", "内部のアドレス"),
        ("http://10.0.0.1/", "内部のアドレス"),
        ("http://0x7f000001/", "内部のアドレス"),  # resolves to 127.0.0.1
        ("http://example.com:99999/", "正しくありません"),
        ("http://exa mple.com/", "正しくありません"),
        ("http://例え.jp/", "正しくありません"),
        ("http://x/" + "a" * 2000, "正しくありません"),
    ],
)
def test_addresses_refused_when_added(url, message):
    """Each refused address says why, in Japanese, before anything is fetched."""
    with pytest.raises(addresses.AddressRefused, match=message):
        addresses.check_url(url)
