"""Throughput of each carrier codec beside Python's own codec on the same text.

About 1 MB of Japanese text, with one emoji per ~40 characters and without emoji; MB/s
of decode and encode per codec, and the ratio to plain ``cp932`` (``x-sjis-*``) or
``utf-8`` (``x-utf8-*``), from the median of interleaved repeats in one run::

    python bench/codecs.py [--repeats 15] [--size 1000000]
"""

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import carrier_emoji  # noqa: E402
from carrier_emoji.specs import SPECS  # noqa: E402

PUNCTUATION = "、。「」！？ー・…※"


def japanese_alphabet() -> list[str]:
    """Return common JIS X 0208 characters: kana, level-1 kanji, punctuation."""
    chars = [chr(c) for c in range(0x3041, 0x3094)] * 4 + [chr(c) for c in range(0x30A1, 0x30F7)]
    for lead in range(0x88, 0x99):
        for trail in list(range(0x40, 0x7F)) + list(range(0x80, 0xFD)):
            try:
                chars.append(bytes((lead, trail)).decode("cp932"))
            except UnicodeDecodeError:
                pass
    return chars + list(PUNCTUATION) * 20 + list("ABC abc 123")


def make_text(size: int, emoji: list[str], seed: int = 2009) -> str:
    """Return text of about *size* Shift_JIS bytes, with one emoji per ~40 characters."""
    rng = random.Random(seed)
    alphabet = japanese_alphabet()
    out = []
    length = 0
    while length < size:
        run = "".join(rng.choices(alphabet, k=rng.randint(30, 50)))
        out.append(run)
        length += len(run) * 2
        if emoji:
            out.append(rng.choice(emoji))
            length += 2
    return "".join(out)


def carrier_emoji_keys(carrier: str | None) -> list[str]:
    """Return the emoji a phone of *carrier* can send (all standard emoji for Unicode)."""
    rows = carrier_emoji.current_index().rows
    if carrier is None:
        return [r.key for r in rows if not carrier_emoji.EmojiIndex.is_carrier_only(r.key)]
    return [r.key for r in rows if r.code(carrier) is not None]


def median_time(func, arg) -> float:
    """Time one call."""
    start = time.perf_counter()
    func(arg)
    return time.perf_counter() - start


def bench(name: str, text: str, repeats: int) -> dict:
    """Measure one codec and its base codec on *text*, interleaved."""
    spec = SPECS[name]
    data = text.encode(name)
    base_data = text.encode(spec.base, "replace")
    times = {"dec": [], "enc": [], "base_dec": [], "base_enc": []}
    for _ in range(repeats):
        times["dec"].append(median_time(lambda d: d.decode(name), data))
        times["base_dec"].append(median_time(lambda d: d.decode(spec.base), base_data))
        times["enc"].append(median_time(lambda t: t.encode(name), text))
        times["base_enc"].append(median_time(lambda t: t.encode(spec.base, "replace"), text))
    med = {k: statistics.median(v) for k, v in times.items()}
    return {
        "dec_mbs": len(data) / med["dec"] / 1e6,
        "enc_mbs": len(data) / med["enc"] / 1e6,
        "dec_ratio": (len(data) / med["dec"]) / (len(base_data) / med["base_dec"]),
        "enc_ratio": (len(data) / med["enc"]) / (len(base_data) / med["base_enc"]),
    }


def main() -> None:
    """Print the table of figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--size", type=int, default=1_000_000)
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, ~{args.size / 1e6:.1f} MB, median of {args.repeats}")
    print(f"{'codec':26} {'text':9} {'dec MB/s':>9} {'ratio':>6} {'enc MB/s':>9} {'ratio':>6}")
    for name, spec in SPECS.items():
        with_emoji = make_text(args.size, carrier_emoji_keys(spec.carrier))
        plain = make_text(args.size, [])
        for label, text in (("emoji", with_emoji), ("no emoji", plain)):
            r = bench(name, text, args.repeats)
            print(
                f"{name:26} {label:9} {r['dec_mbs']:9.1f} {r['dec_ratio']:6.2f}"
                f" {r['enc_mbs']:9.1f} {r['enc_ratio']:6.2f}"
            )


if __name__ == "__main__":
    main()
