"""The OpenAPI 3.1 description of the JSON API, served at ``/api/v1/openapi.json``.

Written by hand next to the views it describes; ``tests/api`` holds the two together
(every route of the blueprint is described and nothing else is, each operation's scope
is the view's) and runs schemathesis against it.
"""

from __future__ import annotations

from ..echo.paging import MAX_PAGE_SIZE
from ..echo.text import MAX_ECHO_CHARS
from .emoji_text import CARRIER_CODECS
from .problems import PROBLEMS, type_uri

__all__ = ["document", "operations"]


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str, headers: dict | None = None) -> dict:
    response = {"description": description, "content": {"application/json": {"schema": schema}}}
    if headers:
        response["headers"] = headers
    return response


def _problem(description: str, headers: dict | None = None) -> dict:
    response = {
        "description": description,
        "content": {"application/problem+json": {"schema": _ref("Problem")}},
    }
    if headers:
        response["headers"] = headers
    return response


_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "string"}}}
_AUTHENTICATE = {
    "WWW-Authenticate": {"description": "The Bearer challenge", "schema": {"type": "string"}}
}

_ERRORS = {
    "400": _problem("Bad JSON or an unreadable query parameter"),
    "401": _problem("No token, or one that is unknown or revoked", _AUTHENTICATE),
    "403": _problem("The token lacks the scope, the echo is not yours, or Echo is closed"),
    "404": _problem("No such user, echo or friend request"),
    "409": _problem("Already friends, or already asked"),
    "413": _problem("The body is too large"),
    "415": _problem("The body is not application/json"),
    "422": _problem("The body is well-formed JSON that cannot be accepted"),
    "429": _problem("Too many requests (per token and per address)", _RETRY_AFTER),
}


def _errors(*codes: str) -> dict:
    return {code: _ERRORS[code] for code in ("401", "403", "429", *codes)}


_PAGING = [
    {
        "name": "before",
        "in": "query",
        "description": "Older echoes: the paging.before value of an earlier page",
        "schema": {"type": "string"},
    },
    {
        "name": "after",
        "in": "query",
        "description": "Newer echoes: the paging.after value of an earlier page",
        "schema": {"type": "string"},
    },
    {
        "name": "limit",
        "in": "query",
        "description": "Echoes per page",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": 25},
    },
]
_NAME = {
    "name": "name",
    "in": "path",
    "required": True,
    "description": "A user name",
    "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,20}$"},
}
_ECHO_ID = {
    "name": "echo_id",
    "in": "path",
    "required": True,
    "description": "An echo id",
    "schema": {"type": "integer", "format": "int64", "minimum": 1},
}


def _operation(operation_id: str, summary: str, scope: str | None, responses: dict, **more):
    operation = {"operationId": operation_id, "summary": summary, "responses": responses}
    if scope is None:
        operation["security"] = []
    else:
        operation["security"] = [{"token": [scope]}]
        operation["description"] = f"Needs a token with the `{scope}` scope."
    operation.update(more)
    return operation


def _body(schema: dict) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


#: (path, method) -> operation; the paths are relative to the server URL.
def operations() -> dict:
    """Return the paths object of the description."""
    page = _json(_ref("Page"), "A page of echoes, newest first")
    return {
        "/openapi.json": {
            "get": _operation(
                "description",
                "This description",
                None,
                {"200": _json({"type": "object"}, "The OpenAPI document"), "429": _ERRORS["429"]},
            )
        },
        "/me": {
            "get": _operation(
                "me", "The token's user", "read", {"200": _json(_ref("Me"), "You"), **_errors()}
            )
        },
        "/timelines/home": {
            "get": _operation(
                "home_timeline",
                "Your echoes and your friends'",
                "read",
                {"200": page, **_errors("400")},
                parameters=_PAGING,
            )
        },
        "/timelines/replies": {
            "get": _operation(
                "replies_timeline",
                "Replies to your echoes and echoes that mention you (@name)",
                "read",
                {"200": page, **_errors("400")},
                parameters=_PAGING,
            )
        },
        "/users/{name}": {
            "get": _operation(
                "user",
                "One user",
                "read",
                {"200": _json(_ref("User"), "The user"), **_errors("404")},
                parameters=[_NAME],
            )
        },
        "/users/{name}/echoes": {
            "get": _operation(
                "user_echoes",
                "One user's echoes",
                "read",
                {"200": page, **_errors("400", "404")},
                parameters=[_NAME, *_PAGING],
            )
        },
        "/echoes": {
            "post": _operation(
                "post_echo",
                "Post an echo or a reply",
                "write",
                {
                    "201": _json(
                        _ref("Echo"),
                        "The echo posted",
                        {"Location": {"description": "Its URL", "schema": {"type": "string"}}},
                    ),
                    **_errors("400", "413", "415", "422"),
                },
                requestBody=_body(_ref("NewEcho")),
            )
        },
        "/echoes/{echo_id}": {
            "get": _operation(
                "echo",
                "One echo and the replies to it",
                "read",
                {"200": _json(_ref("EchoWithReplies"), "The echo"), **_errors("400", "404")},
                parameters=[_ECHO_ID, *_PAGING],
            ),
            "delete": _operation(
                "delete_echo",
                "Delete one of your echoes",
                "write",
                {"204": {"description": "Deleted"}, **_errors("404")},
                parameters=[_ECHO_ID],
            ),
        },
        "/friends": {
            "get": _operation(
                "friend_list",
                "Your friends, and the requests waiting either way",
                "read",
                {"200": _json(_ref("Friends"), "Friends and requests"), **_errors()},
            )
        },
        "/friend-requests": {
            "post": _operation(
                "request_friend",
                "Ask someone to be friends (accepts their request if they asked first)",
                "write",
                {
                    "201": _json(_ref("Friendship"), "Asked, or friends now"),
                    **_errors("400", "404", "409", "413", "415", "422"),
                },
                requestBody=_body(
                    {
                        "type": "object",
                        "properties": {"to": {"type": "string", "description": "A user name"}},
                        "required": ["to"],
                        "additionalProperties": False,
                    }
                ),
            )
        },
        "/friend-requests/{name}/accept": {
            "post": _operation(
                "accept_friend",
                "Accept the request a user sent you",
                "write",
                {"200": _json(_ref("Friendship"), "Friends now"), **_errors("404")},
                parameters=[_NAME],
            )
        },
    }


