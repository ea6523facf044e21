"""Signed tokens that stand in for stored state: signed-out forms' CSRF, where to return.

A signed-out visitor has no session and their pages write nothing, so what their forms
must prove is signed with ``SECRET_KEY`` (``itsdangerous``) instead of stored:

- :func:`form_token`: the CSRF token of a signed-out form (sign-in, sign-up, easy login).
  It is bound to the visitor: on a terminal that keeps cookies to a random value in a
  cookie (``SameSite=Lax``: a form posted from another site arrives without it), on one
  that does not to the terminal (carrier, model, and the subscriber id its gateway
  vouched for), and it expires.
- :func:`resume_token`: where a visitor was going when sent to the sign-in page, and the
  echo they were typing when their session expired; the sign-in form carries it back,
  and after sign-in they land there (an internal endpoint: never another site) with the
  echo in the box, not posted.

No Flask here.
"""

from __future__ import annotations

from itsdangerous import BadData, TimestampSigner, URLSafeTimedSerializer

__all__ = ["check_form_token", "form_token", "read_resume", "resume_token"]

_FORM_SALT = "mobile-gateway signed-out form"
_RESUME_SALT = "mobile-gateway resume after sign-in"
#: What a form token signs (the binding is in the key; the value only has to be there).
_FORM_VALUE = b"1"


def _form_signer(secret_key: str | bytes, binding: str) -> TimestampSigner:
    """Return the signer of form tokens for one visitor (*binding* is in the key)."""
    return TimestampSigner(secret_key, salt=f"{_FORM_SALT}\x00{binding}")


def form_token(secret_key: str | bytes, binding: str) -> str:
    """Return a fresh CSRF token for a signed-out form of the visitor *binding* names."""
    return _form_signer(secret_key, binding).sign(_FORM_VALUE).decode("ascii")


def check_form_token(
    secret_key: str | bytes, binding: str, token: str | None, max_age: int
) -> bool:
    """Return whether *token* was made for *binding* by us less than *max_age* seconds ago."""
    if not isinstance(token, str) or not token or len(token) > 200 or not token.isascii():
        return False
    try:
        value = _form_signer(secret_key, binding).unsign(token, max_age=max_age)
    except BadData:
        return False
    return value == _FORM_VALUE


def resume_token(
    secret_key: str | bytes,
    endpoint: str,
    args: dict | None = None,
    draft: str | None = None,
    expired: bool = False,
) -> str:
    """Return a signed note: go to *endpoint* (*args*) after sign-in, with *draft* typed."""
    data: dict = {"e": endpoint}
    if args:
        data["a"] = args
    if draft:
        data["d"] = draft
    if expired:
        data["x"] = 1
    return URLSafeTimedSerializer(secret_key, salt=_RESUME_SALT).dumps(data)


def read_resume(secret_key: str | bytes, token: str | None, max_age: int) -> dict | None:
    """Return the note of a :func:`resume_token` (``endpoint``, ``args``, ``draft``,
    ``expired``), or None when it is not ours, too old, or malformed."""
    if not isinstance(token, str) or not token or len(token) > 4000 or not token.isascii():
        return None
    try:
        data = URLSafeTimedSerializer(secret_key, salt=_RESUME_SALT).loads(token, max_age=max_age)
    except BadData:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("e"), str):
        return None
    args = data.get("a") or {}
    if not isinstance(args, dict) or not all(
        isinstance(k, str) and isinstance(v, (str, int)) for k, v in args.items()
    ):
        return None
    draft = data.get("d")
    return {
        "endpoint": data["e"],
        "args": args,
        "draft": draft if isinstance(draft, str) else None,
        "expired": bool(data.get("x")),
    }
