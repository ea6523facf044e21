"""The JSON API, ``/api/v1``: timelines, echoes, friends; personal access tokens only.

Every request but the description (``openapi.json``) needs ``Authorization: Bearer
<token>`` with the scope the operation names (``read`` or ``write``). Sessions and
cookies are never read here (see :func:`..phone.inbound.serve_programs_under`), so
there is no CSRF surface. Requests are rate-limited per token and per address,
shared by every instance (``RATE_LIMIT_API_PER_*``); posting also counts against the
per-user posting limit that phones have. Errors are problem details (:mod:`.problems`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Blueprint, Response, g, url_for

from ..accounts import users
from ..echo import echoes, friends, service_period
from ..gateways import rate_limits
from ..phone import inbound
from ..storage import db
from ..storage.models import MAX_ID, utcnow
from . import emoji_text, openapi, problems, tokens
from .problems import Problem, json_response, problem_response
from .requests import bearer_token, json_body, page_args
from .shapes import echo_json, page_json, user_json

__all__ = ["PREFIX", "bp"]

#: Where the API lives.
PREFIX = "/api/v1"

bp = Blueprint("api", __name__, url_prefix=PREFIX)
# Everything under /api/ is for programs: no form decoding, no session, problem details.
bp.record_once(lambda state: inbound.serve_programs_under(state.app, "/api/", problems.handle))


def _too_many(retry_after: int) -> Response:
    """Return the API's 429 (the rate limits call it)."""
    return problem_response(
        "rate-limited",
        f"リクエストが多すぎます。{retry_after}秒後にもう一度お試しください",
        f"too many requests: try again in {retry_after} seconds",
        headers={"Retry-After": str(retry_after)},
        retry_after=retry_after,
    )


@bp.before_request
def _authenticate() -> None:
    """Find the request's token (if any) and count the request against the limits."""
    token = bearer_token()
    row = tokens.authenticate(db.get_session(), token) if token else None
    rate_limits.limit_api(row.id if row is not None else None, _too_many)
    g.api_token = row
    g.api_token_sent = token is not None


def needs(scope: str) -> Callable:
    """Let the view run only for a valid token that has *scope*."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            token = g.api_token
            if token is None:
                error = "invalid_token" if g.api_token_sent else "invalid_request"
                raise Problem(
                    "unauthorized",
                    "有効なアクセストークンを「Authorization: Bearer」で送ってください",
                    "send a valid access token as Authorization: Bearer",
                    headers={"WWW-Authenticate": f'Bearer realm="echo", error="{error}"'},
                )
            if scope not in token.scope_set:
                raise Problem(
                    "insufficient-scope",
                    f"このトークンには「{scope}」の権限がありません",
                    f"this token lacks the {scope} scope",
                    headers={
                        "WWW-Authenticate": (
                            f'Bearer realm="echo", error="insufficient_scope", scope="{scope}"'
                        )
                    },
                    scope=scope,
                )
            g.user = token.user
            return view(*args, **kwargs)

        wrapper.api_scope = scope
        return wrapper

    return decorator


def _reading_open() -> None:
    """Refuse reading when the service period closes it."""
    now = utcnow()
    period = service_period.current_period(db.get_session())
    if not period.reading_open(now):
        message = period.closed_message(now) or "エコーは現在休止中です"
        raise Problem("closed", message, "Echo is closed for reading now")


def _not_found(what_ja: str, what_en: str) -> Problem:
    return Problem("not-found", f"{what_ja}が見つかりません", f"no such {what_en}")


def _echo_id(text: str) -> int:
    """Return the echo id in a path; anything no echo can have is "not found".

    The path takes any text (not ``<int:...>``): an id past what the database holds must
    be a 404 for every method, not a routing 405.
    """
    if not text.isascii() or not text.isdigit() or len(text) > 10 or not 0 < int(text) <= MAX_ID:
        raise _not_found("エコー", "echo")
    return int(text)


# --- Reading -------------------------------------------------------------------------


@bp.get("/openapi.json")
def description():
    """Return the OpenAPI 3.1 description of this API."""
    response = json_response(openapi.document(url_for("api.description", _external=True)))
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/me")
@needs("read")
def me():
    """Return the token's user and scopes."""
    return json_response({**user_json(g.user), "scopes": sorted(g.api_token.scope_set)})


@bp.get("/timelines/home")
@needs("read")
def home_timeline():
    """Return a page of the echoes of the user and friends, newest first."""
    _reading_open()
    cursor, limit = page_args()
    return json_response(page_json(echoes.archive(db.get_session(), g.user, cursor, limit)))


@bp.get("/timelines/replies")
@needs("read")
def replies_timeline():
    """Return a page of the echoes that answer the user or name them (``@name``), newest first."""
    _reading_open()
    cursor, limit = page_args()
    page = echoes.replies_and_mentions(db.get_session(), g.user, cursor, limit)
    return json_response(page_json(page))


