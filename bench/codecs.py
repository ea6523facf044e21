"""Throughput and per-call cost of each carrier codec beside Python's own codec.

Two corpora of about 1 MB: real Japanese prose (Debian's ``manpages-ja``, see
``bench/prose_corpus.py``) and random text of kana, kanji and ASCII, each with one emoji
of the codec's carrier per ~40 characters and without emoji. For each: MB/s of decode
and encode and the ratio to plain ``cp932`` (``x-sjis-*``) or ``utf-8`` (``x-utf8-*``)
on the same text (emoji the base codec lacks are its "replace" ``?``). Then the per-call
cost of a 3 KB page, a 50-byte field (also with the codec's functions called directly) and
an emoji-dense 3 KB page (one emoji per ~3 characters), in microseconds and as a multiple
of the base codec, after the floor that any codec called by name pays. Every figure is the
median of interleaved rounds in one run. The accelerator is used when built; with
``CARRIER_EMOJI_NO_SPEEDUPS=1`` the pure-Python path is measured::

    apt-get install -y manpages-ja
    python bench/codecs.py [--repeats 15] [--size 1000000] [--corpus prose random]
"""

import argparse
import codecs
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import prose_corpus  # noqa: E402

import carrier_emoji  # noqa: E402
from carrier_emoji import _accel  # noqa: E402
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


def random_text(size: int, seed: int = 2009) -> str:
    """Return random Japanese text of about *size* Shift_JIS bytes, without emoji."""
    rng = random.Random(seed)
    alphabet = japanese_alphabet()
    out, length = [], 0
    while length < size:
        run = "".join(rng.choices(alphabet, k=rng.randint(30, 50)))
        out.append(run)
        length += len(run.encode("cp932"))
    return "".join(out)


def carrier_emoji_keys(carrier: str | None) -> list[str]:
    """Return the emoji a phone of *carrier* can send (all standard emoji for Unicode)."""
    rows = carrier_emoji.current_index().rows
    if carrier is None:
        return [r.key for r in rows if not carrier_emoji.EmojiIndex.is_carrier_only(r.key)]
    return [r.key for r in rows if r.code(carrier) is not None]


def timed(func, arg, calls: int = 1) -> float:
    """Return the seconds of *calls* calls of func(arg), per call."""
    start = time.perf_counter()
    for _ in range(calls):
        func(arg)
    return (time.perf_counter() - start) / calls


#: Codecs registered under other names whose functions are the base codecs' own C
#: functions: what any codec called through ``bytes.decode(name)`` costs at least.
FLOORS = {"x-bench-floor-utf8": "utf-8", "x-bench-floor-cp932": "cp932"}


def _floor_search(name: str) -> codecs.CodecInfo | None:
    """The codecs search function of :data:`FLOORS` (names come normalized: _ for -)."""
    base = FLOORS.get(name.replace("_", "-"))
    if base == "utf-8":
        return codecs.CodecInfo(codecs.utf_8_encode, codecs.utf_8_decode, name=name)
    if base is not None:
        info = codecs.lookup(base)
        return codecs.CodecInfo(info.encode, info.decode, name=name)
    return None


codecs.register(_floor_search)


def bench(name: str, text: str, repeats: int, calls: int = 1, direct: bool = False) -> dict:
    """Measure one codec and its base codec on *text*, interleaved; medians per call.

    :param direct: call the codec's registered functions themselves
        (``codecs.lookup(name).decode``), not ``bytes.decode(name)``; the base codec
        is called by name as always.
    """
    base = FLOORS.get(name) or SPECS[name].base
    data = text.encode(name)
    base_data = text.encode(base, "replace")
    info = codecs.lookup(name)
    runs = {
        "dec": (lambda d: info.decode(d)[0] if direct else d.decode(name), data),
        "base_dec": (lambda d: d.decode(base), base_data),
        "enc": (lambda t: info.encode(t)[0] if direct else t.encode(name), text),
        "base_enc": (lambda t: t.encode(base, "replace"), text),
    }
    times = {key: [] for key in runs}
    for _ in range(repeats):
        for key, (func, arg) in runs.items():
            times[key].append(timed(func, arg, calls))
    med = {key: statistics.median(values) for key, values in times.items()}
    return {
        "bytes": len(data),
        "dec_us": med["dec"] * 1e6,
        "enc_us": med["enc"] * 1e6,
        "dec_mbs": len(data) / med["dec"] / 1e6,
        "enc_mbs": len(data) / med["enc"] / 1e6,
        "dec_ratio": (len(data) / med["dec"]) / (len(base_data) / med["base_dec"]),
        "enc_ratio": (len(data) / med["enc"]) / (len(base_data) / med["base_enc"]),
        "dec_x": med["dec"] / med["base_dec"],
        "enc_x": med["enc"] / med["base_enc"],
    }


