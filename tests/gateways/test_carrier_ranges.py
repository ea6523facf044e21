"""Carrier gateway ranges: import (dry run, real, replace), overlaps, CLI, lookups, cache."""

import ipaddress

import pytest
import sqlalchemy as sa
from support.handsets import add_range

from mobile_gateway.gateways import carrier_ranges, subscriber_ids
from mobile_gateway.storage import db
from mobile_gateway.storage.models import CarrierRange, utcnow

HEADER = "carrier\tcidr\tsource\tdate\n"
#: A file in the format of carrier-ip-ranges.tsv, with the cases the real one has.
RANGES_TSV = HEADER + (
    "docomo\t210.153.84.0/24\tjpmobile-ipaddresses docomo.rb\tlast commit touching file: 2011\n"
    "docomo\t210.153.84.0/24\tuamobile docomo.py\tlast commit touching file: 2010\n"
    "au\t111.107.116.0/26\tjpmobile-ipaddresses au.rb\t2011\n"
    'softbank\t123.108.237.0/27\t"quoted\tsource"\t2011\n'
    "willcom\t61.198.142.0/24\tjpmobile-ipaddresses willcom.rb\t2011\n"
    "crawler\t72.14.199.0/25\tuamobile crawler.py (Google)\t2010\n"
    "crawler\t209.85.238.0/25\tuamobile crawler.py (Google)\t2010\n"
    "other\t117.55.1.224/27\tjpmobile-ipaddresses emobile.rb\t2011\n"
)


def write(tmp_path, text: str, name: str = "ranges.tsv"):
    """Write *text* to a file and return its path as a string."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def stored(app) -> set[tuple[str, str]]:
    """Return the stored (carrier, cidr) pairs."""
    with app.app_context():
        rows = db.get_session().execute(sa.select(CarrierRange.carrier, CarrierRange.cidr))
        return {tuple(row) for row in rows}


def test_dry_run_reports_and_writes_nothing(app, tmp_path):
    """A dry run lists what it would add and what it skips, and stores nothing."""
    result = app.test_cli_runner().invoke(
        args=["ranges", "import", write(tmp_path, RANGES_TSV), "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert "read 8 rows: 4 ranges, 1 duplicates, skipped: 2 crawler, 1 other" in result.output
    assert "+ docomo 210.153.84.0/24" in result.output
    assert "+ softbank 123.108.237.0/27" in result.output
    assert "add 4, remove 0, unchanged 0" in result.output
    assert "dry run: nothing changed" in result.output
    assert stored(app) == set()


def test_real_run_then_again(app, tmp_path):
    """A real run stores the ranges with their source; a second run changes nothing."""
    path = write(tmp_path, RANGES_TSV)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["ranges", "import", path])
    assert result.exit_code == 0, result.output
    assert "imported: 4 added, 0 removed" in result.output
    assert stored(app) == {
        ("docomo", "210.153.84.0/24"),
        ("au", "111.107.116.0/26"),
        ("softbank", "123.108.237.0/27"),
        ("willcom", "61.198.142.0/24"),
    }
    with app.app_context():
        softbank = db.get_session().scalar(
            sa.select(CarrierRange).where(CarrierRange.carrier == "softbank")
        )
    assert softbank.source == "quoted\tsource" and softbank.source_date == "2011"
    again = runner.invoke(args=["ranges", "import", path])
    assert "add 0, remove 0, unchanged 4" in again.output


def test_replace_removes_only_the_files_carriers(app, tmp_path):
    """--replace drops stored ranges of the file's carriers that it lacks, and keeps others."""
    add_range(app, "docomo", "210.136.161.0/24")
    add_range(app, "au", "61.117.1.0/28")
    path = write(tmp_path, HEADER + "docomo\t210.153.84.0/24\tnew list\t2011\n")
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["ranges", "import", path, "--replace", "--dry-run"])
    assert "- docomo 210.136.161.0/24" in dry.output
    assert not [line for line in dry.output.splitlines() if line.startswith("- au")]
    result = runner.invoke(args=["ranges", "import", path, "--replace"])
    assert "imported: 1 added, 1 removed" in result.output
    assert stored(app) == {("docomo", "210.153.84.0/24"), ("au", "61.117.1.0/28")}


