"""Real Japanese prose for the codec benchmark, from Debian's ``manpages-ja``.

The gzipped man pages under /usr/share/man/ja are read in name order, their roff markup
stripped (requests, font and character escapes), and their text joined until about
*size* bytes of Shift_JIS: ASCII, kana and kanji as Japanese documentation mixes them.
The text is cached outside the repository (``~/.cache/carrier_emoji``; never committed).
:func:`with_emoji` puts one emoji of a carrier's set every ~40 characters into it::

    apt-get install -y manpages-ja
    python bench/prose_corpus.py [--size 1000000]   # writes the cache, prints its path
"""

from __future__ import annotations

import argparse
import gzip
import random
import re
import sys
from pathlib import Path

MAN_DIR = Path("/usr/share/man/ja")
CACHE_DIR = Path.home() / ".cache" / "carrier_emoji"

#: roff escapes: fonts (\fB), sizes (\s-1), named characters (\(em, \*(lq, \[xx]),
#: zero-width and spacing marks (\& \| \^ \c), and the rest of the one-letter ones.
_ESCAPES = re.compile(
    r"\\(?:f(?:\(..|\[[^\]]*\]|.)|s[-+]?\d+|\((..)|\*(?:\(..|\[[^\]]*\]|.)|\[[^\]]*\]|[&|^c%:])"
)
_NAMED = {"em": "—", "en": "-", "lq": "“", "rq": "”", "bu": "・", "co": "©", "aq": "'"}
_NAMED_ASCII = {"em": "-", "co": "(C)"}
#: Requests whose arguments are text worth keeping (headings, fonts).
_TEXT_REQUESTS = re.compile(r"^\.(?:SH|SS|B|I|BI|BR|IR|RB|RI|IB|TP|IP|Nm|Nd)\s+(.*)$")


def strip_roff(source: str) -> str:
    """Return the running text of a roff page: no requests, no escapes, no comments."""
    lines = []
    for line in source.splitlines():
        if line.startswith(('.\\"', "'\\\"", '\\"')):
            continue
        request = _TEXT_REQUESTS.match(line)
        if request:
            line = request.group(1).replace('"', "")
        elif line.startswith((".", "'")):
            continue
        line = _ESCAPES.sub(lambda m: _NAMED_ASCII.get(m.group(1) or "", ""), line)
        line = line.replace("\\-", "-").replace("\\e", "\\").replace("\\ ", " ")
        line = re.sub(r"\\.", "", line).strip()
        if line:
            lines.append(line)
    return "\n".join(lines)


def _cp932_text(text: str) -> str:
    """Drop what CP932 cannot carry (a few symbols of translated pages)."""
    return text.encode("cp932", "ignore").decode("cp932")


def build(size: int) -> str:
    """Return about *size* Shift_JIS bytes of man-page prose."""
    pages = sorted(MAN_DIR.glob("man*/*.gz"))
    if not pages:
        raise SystemExit(f"no man pages under {MAN_DIR}: apt-get install -y manpages-ja")
    out, length = [], 0
    while length < size:
        for page in pages:
            with gzip.open(page, "rt", encoding="utf-8", errors="ignore") as file:
                text = _cp932_text(strip_roff(file.read()))
            out.append(text)
            length += len(text.encode("cp932"))
            if length >= size:
                break
    data = "\n".join(out).encode("cp932")[:size]
    return data.decode("cp932", "ignore")


def prose(size: int = 1_000_000) -> str:
    """Return the cached prose of about *size* bytes, building it the first time."""
    path = CACHE_DIR / f"manpages-ja-{size}.txt"
    if path.exists():
        return path.read_text(encoding="utf-8")
    text = build(size)
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return text


def with_emoji(text: str, emoji: list[str], every: int = 40, seed: int = 2009) -> str:
    """Insert one of *emoji* every ~*every* characters (30-50 for 40), at random."""
    if not emoji:
        return text
    rng = random.Random(seed)
    out, start = [], 0
    low, high = every * 3 // 4, every * 5 // 4
    while start < len(text):
        end = start + rng.randint(low, high)
        out.append(text[start:end])
        if end < len(text):
            out.append(rng.choice(emoji))
        start = end
    return "".join(out)


def main() -> None:
    """Build (or find) the cache and say where it is."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    args = parser.parse_args()
    text = prose(args.size)
    ascii_share = sum(c.isascii() for c in text) / len(text)
    print(f"{CACHE_DIR / f'manpages-ja-{args.size}.txt'}: {len(text)} characters,")
    print(f"{len(text.encode('cp932'))} Shift_JIS bytes, {ascii_share:.0%} ASCII")


if __name__ == "__main__":
    sys.exit(main())