def head(text: str, size: int) -> str:
    """Return the start of *text* that is about *size* Shift_JIS bytes."""
    return text[: size * len(text) // len(text.encode("cp932", "replace"))]


def throughput(corpora: dict, repeats: int) -> None:
    """Print MB/s and ratios per codec and corpus."""
    print(f"{'codec':24} {'corpus':7} {'text':8} {'dec MB/s':>8} {'ratio':>6} {'enc MB/s':>8}")
    for name, spec in SPECS.items():
        keys = carrier_emoji_keys(spec.carrier)
        for corpus, plain in corpora.items():
            for label, text in (("emoji", prose_corpus.with_emoji(plain, keys)), ("none", plain)):
                r = bench(name, text, repeats)
                print(
                    f"{name:24} {corpus:7} {label:8} {r['dec_mbs']:8.1f} {r['dec_ratio']:6.2f}"
                    f" {r['enc_mbs']:8.1f} {r['enc_ratio']:6.2f}"
                )


def per_call(plain: str, repeats: int) -> None:
    """Print the per-call cost of small texts, and the multiple of the base codec.

    The floor rows first: a codec registered under another name whose functions are the
    base codec's own, so the cost of the codecs registry itself (the name lookup, the
    memoryview ``bytes.decode`` makes, the call): no registered codec costs less. The
    "direct" rows call the codec's registered functions without the registry, as a
    caller that keeps ``codecs.lookup(name)`` can.
    """
    columns = f"{'bytes':>5} {'dec us':>7} {'x base':>6} {'enc us':>7} {'x base':>6}"
    print(f"{'codec':24} {'text':16} {columns}")
    for name in FLOORS:
        text = head(plain, 50)
        r = bench(name, text, repeats, 5000)
        print(
            f"{name:24} {'50-byte field':16} {r['bytes']:5} {r['dec_us']:7.2f} {r['dec_x']:6.2f}"
            f" {r['enc_us']:7.2f} {r['enc_x']:6.2f}"
        )
    for name, spec in SPECS.items():
        keys = carrier_emoji_keys(spec.carrier)
        field = head(prose_corpus.with_emoji(plain[:200], keys), 50)
        cases = (
            ("3 KB page", head(prose_corpus.with_emoji(plain, keys), 3000), 200, False),
            ("50-byte field", field, 5000, False),
            ("50-byte, direct", field, 5000, True),
            (
                "dense 3 KB page",
                head(prose_corpus.with_emoji(plain, keys, every=3), 3000),
                200,
                False,
            ),
        )
        for label, text, calls, direct in cases:
            r = bench(name, text, repeats, calls, direct)
            print(
                f"{name:24} {label:16} {r['bytes']:5} {r['dec_us']:7.2f} {r['dec_x']:6.2f}"
                f" {r['enc_us']:7.2f} {r['enc_x']:6.2f}"
            )


def main() -> None:
    """Print the tables of figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--corpus", nargs="+", default=["prose", "random"])
    args = parser.parse_args()
    path = "C accelerator" if _accel.speedups else "pure Python"
    print(f"python {sys.version.split()[0]}, {path}, ~{args.size / 1e6:.1f} MB,")
    print(f"median of {args.repeats} interleaved rounds; ratio = codec MB/s / base MB/s")
    prose = prose_corpus.prose(args.size)
    corpora = {"prose": prose, "random": random_text(args.size)}
    throughput({c: corpora[c] for c in args.corpus}, args.repeats)
    print()
    per_call(prose, args.repeats)


if __name__ == "__main__":
    main()