def test_file_with_errors_imports_nothing(app, tmp_path):
    """Unknown carriers and bad networks are reported by line and nothing is stored."""
    text = (
        HEADER
        + "docomo\t210.153.84.0/24\ts\td\nemobile\t1.2.3.0/24\ts\td\nau\t300.1.2.3/24\ts\td\n"
    )
    result = app.test_cli_runner().invoke(args=["ranges", "import", write(tmp_path, text)])
    assert result.exit_code == 1
    assert "line 3: error: unknown carrier 'emobile'" in result.output
    assert "line 4: error: not an IP network: '300.1.2.3/24'" in result.output
    assert stored(app) == set()


def test_header_is_required(app, tmp_path):
    """A file without the carrier and cidr columns is refused."""
    result = app.test_cli_runner().invoke(
        args=["ranges", "import", write(tmp_path, "210.153.84.0/24\tdocomo\n")]
    )
    assert result.exit_code == 1
    assert "header lacks the column(s) carrier, cidr" in result.output


def test_host_bits_are_noted_and_cleared(app, tmp_path):
    """A network written with host bits is stored as its network, with a note."""
    text = HEADER + "docomo\t210.153.84.7/24\ts\td\n"
    result = app.test_cli_runner().invoke(args=["ranges", "import", write(tmp_path, text)])
    assert "note: 210.153.84.7/24 read as 210.153.84.0/24" in result.output
    assert stored(app) == {("docomo", "210.153.84.0/24")}


def test_overlap_report(app, tmp_path):
    """Ranges of different carriers that share addresses are reported, stored ones included."""
    add_range(app, "au", "10.0.0.128/25")
    text = HEADER + (
        "docomo\t10.0.0.0/24\ts\td\n"
        "docomo\t10.0.0.0/25\ts\td\n"  # inside another docomo range: not an overlap
        "softbank\t10.0.1.0/24\ts\td\n"  # next to it: not an overlap
    )
    result = app.test_cli_runner().invoke(
        args=["ranges", "import", write(tmp_path, text), "--dry-run"]
    )
    assert "1 overlap(s) across carriers:" in result.output
    assert "docomo 10.0.0.0/24 overlaps au 10.0.0.128/25" in result.output
    clean = app.test_cli_runner().invoke(
        args=["ranges", "import", write(tmp_path, HEADER + "docomo\t10.9.0.0/16\ts\td\n")]
    )
    assert "no overlaps across carriers" in clean.output


def test_find_overlaps_ipv6_and_versions():
    """Overlaps are found per IP version; IPv4 and IPv6 never overlap."""
    net = ipaddress.ip_network
    pairs = carrier_ranges.find_overlaps(
        [
            ("docomo", net("2001:db8::/32")),
            ("au", net("2001:db8:1::/48")),
            ("softbank", net("0.0.0.0/0")),
        ]
    )
    assert pairs == [(("docomo", net("2001:db8::/32")), ("au", net("2001:db8:1::/48")))]


def test_cli_add_list_remove(app):
    """ranges add, list and remove manage single ranges and refuse bad ones."""
    runner = app.test_cli_runner()
    assert runner.invoke(args=["ranges", "add", "docomo", "210.153.84.0/24"]).exit_code == 0
    duplicate = runner.invoke(args=["ranges", "add", "docomo", "210.153.84.0/24"])
    assert duplicate.exit_code == 1 and "already stored" in duplicate.output
    bad = runner.invoke(args=["ranges", "add", "docomo", "not-a-network"])
    assert bad.exit_code == 1 and "not an IP network" in bad.output
    unknown = runner.invoke(args=["ranges", "add", "crawler", "72.14.199.0/25"])
    assert unknown.exit_code == 1 and "unknown carrier" in unknown.output
    listing = runner.invoke(args=["ranges", "list"])
    assert "docomo\t210.153.84.0/24\tcli" in listing.output
    assert runner.invoke(args=["ranges", "remove", "docomo", "210.153.84.0/24"]).exit_code == 0
    missing = runner.invoke(args=["ranges", "remove", "docomo", "210.153.84.0/24"])
    assert missing.exit_code == 1 and "not stored" in missing.output
    assert stored(app) == set()


