"""What the codecs registry calls: CodecInfo.decode and .encode of each carrier codec.

With the accelerator these are C functions that run the plans of the index in force;
without it, Python closures. Both must behave as CodecInfo functions do (arguments,
consumed length, errors), follow a table installed at run time at once, stay right
while threads call them during an install, and let a replaced table be freed.
"""

import codecs
import gc
import sys
import threading
import weakref
from array import array

import pytest
from carrier_cases import ALL_CODECS, pua_bytes, rows_of, sjis_bytes

import carrier_emoji
from carrier_emoji.table import ROWS


def outcome(func, *args):
    """Return ("ok", result) or (exception type, message) of a call."""
    try:
        return ("ok", func(*args))
    except (TypeError, UnicodeError) as exc:
        return (type(exc), str(exc))


@pytest.mark.parametrize("codec", ALL_CODECS)
class TestCodecInfoFunctions:
    """The registered functions take and return what CodecInfo functions do."""

    def test_decode_returns_text_and_length(self, codec):
        """decode(data) and decode(data, errors) return the text and the bytes consumed."""
        info = codecs.lookup(codec)
        data = "漢字とかな abc".encode(codec)
        assert info.decode(data) == ("漢字とかな abc", len(data))
        assert info.decode(bytearray(data), "replace") == ("漢字とかな abc", len(data))
        assert info.decode(b"") == ("", 0)

    def test_encode_returns_bytes_and_length(self, codec):
        """encode(text) and encode(text, errors) return the bytes and the characters consumed."""
        info = codecs.lookup(codec)
        assert info.encode("価格☀️") == ("価格☀️".encode(codec), 4)  # ☀ and U+FE0F
        assert info.encode("", "strict") == (b"", 0)

    def test_wrong_argument_count(self, codec):
        """Calling with no argument or three is a TypeError, as for any codec function."""
        info = codecs.lookup(codec)
        for func in (info.decode, info.encode):
            with pytest.raises(TypeError):
                func()
            with pytest.raises(TypeError):
                func(b"a" if func is info.decode else "a", "strict", "extra")

    def test_not_bytes_like(self, codec):
        """Decoding a str fails with the pure path's own TypeError."""
        with pytest.raises(TypeError, match="string argument without an encoding"):
            codecs.lookup(codec).decode("text")

    def test_memoryview_of_wider_items(self, codec):
        """A memoryview of 16-bit items is read as its bytes; its length counts items."""
        view = memoryview(array("H", [0x4241, 0x4443]))
        text, consumed = codecs.lookup(codec).decode(view)
        assert (text, consumed) == (view.tobytes().decode(codec), 2)


@pytest.mark.parametrize("codec", ALL_CODECS)
class TestLibraryFunctions:
    """carrier_emoji.decode and .encode agree with the registered functions."""

    def test_decode_any_bytes_like(self, codec):
        """Bytes, bytearray and memoryview decode to the registry's text, errors alike."""
        data = "漢字☀️1️⃣ abc".encode(codec) + b"\xff"
        for kind in (bytes, bytearray, memoryview):
            assert carrier_emoji.decode(kind(data), codec, "replace") == (
                codecs.decode(data, codec, "replace")
            )
            with pytest.raises(UnicodeDecodeError) as caught:
                carrier_emoji.decode(kind(data), codec)
            assert caught.value.start == len(data) - 1

    def test_encode_with_every_fallback(self, codec):
        """Text encodes as the registry does with "fit", and each fallback as before."""
        text = "漢字\U0001f973\u2600\ufe0f"
        assert carrier_emoji.encode(text, codec, "geta") == text.encode(codec, "geta")
        for fallback in ("text", "geta"):
            expected = carrier_emoji.encode(text, codec, fallback=fallback, index=ROWS_INDEX)
            assert carrier_emoji.encode(text, codec, fallback=fallback) == expected


ROWS_INDEX = carrier_emoji.EmojiIndex(ROWS)


