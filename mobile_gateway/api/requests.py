"""What the API reads: the bearer token, paging parameters and JSON bodies, strictly.

Anything malformed is refused with a :class:`.problems.Problem` (400, 413, 415, 422),
never a 500: bad JSON, a body that is no object, unknown members, wrong types (``true``
is no id), numbers no column can hold, cursors from elsewhere.
"""

from __future__ import annotations

import json

from flask import g, request

from ..echo import paging
from ..echo.errors import InvalidCursor
from .problems import Problem

__all__ = ["DEFAULT_LIMIT", "bearer_token", "json_body", "page_args"]

#: Echoes per page unless ``limit`` says otherwise (as on the archive pages).
DEFAULT_LIMIT = 25


def bearer_token() -> str | None:
    """Return the token of the ``Authorization: Bearer`` header, if one is sent."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def _limit(text: str | None) -> int:
    """Return the page size asked for."""
    if text is None:
        return DEFAULT_LIMIT
    if not text.isascii() or not text.isdigit() or len(text) > 3:
        raise _bad_parameter("limit")
    value = int(text)
    if not 1 <= value <= paging.MAX_PAGE_SIZE:
        raise _bad_parameter("limit")
    return value


def _bad_parameter(name: str) -> Problem:
    """Return the problem of an unreadable query parameter *name*."""
    if name == "limit":
        return Problem(
            "invalid-parameter",
            f"limitは1から{paging.MAX_PAGE_SIZE}までの整数で指定してください",
            f"limit must be an integer from 1 to {paging.MAX_PAGE_SIZE}",
            parameter=name,
        )
    return Problem(
        "invalid-parameter",
        f"{name}には前のページのpaging.{name}の値をそのまま指定してください",
        f"{name} must be the paging.{name} value of an earlier page, as it was",
        parameter=name,
    )


def page_args() -> tuple[str | None, int]:
    """Return the keyset cursor (``before`` or ``after``) and the page size asked for."""
    args = g.args
    before, after = args.get("before"), args.get("after")
    if before is not None and after is not None:
        raise Problem(
            "invalid-parameter",
            "beforeとafterは同時に指定できません",
            "give before or after, not both",
            parameter="after",
        )
    cursor = None
    for name, value, direction in (("before", before, "before"), ("after", after, "after")):
        if value is None:
            continue
        try:
            position = paging.decode_cursor(value)
        except InvalidCursor:
            raise _bad_parameter(name) from None
        if position.direction != direction:
            raise _bad_parameter(name)
        cursor = value
    return cursor, _limit(args.get("limit"))


def _refuse_constant(name: str):
    """Refuse ``NaN`` and ``Infinity``, which JSON does not have."""
    raise ValueError(f"{name} is not JSON")


def json_body(members: dict[str, tuple[type, ...]], required: tuple[str, ...] = ()) -> dict:
    """Return the request's JSON object, checked member by member.

    :param members: each allowed member and the Python types its value may have
        (``bool`` is never an ``int`` here).
    :param required: members that must be present.
    """
    if request.mimetype != "application/json":
        raise Problem("unsupported-media-type")
    data = request.get_data(cache=False)  # over MAX_CONTENT_LENGTH: 413
    try:
        value = json.loads(data.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise Problem(
            "invalid-json",
            "本文がUTF-8のJSONとして読めません",
            f"the body is not UTF-8 JSON ({type(exc).__name__})",
        ) from None
    if not isinstance(value, dict):
        raise Problem(
            "invalid-body", "本文はJSONオブジェクトにしてください", "the body must be a JSON object"
        )
    for name in value:
        if name not in members:
            raise Problem(
                "invalid-body",
                f"「{name[:40]}」という項目はありません",
                f"unknown member {name[:40]!r}",
                pointer=f"/{name[:40]}",
            )
    for name in required:
        if name not in value:
            raise Problem(
                "invalid-body",
                f"「{name}」を指定してください",
                f"{name} is required",
                pointer=f"/{name}",
            )
    for name, item in value.items():
        types = members[name]
        if not isinstance(item, types) or (isinstance(item, bool) and bool not in types):
            names = " or ".join("null" if t is type(None) else _JSON_TYPES[t] for t in types)
            raise Problem(
                "invalid-body",
                f"「{name}」の型が正しくありません（{names}）",
                f"{name} must be {names}",
                pointer=f"/{name}",
            )
    return value


_JSON_TYPES = {str: "a string", int: "an integer", bool: "a boolean", list: "an array"}
