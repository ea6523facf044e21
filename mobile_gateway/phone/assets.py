"""The stylesheet and script of smartphone and PC pages, served with their content hash in the URL.

The files live in ``templates_mobile/static/`` and are read once, when the app is made.
A page links ``asset_url("echo.css")``, e.g. ``/assets/echo.3f9a0c2b71d4.css``: the
URL changes whenever the content does, so the response may be cached for a year
(``Cache-Control: public, max-age=31536000, immutable``) and a repeat visit asks for
nothing. A URL with any other hash is not found (an old page after a deploy renders
without the file until it is reloaded: pages work without CSS and script). A browser
that accepts gzip gets the file gzip-compressed (compressed once, at start).

Feature-phone pages never link these files (inline styles only, no script).
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from importlib.resources import files

from flask import Blueprint, Response, abort, request

__all__ = ["ASSETS", "Asset", "asset_url", "bp", "load"]

bp = Blueprint("assets", __name__)

#: The files served, and their media types.
ASSETS = {
    "echo.css": "text/css; charset=utf-8",
    "echo.js": "text/javascript; charset=utf-8",
}
#: How long a browser may keep a file whose URL carries its hash: a year.
MAX_AGE = 365 * 24 * 60 * 60
#: Hex digits of the SHA-256 in a URL.
HASH_DIGITS = 12


@dataclass(frozen=True)
class Asset:
    """One file as served: its bytes, gzipped bytes, media type and hashed name."""

    body: bytes
    gzipped: bytes
    content_type: str
    digest: str
    #: ``echo.<digest>.css``: the name in the URL.
    url_name: str


def load(name: str, content_type: str) -> Asset:
    """Read file *name* of ``templates_mobile/static`` and hash it."""
    body = files("templates_mobile").joinpath("static", name).read_bytes()
    digest = hashlib.sha256(body).hexdigest()[:HASH_DIGITS]
    stem, _, ext = name.rpartition(".")
    return Asset(
        body=body,
        gzipped=gzip.compress(body, compresslevel=9, mtime=0),
        content_type=content_type,
        digest=digest,
        url_name=f"{stem}.{digest}.{ext}",
    )


_by_name: dict[str, Asset] = {}
_by_url_name: dict[str, Asset] = {}


@bp.record_once
def _load_all(state) -> None:
    """Read and hash the files once, when the blueprint is registered."""
    for name, content_type in ASSETS.items():
        asset = load(name, content_type)
        _by_name[name] = asset
        _by_url_name[asset.url_name] = asset


@bp.app_template_global()
def asset_url(name: str) -> str:
    """Return the URL of asset *name* (``"echo.css"``), with its content hash."""
    return f"{request.script_root}/assets/{_by_name[name].url_name}"


@bp.route("/assets/<name>")
def serve(name: str) -> Response:
    """Serve one asset by its hashed name; any other name is not found."""
    asset = _by_url_name.get(name)
    if asset is None:
        abort(404)
    etag = f'"{asset.digest}"'
    gzipped = request.accept_encodings.quality("gzip") > 0
    if request.if_none_match.contains(asset.digest):
        response = Response(status=304)
    else:
        response = Response(asset.gzipped if gzipped else asset.body, 200)
        response.headers["Content-Type"] = asset.content_type
        if gzipped:
            response.headers["Content-Encoding"] = "gzip"
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}, immutable"
    response.headers["Vary"] = "Accept-Encoding"
    return response
