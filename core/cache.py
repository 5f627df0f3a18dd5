"""What anonymous visitors read, served from a shared cache in Redis and revalidated by ETag.

A **public data version** (one Redis counter) goes up after every commit that wrote a row of
a table some module watches (``watch_tables``: the catalog its products, producers, lots…);
the cached responses are keyed by it, so a write is visible on the very next request, from
every worker, and nothing has to be deleted. Entries also expire (``PUBLIC_CACHE_TTL``):
what a page shows may depend on the date (a lot's shelf life, the age of a rate).

Only anonymous requests (no session user, no ``Authorization`` header) are served from the
cache or stored in it: a logged-in buyer, farmer or admin always gets a response built for
them, so no role's data can reach another. Nothing that takes money reads this cache:
``@public_response`` is for catalog reads; the cart and checkout read the database.

Pages carry two per-request secrets, the CSRF token of their forms and the CSP nonce of their
scripts: they are stored as placeholders and filled in with the current request's own on the
way out. The ETag is the hash of the stored body, so it does not change with them.

The cache is on when ``REDIS_URL`` is set and ``PUBLIC_CACHE`` is true; when Redis fails, a
request is answered without it (and logged), never refused.
"""

import hashlib
import logging
from functools import wraps

from flask import current_app, g, make_response, request, session
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import Session

from core.db import after_outer_commit

log = logging.getLogger(__name__)

#: Tables whose writes change what anonymous visitors see (filled by ``watch_tables``).
WATCHED_TABLES: set[str] = set()

_CSRF_MARK = b"\x00csrf-token\x00"
_NONCE_MARK = b"\x00csp-nonce\x00"
_SEPARATOR = b"\n"


def watch_tables(*names: str) -> None:
    """A module names the tables that anonymous pages show: a commit writing any bumps the version."""
    WATCHED_TABLES.update(names)


# ---------------------------------------------------------------- Redis


def _redis(for_reading: bool = True):
    """The cache's Redis client, or None when the cache is off for this use.

    Version bumps happen whenever Redis is configured, even where reading from the cache is
    off (a command, a worker): another process may be serving from it.
    """
    app = current_app
    url = app.config.get("REDIS_URL")
    if not url or (for_reading and not app.config.get("PUBLIC_CACHE", True)):
        return None
    # Short timeouts: a slow Redis must cost a request little, never fail it.
    return redis_client("public_cache", url, socket_connect_timeout=0.5, socket_timeout=0.5)


def redis_client(purpose: str, url: str, **options):
    """The app's Redis client for ``purpose``, made once per URL: its connection pool is kept
    across requests (a new client per call costs a TCP connect and, in redis-py, a read of the
    package's metadata — a millisecond or more)."""
    app = current_app
    made = app.extensions.get(f"redis:{purpose}")
    if made is None or made[0] != url:
        from redis import Redis

        made = (url, Redis.from_url(url, **options))
        app.extensions[f"redis:{purpose}"] = made
    return made[1]


def _key(*parts: str) -> str:
    return ":".join((current_app.config.get("PUBLIC_CACHE_PREFIX") or "agrobridge:public", *parts))


def public_version() -> int:
    """The current public data version (0 when Redis has none or the cache is off)."""
    from redis.exceptions import RedisError

    client = _redis(for_reading=False)
    if client is None:
        return 0
    try:
        return int(client.get(_key("version")) or 0)
    except RedisError:
        log.warning("public cache: Redis unreachable, version unknown", exc_info=True)
        return 0


def bump_public_version() -> None:
    """Every cached public response becomes unreachable (their keys name the old version)."""
    from redis.exceptions import RedisError

    client = _redis(for_reading=False)
    if client is None:
        return
    try:
        client.incr(_key("version"))
    except RedisError:
        # Entries still expire after PUBLIC_CACHE_TTL; say loudly that they may be stale until then.
        log.error("public cache: version not bumped after a catalog write", exc_info=True)


# ---------------------------------------------------------------- noticing writes


def _table_of(obj) -> str | None:
    table = getattr(type(obj), "__table__", None)
    return getattr(table, "name", None)


@event.listens_for(Session, "after_flush")
def _note_public_writes(session, _flush_context):
    # Still the pre-flush lists here: what this flush wrote.
    if session.info.get("public_write") or not WATCHED_TABLES:
        return
    for obj in (*session.new, *session.dirty, *session.deleted):
        if _table_of(obj) in WATCHED_TABLES:
            session.info["public_write"] = True
            return


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_writes(state):
    """``session.execute(update(Product)...)`` and friends write without the unit of work."""
    if state.is_update or state.is_delete or state.is_insert:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) in WATCHED_TABLES:
            state.session.info["public_write"] = True


