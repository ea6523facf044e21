"""Record, check or dump every feature-phone page of the app, for the byte-for-byte check.

Each feature-phone test phone is walked through every page type on the same seeded data
with time pinned (``tests/support/feature_phone_pages.py``); run-to-run parts (session
ids, CSRF and post tokens, new API tokens) are masked. The record,
``tests/phone/feature_phone_pages.json``, holds each page's status, Content-Type,
length and SHA-256; ``tests/phone/test_feature_phone_pages.py`` compares the tree under
test with it.

Record the pages of another tree (``main`` before a change), then compare::

    git archive main mobile_gateway templates_mobile | tar -x -C /tmp/main-tree
    PYTHONPATH=/tmp/main-tree python tools/feature_phone_pages.py --write /tmp/main.json
    python tools/feature_phone_pages.py --check /tmp/main.json

``--dump DIR`` writes the masked pages as files (``phone__page.html``), to diff two trees.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

# The app's packages first: the tests folder has a "carrier_emoji" folder of its own.
import carrier_emoji  # noqa: F401
import mobile_gateway

ROOT = Path(__file__).resolve().parent.parent
sys.path.append(str(ROOT / "tests"))

from support import feature_phone_pages  # noqa: E402

DEFAULT_RECORD = ROOT / "tests" / "phone" / "feature_phone_pages.json"


def main(argv: list[str] | None = None) -> int:
    """Run the command; return the exit status (1 when ``--check`` finds a difference)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", metavar="FILE", type=Path, help="record the pages in FILE")
    parser.add_argument(
        "--check",
        metavar="FILE",
        type=Path,
        nargs="?",
        const=DEFAULT_RECORD,
        help=f"compare the pages with FILE (default {DEFAULT_RECORD.relative_to(ROOT)})",
    )
    parser.add_argument("--dump", metavar="DIR", type=Path, help="write the masked pages to DIR")
    args = parser.parse_args(argv)
    if not (args.write or args.check or args.dump):
        parser.error("say --write FILE, --check [FILE] or --dump DIR")
    logging.disable(logging.WARNING)  # budget warnings and ignored subscriber ids
    print(f"app from {Path(mobile_gateway.__file__).parent}", file=sys.stderr)
    pages = feature_phone_pages.render_all()
    record = feature_phone_pages.digest(pages)
    print(f"{len(record)} pages", file=sys.stderr)
    if args.dump:
        args.dump.mkdir(parents=True, exist_ok=True)
        for key, (_, _, body) in pages.items():
            (args.dump / (key.replace("/", "__") + ".html")).write_bytes(body)
    if args.write:
        args.write.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
    if args.check:
        expected = json.loads(args.check.read_text())
        differing = sorted(
            key for key in expected.keys() | record.keys() if expected.get(key) != record.get(key)
        )
        for key in differing:
            print(f"differs: {key}: {expected.get(key)} -> {record.get(key)}")
        print(f"{len(differing)} of {len(expected)} pages differ", file=sys.stderr)
        return 1 if differing else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