_NULLABLE_STRING = {"type": ["string", "null"]}


def _schemas() -> dict:
    user = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "display_name": _NULLABLE_STRING,
            "profile": _NULLABLE_STRING,
            "url": {"type": "string", "format": "uri"},
            "feed_url": {"type": "string", "format": "uri"},
        },
        "required": ["name", "display_name", "profile", "url", "feed_url"],
    }
    page = {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": _ref("Echo")},
            "paging": {
                "type": "object",
                "description": "Pass before= (older) or after= (newer) for the next page",
                "properties": {"before": _NULLABLE_STRING, "after": _NULLABLE_STRING},
                "required": ["before", "after"],
            },
        },
        "required": ["items", "paging"],
    }
    problem_types = [type_uri(slug) for slug in PROBLEMS]
    return {
        "User": user,
        "Me": {
            "allOf": [
                user,
                {
                    "type": "object",
                    "properties": {
                        "scopes": {
                            "type": "array",
                            "items": {"type": "string", "enum": ["read", "write"]},
                        }
                    },
                    "required": ["scopes"],
                },
            ]
        },
        "CarrierEmoji": {
            "type": "object",
            "description": (
                "A carrier emoji with no standard equivalent, written in text as its fallback;"
                " offset and length count Unicode code points of text"
            ),
            "properties": {
                "carrier": {"type": "string", "enum": sorted(CARRIER_CODECS)},
                "code": {"type": "string", "pattern": "^U\\+[0-9A-F]{4}$"},
                "sjis": {"type": ["string", "null"], "pattern": "^[0-9A-F]{4}$"},
                "name": _NULLABLE_STRING,
                "fallback": {"type": "string"},
                "offset": {"type": "integer", "minimum": 0},
                "length": {"type": "integer", "minimum": 1},
            },
            "required": ["carrier", "code", "sjis", "name", "fallback", "offset", "length"],
        },
        "Echo": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "text": {"type": "string", "description": "Standard Unicode"},
                "emoji": {"type": "array", "items": _ref("CarrierEmoji")},
                "author": _ref("User"),
                "created_at": {"type": "string", "format": "date-time"},
                "reply_to": {
                    "oneOf": [
                        {"type": "null"},
                        {
                            "type": "object",
                            "properties": {"id": {"type": "integer"}, "author": _ref("User")},
                            "required": ["id", "author"],
                        },
                    ]
                },
                "url": {"type": "string", "format": "uri"},
            },
            "required": ["id", "text", "emoji", "author", "created_at", "reply_to", "url"],
        },
        "NewEcho": {
            "type": "object",
            "properties": {
                "text": {
                    "type": "string",
                    "description": (
                        f"At most {MAX_ECHO_CHARS} characters as a reader counts them (an emoji"
                        " is one). Carrier private-use code points only with carrier."
                    ),
                },
                "reply_to": {"type": ["integer", "null"], "description": "The echo answered"},
                "carrier": {
                    "type": ["string", "null"],
                    "enum": [*sorted(CARRIER_CODECS), None],
                    "description": "The carrier whose private-use emoji the text holds",
                },
            },
            "required": ["text"],
            "additionalProperties": False,
        },
        "Page": page,
        "EchoWithReplies": {
            "type": "object",
            "properties": {"echo": _ref("Echo"), "replies": _ref("Page")},
            "required": ["echo", "replies"],
        },
        "Friends": {
            "type": "object",
            "properties": {
                name: {"type": "array", "items": _ref("User")}
                for name in ("friends", "incoming", "outgoing")
            },
            "required": ["friends", "incoming", "outgoing"],
        },
        "Friendship": {
            "type": "object",
            "properties": {
                "user": _ref("User"),
                "status": {"type": "string", "enum": ["pending", "friends"]},
            },
            "required": ["user", "status"],
        },
        "Problem": {
            "type": "object",
            "description": "RFC 9457 problem details; messages has Japanese and English",
            "properties": {
                "type": {"type": "string", "enum": problem_types},
                "title": {"type": "string"},
                "status": {"type": "integer"},
                "detail": {"type": "string"},
                "instance": {"type": "string"},
                "messages": {
                    "type": "object",
                    "properties": {"ja": {"type": "string"}, "en": {"type": "string"}},
                    "required": ["ja", "en"],
                },
            },
            "required": ["type", "title", "status", "detail", "messages"],
        },
    }


def document(server_url: str) -> dict:
    """Return the OpenAPI document, its server at *server_url*'s API root."""
    root = server_url.rsplit("/openapi.json", 1)[0]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Echo API",
            "version": "1.0.0",
            "description": (
                "Read timelines and post echoes with a personal access token (made on the"
                " settings page, /settings/api). Text is standard Unicode; a carrier-only emoji"
                " is written as its fallback and listed in emoji. Errors are RFC 9457 problem"
                " details in Japanese and English (Accept-Language chooses title and detail)."
            ),
        },
        "servers": [{"url": root}],
        "security": [{"token": ["read"]}],
        "paths": operations(),
        "components": {
            "securitySchemes": {
                "token": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal access token, mgp_...",
                }
            },
            "schemas": _schemas(),
        },
    }
