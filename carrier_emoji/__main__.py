"""Command line: convert text between carrier encodings, or look an emoji up.

Examples::

    printf '\\xf8\\x9f' | carrier-emoji convert --from x-sjis-docomo --to x-sjis-kddi | xxd
    echo '今日は晴れ☀️' | carrier-emoji convert --to x-sjis-softbank-webcode | xxd
    carrier-emoji show ☀️
    carrier-emoji codecs
"""

from __future__ import annotations

import argparse
import sys

from . import ALIASES, FALLBACKS, SPECS, current_index, decode, encode, notations


def _convert(args) -> int:
    data = sys.stdin.buffer.read()
    text = decode(data, args.source, args.errors)
    sys.stdout.buffer.write(encode(text, args.target, args.errors, args.fallback))
    return 0


def _show(args) -> int:
    index = current_index()
    row = index.by_key.get(args.emoji) or index.by_key.get(args.emoji + "\ufe0f")
    if row is None:
        print(f"{args.emoji!r}: not in the table", file=sys.stderr)
        return 1
    print(f"key      {row.key!r}  name {row.name_ja or '-'}")
    for carrier in notations.CARRIERS:
        code, fit = row.code(carrier), "+".join(f"{c:04X}" for c in row.fit_codes(carrier))
        shown = f"{code:04X}" if code else (f"best fit {fit}" if fit else "-")
        print(f"{carrier:8} {shown}")
    for name in SPECS:
        print(f"{name:26} {encode(row.key, name)!r}")
    return 0


def _codecs(args) -> int:
    for name in SPECS:
        aliases = ", ".join(a for a, n in ALIASES.items() if n == name)
        print(f"{name:26} {aliases}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line."""
    parser = argparse.ArgumentParser(prog="carrier-emoji", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    convert = sub.add_parser("convert", help="convert stdin to stdout")
    convert.add_argument("--from", dest="source", default="x-utf8-unicode")
    convert.add_argument("--to", dest="target", default="x-utf8-unicode")
    convert.add_argument("--errors", default="strict", help="strict, replace, ignore, geta")
    convert.add_argument("--fallback", default="fit", choices=FALLBACKS)
    convert.set_defaults(func=_convert)
    show = sub.add_parser("show", help="show one emoji on every carrier")
    show.add_argument("emoji")
    show.set_defaults(func=_show)
    sub.add_parser("codecs", help="list codecs and aliases").set_defaults(func=_codecs)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UnicodeError as exc:
        print(f"carrier-emoji: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