@after_outer_commit
def _bump_after_commit(session):
    if session.info.pop("public_write", False):
        try:
            bump_public_version()
        except RuntimeError:  # no app context: a script's own session; nothing can be cached there
            pass


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session, previous_transaction):
    # A savepoint's rollback keeps the flag: what was written before it may still commit.
    if not previous_transaction.nested:
        session.info.pop("public_write", None)


# ---------------------------------------------------------------- responses


def _anonymous() -> bool:
    if request.headers.get("Authorization"):
        return False
    return not current_user.is_authenticated


def _vary(response, api: bool) -> None:
    response.vary.update(("Accept-Language", "Cookie"))
    if api:
        response.vary.add("Authorization")


def _neutral(body: bytes) -> bytes:
    """The body with this request's CSRF token and CSP nonce replaced by placeholders."""
    token = g.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    if token:
        body = body.replace(token.encode(), _CSRF_MARK)
    nonce = getattr(request, "csp_nonce", None)
    if nonce:
        body = body.replace(nonce.encode(), _NONCE_MARK)
    return body


def _personal(body: bytes) -> bytes:
    """The stored body with this request's own CSRF token and CSP nonce."""
    if _CSRF_MARK in body:
        from flask_wtf.csrf import generate_csrf

        body = body.replace(_CSRF_MARK, generate_csrf().encode())
    if _NONCE_MARK in body:
        body = body.replace(_NONCE_MARK, getattr(request, "csp_nonce", "").encode())
    return body


def _finish(response, etag: str, api: bool):
    """ETag, Cache-Control and Vary of an anonymous response; 304 when the client has it."""
    response.set_etag(etag, weak=True)
    # Stored, but revalidated on every use (a write is visible on the next request); pages
    # carry the visitor's own CSRF token, so only the browser's cache may keep them.
    response.headers["Cache-Control"] = "public, no-cache" if api else "private, no-cache"
    _vary(response, api)
    return response.make_conditional(request)


def public_response(api: bool = False):
    """For a GET view whose anonymous response depends only on its URL, the language and the
    public data: cached in Redis under the public data version, with an ETag (304 on
    ``If-None-Match``). Logged-in and token callers get the view's own response, unshared.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if request.method != "GET" or not _anonymous():
                response = make_response(view(*args, **kwargs))
                _vary(response, api)
                response.headers.setdefault("Cache-Control", "private, no-cache")
                return response
            key = _lookup_key() if not session.get("_flashes") else None
            if key is not None:
                hit = _get(key)
                if hit is not None:
                    mimetype, etag, body = hit.split(_SEPARATOR, 2)
                    response = current_app.response_class(_personal(body), mimetype=mimetype.decode())
                    response.headers["X-Cache"] = "hit"
                    return _finish(response, etag.decode(), api)
            response = make_response(view(*args, **kwargs))
            if response.status_code != 200 or response.is_streamed or response.direct_passthrough:
                return response
            body = _neutral(response.get_data())
            etag = hashlib.blake2b(body, digest_size=12).hexdigest()
            if key is not None:
                _set(key, _SEPARATOR.join((response.mimetype.encode(), etag.encode(), body)))
                response.headers["X-Cache"] = "miss"
            return _finish(response, etag, api)

        return wrapper

    return decorator


def _lookup_key() -> str | None:
    from redis.exceptions import RedisError

    from core.i18n import current_language

    client = _redis()
    if client is None:
        return None
    try:
        version = (client.get(_key("version")) or b"0").decode()
    except RedisError:
        log.warning("public cache: Redis unreachable, serving without it", exc_info=True)
        return None
    where = hashlib.blake2b(request.full_path.encode(), digest_size=16).hexdigest()
    return _key("v" + version, current_language(), where)


def _get(key: str) -> bytes | None:
    from redis.exceptions import RedisError

    try:
        return _redis().get(key)
    except RedisError:
        log.warning("public cache: read failed", exc_info=True)
        return None


def _set(key: str, value: bytes) -> None:
    from redis.exceptions import RedisError

    try:
        _redis().set(key, value, ex=current_app.config.get("PUBLIC_CACHE_TTL", 300))
    except RedisError:
        log.warning("public cache: write failed", exc_info=True)
