"""Errors of the JSON API as problem details (RFC 9457), in Japanese and English.

Every error under ``/api/`` is ``application/problem+json``, never a page: the
``type`` URI names the kind of problem, ``title`` and ``detail`` are in the language the
client prefers (``Accept-Language``: English or, by default, Japanese) and ``messages``
carries both. A view raises :class:`Problem`; :func:`handle` (given to
:func:`..phone.inbound.serve_programs_under`) answers every error of the API, routing
errors and unexpected ones included.
"""

from __future__ import annotations

import json
import logging

from flask import Response, request
from werkzeug.exceptions import HTTPException

__all__ = ["PROBLEMS", "Problem", "handle", "json_response", "problem_response", "type_uri"]

log = logging.getLogger(__name__)

#: Problem types by slug: (status, English title, Japanese title).
PROBLEMS = {
    "bad-request": (400, "Bad request", "リクエストが正しくありません"),
    "invalid-json": (400, "The body is not valid JSON", "本文がJSONとして読めません"),
    "invalid-parameter": (400, "A query parameter is invalid", "パラメーターが正しくありません"),
    "unauthorized": (401, "A valid access token is required", "アクセストークンが必要です"),
    "insufficient-scope": (403, "The token lacks a scope", "トークンの権限が足りません"),
    "forbidden": (403, "Not allowed", "この操作はできません"),
    "closed": (403, "Echo is closed now", "エコーは現在休止中です"),
    "not-found": (404, "Not found", "見つかりません"),
    "method-not-allowed": (405, "Method not allowed", "このメソッドは使えません"),
    "conflict": (409, "Conflict", "すでにその状態です"),
    "payload-too-large": (413, "The body is too large", "本文が大きすぎます"),
    "unsupported-media-type": (
        415,
        "The body must be application/json",
        "本文はapplication/jsonで送ってください",
    ),
    "invalid-body": (422, "The body is not acceptable", "本文の内容が正しくありません"),
    "rate-limited": (429, "Too many requests", "リクエストが多すぎます"),
    "server-error": (500, "Internal server error", "サーバーでエラーが発生しました"),
}
#: Problem slugs for plain HTTP errors raised outside the API's views (routing, limits).
_BY_STATUS = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "invalid-body",
    429: "rate-limited",
}
#: Authority and date of the problem type URIs (RFC 4151 tag URIs: stable on every host).
_TAG = "tag:mobile-gateway.echo,2009:problems/"


def type_uri(slug: str) -> str:
    """Return the ``type`` URI of problem *slug*."""
    return _TAG + slug


class Problem(HTTPException):
    """An API error: a problem type, what went wrong in both languages, extra members."""

    def __init__(
        self,
        slug: str,
        ja: str | None = None,
        en: str | None = None,
        *,
        headers: dict | None = None,
        **members,
    ):
        self.code = PROBLEMS[slug][0]
        super().__init__(en or PROBLEMS[slug][1])
        self.slug = slug
        self.ja = ja
        self.en = en
        self.extra_headers = dict(headers or {})
        self.members = members


def json_response(data, status: int = 200, content_type: str = "application/json") -> Response:
    """Return *data* as UTF-8 JSON (characters as they are, no ``\\u`` escapes)."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    response = Response(body.encode("utf-8"), status, content_type=content_type)
    response.headers["Cache-Control"] = "no-store"
    return response


def _language() -> str:
    """Return "en" when the client prefers English, else "ja"."""
    return request.accept_languages.best_match(["ja", "en"], default="ja")


def problem_response(
    slug: str, ja: str | None = None, en: str | None = None, headers=None, **members
) -> Response:
    """Return the problem details response of *slug*."""
    status, title_en, title_ja = PROBLEMS[slug]
    messages = {"ja": ja or title_ja, "en": en or title_en}
    language = _language()
    data = {
        "type": type_uri(slug),
        "title": title_ja if language == "ja" else title_en,
        "status": status,
        "detail": messages[language],
        "instance": request.path,
        "messages": messages,
        **members,
    }
    response = json_response(data, status, "application/problem+json")
    response.headers["Content-Language"] = language
    response.headers["Vary"] = "Accept-Language"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def handle(error: Exception) -> Response:
    """Answer any error of a request under ``/api/`` with problem details."""
    if isinstance(error, Problem):
        return problem_response(
            error.slug, error.ja, error.en, error.extra_headers, **error.members
        )
    if isinstance(error, HTTPException):
        status = error.code or 500
        headers = {}
        if status == 405 and getattr(error, "valid_methods", None):
            headers["Allow"] = ", ".join(sorted(error.valid_methods))
        if status == 429 and error.response is not None:
            retry_after = error.response.headers.get("Retry-After")
            if retry_after:
                headers["Retry-After"] = retry_after
        if status >= 500:
            log.error("server error in the API", exc_info=error)
            return problem_response("server-error")
        return problem_response(_BY_STATUS.get(status, "bad-request"), headers=headers)
    log.error("unexpected error in the API", exc_info=error)
    return problem_response("server-error")
