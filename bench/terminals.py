"""Terminal detection speed beside woothee, on every request of ua-sample.tsv.

Detections per second of ``terminals.detect_uncached`` (cold: no cache),
``terminals.detect`` (warm: every request already cached) and ``woothee.parse`` on the
same User-Agents, as the median (and best) of interleaved repeats in one run, then the
ratios.
Afterwards, every UA where woothee names a Japanese carrier and we do not agree::

    python bench/terminals.py [--repeats 31] [--data ../shared/data/ua-sample.tsv]
"""

import argparse
import collections
import csv
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import woothee  # noqa: E402

from mobile_gateway.phone import terminals  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "ua-sample.tsv"
#: woothee's ``os`` for a ``mobilephone`` of a Japanese carrier, to our carrier key.
WOOTHEE_CARRIERS = {
    "docomo": terminals.DOCOMO,
    "au": terminals.AU,
    "SoftBank": terminals.SOFTBANK,
    "willcom": terminals.WILLCOM,
    "WILLCOM": terminals.WILLCOM,
}


def load_requests(path: Path) -> list[dict[str, str]]:
    """Return one header dict per row of ua-sample.tsv (User-Agent plus its extra headers)."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    requests = []
    for row in rows:
        headers = json.loads(row["extra_headers"]) if row["extra_headers"] else {}
        headers.pop("REMOTE_ADDR", None)
        headers["User-Agent"] = row["user_agent"]
        requests.append(headers)
    return requests


def rate(function, items: list) -> float:
    """Return calls per second of *function* over *items*, one pass."""
    start = time.perf_counter()
    for item in items:
        function(item)
    return len(items) / (time.perf_counter() - start)


def main() -> None:
    """Measure, print the table and ratios, then the carrier disagreements with woothee."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=31)
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()

    requests = load_requests(args.data)
    agents = [headers["User-Agent"] for headers in requests]
    for headers in requests:  # fill the cache for the warm runs
        terminals.detect(headers)
    contenders = {
        "cold (detect_uncached)": (terminals.detect_uncached, requests),
        "warm (detect, cached)": (terminals.detect, requests),
        "woothee.parse": (woothee.parse, agents),
    }
    names = list(contenders)
    rates: dict[str, list[float]] = {name: [] for name in names}
    order = collections.deque(names)
    for _ in range(args.repeats):
        for name in order:
            function, items = contenders[name]
            rates[name].append(rate(function, items))
        order.rotate(1)  # interleave: each contender takes each position in turn
    median = {name: statistics.median(values) for name, values in rates.items()}

    print(f"{len(requests)} requests ({len(set(agents))} distinct UAs), {args.repeats} repeats")
    best = {name: max(values) for name, values in rates.items()}
    print(f"{'':24} {'median/s':>12} {'us each':>8} {'best/s':>12} {'us each':>8}")
    for name in names:
        print(
            f"{name:24} {median[name]:12,.0f} {1e6 / median[name]:8.2f}"
            f" {best[name]:12,.0f} {1e6 / best[name]:8.2f}"
        )
    for name, target in zip(names[:2], ("3x", "30x")):
        print(
            f"{name.split()[0]} / woothee: median {median[name] / median['woothee.parse']:4.1f}x,"
            f" best {best[name] / best['woothee.parse']:4.1f}x  (target >= {target})"
        )
    info = terminals.cache_info()
    print(f"cache: {info.currsize} entries, {info.hits} hits, {info.misses} misses")

    print("\nUAs where woothee names a Japanese carrier and we differ:")
    differ = 0
    for headers in requests:
        ua = headers["User-Agent"]
        theirs = woothee.parse(ua)
        if theirs["category"] != "mobilephone" or theirs["os"] not in WOOTHEE_CARRIERS:
            continue
        ours = terminals.detect(headers)
        if ours.carrier != WOOTHEE_CARRIERS[theirs["os"]]:
            differ += 1
            print(f"  woothee {theirs['os']}/{theirs['version']}, ours {ours.carrier}: {ua}")
    print(f"  ({differ} of {len(requests)})" if differ else "  none")


if __name__ == "__main__":
    main()
