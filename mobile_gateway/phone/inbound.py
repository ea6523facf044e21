"""The request side: one Terminal per request, and its form and query bytes as internal text.

Before any view runs, :func:`read_request` puts on ``flask.g``:

- ``g.terminal``: :func:`mobile_gateway.phone.terminals.detect` of the request headers;
- ``g.args`` and ``g.form``: the query string and the urlencoded body, decoded by
  carrier_emoji's codec for the terminal (a :class:`~werkzeug.datastructures.MultiDict`
  of internal text). Views read these, never ``request.form``: Werkzeug would decode
  Shift_JIS as UTF-8 and lose every carrier emoji.

Every form carries a hidden field (:data:`CHARSET_FIELD`) with known text; its bytes
tell how the phone really encoded the post (a UTF-8 page on a DoCoMo FOMA, an au
handset that posts Shift_JIS from a UTF-8 page), so the right codec reads it.

URLs under a prefix given to :func:`serve_programs_under` (the JSON API) are no pages:
their bodies are the program's own (JSON), so no form is decoded there (``g.form`` is
empty, ``g.args`` is the query as UTF-8); no session is read and errors are answered
by the handler given with the prefix (see :mod:`.pages`).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qsl

from flask import Flask, current_app, g, request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest

import carrier_emoji  # noqa: F401  (registers the codecs)

from . import terminals

__all__ = [
    "CHARSET_FIELD",
    "CHARSET_PROBE",
    "InvalidInput",
    "decode_pairs",
    "for_programs",
    "init_app",
    "program_error_handler",
    "serve_programs_under",
]

#: Name of the hidden charset-detection field in every form.
CHARSET_FIELD = "_cs"
#: Its value: one kana, two bytes in Shift_JIS, three in UTF-8.
CHARSET_PROBE = "あ"
_PROBES = {
    CHARSET_PROBE.encode("cp932"): "sjis",
    CHARSET_PROBE.encode("utf-8"): "utf-8",
}
#: Codec for a form by (carrier, form charset found by the probe).
FORM_CODECS = {
    ("docomo", "sjis"): "x-sjis-docomo",
    ("docomo", "utf-8"): "x-utf8-docomo",
    ("au", "sjis"): "x-sjis-kddi",
    ("au", "utf-8"): "x-utf8-kddi",
    ("softbank", "sjis"): "x-sjis-softbank",
    ("softbank", "utf-8"): "x-utf8-softbank",
    ("willcom", "sjis"): "x-sjis-willcom",
    ("willcom", "utf-8"): "x-utf8-unicode",
    ("smartphone", "sjis"): "x-sjis-docomo",
    ("pc", "sjis"): "x-sjis-docomo",
}
#: Most fields a form may have; a longer query is refused.
MAX_FIELDS = 50


class InvalidInput(BadRequest):
    """The request's bytes are not text in the terminal's encoding."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def form_codec(terminal: terminals.Terminal, raw_probe: bytes | None) -> str:
    """Return the codec for a form: by the probe's bytes if they say, else the terminal's."""
    charset = _PROBES.get(raw_probe) if raw_probe is not None else None
    if charset is None:
        return terminal.form_codec
    return FORM_CODECS.get((terminal.carrier, charset), terminal.form_codec)


def decode_pairs(raw: bytes, terminal: terminals.Terminal, what: str) -> MultiDict:
    """Decode urlencoded *raw* bytes into a MultiDict of internal text.

    :raises InvalidInput: malformed encoding or bytes the codec refuses, with a message
        naming the field and the byte offset.
    """
    try:
        pairs = parse_qsl(
            raw.decode("latin-1"),
            keep_blank_values=True,
            encoding="latin-1",
            max_num_fields=MAX_FIELDS,
        )
    except ValueError:
        raise InvalidInput(f"{what}の項目が多すぎます") from None
    raw_pairs = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in pairs]
    probe = next((v for k, v in raw_pairs if k == CHARSET_FIELD.encode()), None)
    codec = form_codec(terminal, probe)
    result = MultiDict()
    for key, value in raw_pairs:
        try:
            name = key.decode("ascii")
            text = value.decode(codec)
        except UnicodeDecodeError as exc:
            field = key.decode("ascii", "replace")
            raise InvalidInput(
                f"{what}の「{field}」に読めない文字があります"
                f"（{exc.start + 1}バイト目: {exc.reason}）"
            ) from None
        result.add(name, text)
    return result


#: Key under ``app.extensions``: (URL prefix, error handler) of the interfaces for programs.
_PROGRAM_PREFIXES = "mobile_gateway.program_prefixes"


def serve_programs_under(app: Flask, prefix: str, on_error: Callable) -> None:
    """Serve the URLs under *prefix* to programs: no form decoding, no session, own errors.

    :param on_error: called with the exception (an HTTP error or any other) instead of
        the error page, for every request under *prefix*, routed or not.
    """
    app.extensions.setdefault(_PROGRAM_PREFIXES, []).append((prefix, on_error))


def program_error_handler() -> Callable | None:
    """Return the error handler of the program interface the request is for, if any."""
    path = request.path
    for prefix, on_error in current_app.extensions.get(_PROGRAM_PREFIXES, ()):
        if path == prefix.rstrip("/") or path.startswith(prefix):
            return on_error
    return None


def for_programs() -> bool:
    """Return whether the request is for an interface for programs (the JSON API)."""
    return program_error_handler() is not None


def read_request() -> None:
    """Detect the terminal and decode the query and form before any view runs."""
    terminal = terminals.detect(request.headers, request.remote_addr, secure=request.is_secure)
    g.terminal = terminal
    if for_programs():
        # The program's body is its own (JSON); its query is UTF-8.
        g.args = MultiDict(request.args)
        g.form = MultiDict()
        return
    g.args = decode_pairs(request.query_string, terminal, "URL")
    g.form = MultiDict()
    if request.method == "POST":
        if request.mimetype not in ("", "application/x-www-form-urlencoded"):
            raise InvalidInput("フォームの形式が正しくありません")
        g.form = decode_pairs(request.get_data(cache=True), terminal, "フォーム")


def init_app(app: Flask) -> None:
    """Run :func:`read_request` first on every request."""
    app.before_request(read_request)