@bp.get("/users/<name>")
@needs("read")
def user(name: str):
    """Return one user."""
    found = users.find_user(db.get_session(), name)
    if found is None:
        raise _not_found("ユーザー", "user")
    return json_response(user_json(found))


@bp.get("/users/<name>/echoes")
@needs("read")
def user_echoes(name: str):
    """Return a page of one user's echoes, newest first."""
    _reading_open()
    found = users.find_user(db.get_session(), name)
    if found is None:
        raise _not_found("ユーザー", "user")
    cursor, limit = page_args()
    return json_response(page_json(echoes.by_user(db.get_session(), found, cursor, limit)))


@bp.get("/echoes/<echo_id>")
@needs("read")
def echo(echo_id: str):
    """Return one echo and a page of the replies to it, newest first."""
    _reading_open()
    session = db.get_session()
    found = echoes.get(session, _echo_id(echo_id))
    if found is None:
        raise _not_found("エコー", "echo")
    cursor, limit = page_args()
    replies = page_json(echoes.replies_of(session, found, cursor, limit))
    return json_response({"echo": echo_json(found), "replies": replies})


@bp.get("/friends")
@needs("read")
def friend_list():
    """Return the user's friends and the requests waiting either way."""
    session = db.get_session()
    return json_response(
        {
            "friends": [user_json(u) for u in friends.friends(session, g.user)],
            "incoming": [user_json(u) for u in friends.incoming(session, g.user)],
            "outgoing": [user_json(u) for u in friends.outgoing(session, g.user)],
        }
    )


# --- Writing -------------------------------------------------------------------------


@bp.post("/echoes")
@needs("write")
def post_echo():
    """Post an echo (or a reply); carrier emoji only with the carrier named."""
    body = json_body(
        {"text": (str,), "reply_to": (int, type(None)), "carrier": (str, type(None))},
        required=("text",),
    )
    try:
        text = emoji_text.for_input(body["text"], body.get("carrier"))
    except emoji_text.TextRefused as exc:
        raise Problem("invalid-body", exc.ja, exc.en, pointer="/text") from None
    rate_limits.limit_post(g.user, _too_many)
    session = db.get_session()
    try:
        posted = echoes.post(session, g.user, text, reply_to=body.get("reply_to"))
    except echoes.PostingClosed as exc:
        raise Problem("closed", str(exc), "posting is closed now") from None
    except echoes.ReplyTargetMissing as exc:
        raise Problem(
            "invalid-body", str(exc), "reply_to names no echo", pointer="/reply_to"
        ) from None
    except echoes.BodyRefused as exc:
        raise Problem(
            "invalid-body",
            str(exc),
            "the text must have 1 to 150 characters (an emoji counts as one)",
            pointer="/text",
        ) from None
    response = json_response(echo_json(posted), 201)
    response.headers["Location"] = url_for("api.echo", echo_id=posted.id, _external=True)
    return response


@bp.delete("/echoes/<echo_id>")
@needs("write")
def delete_echo(echo_id: str):
    """Delete one of the user's echoes."""
    try:
        echoes.delete(db.get_session(), g.user, _echo_id(echo_id))
    except echoes.EchoNotFound:
        raise _not_found("エコー", "echo") from None
    except echoes.NotYourEcho as exc:
        raise Problem("forbidden", str(exc), "only your own echoes can be deleted") from None
    return Response(status=204)


_FRIEND_ERRORS = {
    friends.SelfRequest: ("invalid-body", "you cannot befriend yourself"),
    friends.AlreadyFriends: ("conflict", "you are friends already"),
    friends.AlreadyRequested: ("conflict", "you have asked already"),
    friends.NoSuchRequest: ("not-found", "no such friend request"),
}


def _friend_problem(exc: friends.FriendshipError) -> Problem:
    slug, english = _FRIEND_ERRORS.get(type(exc), ("conflict", "the friendship changed"))
    return Problem(slug, str(exc), english)


@bp.post("/friend-requests")
@needs("write")
def request_friend():
    """Ask a user to be friends (accepts their request if they had asked first)."""
    body = json_body({"to": (str,)}, required=("to",))
    session = db.get_session()
    other = users.find_user(session, body["to"])
    if other is None:
        raise _not_found("ユーザー", "user")
    try:
        friendship = friends.request(session, g.user, other)
    except friends.FriendshipError as exc:
        raise _friend_problem(exc) from None
    status = "friends" if friendship.status == "accepted" else "pending"
    return json_response({"user": user_json(other), "status": status}, 201)


@bp.post("/friend-requests/<name>/accept")
@needs("write")
def accept_friend(name: str):
    """Accept the pending request that user *name* sent."""
    session = db.get_session()
    other = users.find_user(session, name)
    if other is None:
        raise _not_found("ユーザー", "user")
    try:
        friends.accept(session, g.user, other)
    except friends.FriendshipError as exc:
        raise _friend_problem(exc) from None
    return json_response({"user": user_json(other), "status": "friends"})