def test_cli_stats(app):
    """ranges stats shows the stored ranges and the refused ids per carrier."""
    add_range(app, "au", "111.107.116.0/26")
    client = app.test_client()
    headers = {
        "User-Agent": "KDDI-CA32 UP.Browser/6.2.0.7.3.129 (GUI) MMP/2.0",
        "X-UP-SUBNO": "00000000000000_mj.ezweb.ne.jp",
    }
    for address in ("198.51.100.7", "198.51.100.8", "111.107.116.1"):
        client.get("/", headers=headers, environ_overrides={"REMOTE_ADDR": address})
    result = app.test_cli_runner().invoke(args=["ranges", "stats"])
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if line.startswith("au "))
    assert line.split()[:4] == ["au", "1", "2", "2"]
    assert line.endswith("from 198.51.100.8")
    docomo = next(line for line in result.output.splitlines() if line.startswith("docomo"))
    assert docomo.split()[:4] == ["docomo", "0", "0", "0"]


def test_counts_are_buffered_then_written(make_app, sqlite_url):
    """With a flush interval the counts wait in memory; stats writes them first."""
    app = make_app(sqlite_url, GATEWAY_STATS_FLUSH_SECONDS=3600)
    headers = {"User-Agent": "DoCoMo/2.0 P07A3(c500;TB;W24H15)", "X-DCMGUID": "000000a"}
    client = app.test_client()
    for _ in range(3):
        client.get("/?guid=ON", headers=headers, environ_overrides={"REMOTE_ADDR": "192.0.2.1"})
    engine = db.make_engine(sqlite_url)
    try:
        with engine.connect() as connection:
            query = sa.text("SELECT count(*) FROM untrusted_subscriber_counts")
            assert connection.execute(query).scalar() == 0
    finally:
        engine.dispose()
    with app.app_context():
        stats = {row.carrier: row for row in subscriber_ids.untrusted_stats()}
    assert stats["docomo"].total == 3


def test_index_lookups():
    """The index merges ranges and finds addresses by carrier, at the edges too."""
    net = ipaddress.ip_network
    index = carrier_ranges.RangeIndex(
        [
            ("docomo", net("210.153.84.0/24")),
            ("docomo", net("210.153.85.0/24")),
            ("docomo", net("210.153.84.128/25")),
            ("au", net("2001:db8::/64")),
        ]
    )
    assert index.size == 4
    assert index.contains("docomo", "210.153.84.0")
    assert index.contains("docomo", "210.153.85.255")
    assert not index.contains("docomo", "210.153.86.0")
    assert not index.contains("docomo", "210.153.83.255")
    assert not index.contains("au", "210.153.84.1")
    assert index.contains("au", "2001:db8::ffff")
    assert not index.contains("docomo", "2001:db8::1")
    assert not index.contains("docomo", None) and not index.contains("docomo", "junk")
    assert index.carriers_containing("210.153.84.9") == ["docomo"]


@pytest.mark.parametrize("ttl, sees_change", [(3600, False), (0, True)])
def test_cache_ttl(make_app, sqlite_url, ttl, sees_change):
    """Another process's change shows after the TTL; until then the cached ranges hold."""
    app = make_app(sqlite_url, GATEWAY_RANGES_TTL=ttl)
    with app.app_context():
        assert not carrier_ranges.get_index().contains("docomo", "210.153.84.1")
        # Another instance adds a range: this process's cache is not told.
        engine = db.make_engine(sqlite_url)
        with engine.begin() as connection:
            connection.execute(
                sa.insert(CarrierRange).values(
                    carrier="docomo", cidr="210.153.84.0/24", created_at=utcnow()
                )
            )
        engine.dispose()
        assert carrier_ranges.get_index().contains("docomo", "210.153.84.1") is sees_change
        carrier_ranges.invalidate()
        assert carrier_ranges.get_index().contains("docomo", "210.153.84.1")