class TestIndexInForce:
    """A table installed at run time takes effect at once for every registered codec."""

    def moved_sun(self):
        """Return rows where DoCoMo's sun code now stands for 🥳, and that code."""
        sun = next(r for r in rows_of("docomo") if r.key == "\u2600\ufe0f")
        rows = [r._replace(docomo=None) if r is sun else r for r in ROWS]
        return rows + [carrier_emoji.EmojiRow("\U0001f973", docomo=sun.docomo)], sun.docomo

    def test_install_and_restore(self):
        """After an install the registry reads and writes the new table; after the old
        table is put back, the old again."""
        code = self.moved_sun()[1]
        before = carrier_emoji.current_index()
        sjis, pua = sjis_bytes(code), pua_bytes("docomo", code)
        assert sjis.decode("x-sjis-docomo") == "\u2600\ufe0f"
        carrier_emoji.install(self.moved_sun()[0])
        assert sjis.decode("x-sjis-docomo") == "\U0001f973"
        assert pua.decode("x-utf8-docomo") == "\U0001f973"
        assert "\U0001f973".encode("x-utf8-docomo") == pua
        carrier_emoji.install(before)
        assert pua.decode("x-utf8-docomo") == "\u2600\ufe0f"
        assert "\u2600\ufe0f".encode("x-sjis-docomo") == sjis

    def test_threads_during_installs(self):
        """Threads decoding and encoding while tables are swapped always get the result of
        one table or the other, never a mix or a crash."""
        rows, code = self.moved_sun()
        tables = [carrier_emoji.current_index(), carrier_emoji.EmojiIndex(rows)]
        pua = pua_bytes("docomo", code)
        data = ("漢字" * 10).encode() + pua + b"abc" * 10 + pua
        texts = ("\u2600\ufe0f", "\U0001f973")
        # What each table alone gives: the sun and 🥳 swap between the code and a fallback.
        expected, written = set(), {text: set() for text in texts}
        for table in tables:
            carrier_emoji.install(table)
            expected.add(data.decode("x-utf8-docomo"))
            for text in texts:
                written[text].add(text.encode("x-utf8-docomo"))
        assert len(expected) == 2 and all(len(each) == 2 for each in written.values())
        wrong, stop = [], threading.Event()

        def work():
            while not stop.is_set():
                if data.decode("x-utf8-docomo") not in expected:
                    wrong.append(data)
                for text in texts:
                    if text.encode("x-utf8-docomo") not in written[text]:
                        wrong.append(text)

        interval = sys.getswitchinterval()
        sys.setswitchinterval(1e-5)
        threads = [threading.Thread(target=work) for _ in range(4)]
        try:
            for thread in threads:
                thread.start()
            for i in range(300):
                carrier_emoji.install(tables[i % 2])
        finally:
            stop.set()
            for thread in threads:
                thread.join()
            sys.setswitchinterval(interval)
        assert wrong == []


class TestLifetime:
    """Nothing the accelerator keeps holds a replaced table for ever."""

    def test_replaced_table_is_freed(self):
        """A table used by every codec, then replaced and used no more, is freed."""
        index = carrier_emoji.install(list(ROWS))
        for codec in ALL_CODECS:
            "漢字☀️1️⃣\U0001f973".encode(codec, "geta").decode(codec)
            carrier_emoji.encode("☀️1️⃣\U0001f1ef\U0001f1f5", codec, index=index)
        gone = weakref.ref(index)
        del index
        carrier_emoji.install(list(ROWS))
        for codec in ALL_CODECS:
            "漢字".encode(codec).decode(codec)  # the registry drops the old table's plans
        gc.collect()
        assert gone() is None

    def test_preview_table_is_freed(self):
        """A table passed as ``index=`` (an operator's preview) is freed after use."""
        index = carrier_emoji.EmojiIndex(ROWS)
        for codec in ALL_CODECS:
            data = carrier_emoji.encode("漢字☀️1️⃣", codec, index=index)
            carrier_emoji.decode(data, codec, index=index)
        gone = weakref.ref(index)
        del index
        gc.collect()
        assert gone() is None


class TestSwitchAtEachCall:
    """The registered functions read the accelerator's switch at each call."""

    def test_first_looked_up_while_switched_off(self, monkeypatch):
        """A codec name first looked up while the accelerator is off still gets its C
        functions where the accelerator is built, so they run C once it is back on."""
        from carrier_emoji import _accel, registry

        built = _accel._BUILT
        if built is None:
            pytest.skip("carrier_emoji._speedups is not built")
        sun = next(r for r in rows_of("softbank") if r.key == "\u2600\ufe0f")
        data = pua_bytes("softbank", sun.softbank)
        monkeypatch.setattr(_accel, "speedups", None)
        registry.lookup.cache_clear()
        info = registry.lookup("x_utf8_vodafone")
        assert info.decode(data) == ("\u2600\ufe0f", 3)
        assert isinstance(info.decode.__self__, built.Codec)
        monkeypatch.setattr(_accel, "speedups", built)
        assert info.decode(data) == ("\u2600\ufe0f", 3)
