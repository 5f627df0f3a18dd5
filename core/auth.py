"""Who is calling, and role decorators for pages and for the API.

API calls authenticate with ``Authorization: Bearer <token>``; a browser session also works
for the API (then CSRF applies, see core.security). An API call without valid credentials
answers 401 JSON, never a redirect.
"""

from functools import wraps

from flask import abort, g, request
from flask_login import current_user
from flask_smorest import Blueprint

from core.extensions import login_manager

ROLES = ("farmer", "buyer", "operator", "admin")
#: An endpoint's OpenAPI security requirement: a bearer token (the scheme is set up in core.api).
BEARER = [{"bearerAuth": []}]

#: token → active user or None; registered by the accounts module (core knows no users table).
_token_loader = None


def token_loader(loader):
    """Register the function that finds the user behind a bearer token (as Flask-Login's
    ``user_loader``). Returns it, so it works as a decorator."""
    global _token_loader
    _token_loader = loader
    return loader


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def api_user():
    """The user behind this API request, or None. A bad token never falls back to the session."""
    if "api_user" not in g:
        if request.headers.get("Authorization"):
            token = bearer_token()
            g.api_user = _token_loader(token) if token and _token_loader else None
        elif current_user.is_authenticated:
            g.api_user = current_user._get_current_object()
        else:
            g.api_user = None
    return g.api_user


def api_auth(*roles):
    """Require an authenticated API caller, optionally with one of ``roles``; the endpoint's
    OpenAPI entry names the bearer token it needs.

    :raise 401: no or bad credentials
    :raise 403: the caller's role is not allowed
    """

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            user = api_user()
            if user is None:
                abort(401)
            if roles and user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return Blueprint.doc(security=BEARER)(wrapped)

    return decorator


def roles_required(*roles):
    """Page decorator: log-in redirect for visitors, 403 page for other roles."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if roles and current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
