"""``Idempotency-Key`` (IETF draft): a retry gets the first answer, never a second order.

The key, the work it guards and the answer are written in one transaction, so a worker that
dies anywhere before the commit leaves nothing behind (the database rolls it all back) and a
retry does the work once; a worker that dies after it leaves the answer for the retry.

While the first request runs, the key is held by a transaction-scoped advisory lock on
PostgreSQL: a concurrent retry answers 409 at once instead of waiting, and the lock dies with
its connection, so it can never be stranded. SQLite has one writer at a time and no such lock;
the unique key still stops a second order there.
"""

import hashlib
import json
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from core.errors import AppError, error_body
from core.extensions import db
from core.timeutil import utcnow
from marketplace.models import IdempotencyKey

MAX_KEY_LENGTH = 255


class KeyReused(AppError):
    status, code = 422, "idempotency_key_reused"


class KeyInFlight(AppError):
    status, code = 409, "idempotency_key_in_flight"


def request_hash(body) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _ttl() -> timedelta:
    return timedelta(hours=current_app.config["IDEMPOTENCY_KEY_TTL_HOURS"])


def _clean(key) -> str:
    key = (key or "").strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise AppError(
            _l("The Idempotency-Key header must be 1 to 255 characters."),
            status=400,
            code="bad_idempotency_key",
        )
    return key


def _lock_id(user, scope: str, key: str) -> int:
    """A signed 64-bit number for ``pg_try_advisory_xact_lock`` (a collision only gives a 409)."""
    digest = hashlib.sha256(f"{user.id}\0{scope}\0{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _hold(user, scope: str, key: str) -> None:
    """Hold the key for the rest of this transaction.

    :raise 409: another live request holds it
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return
    if not db.session.scalar(select(func.pg_try_advisory_xact_lock(_lock_id(user, scope, key)))):
        raise KeyInFlight(_l("A request with this Idempotency-Key is still being processed."))


def begin(user, scope: str, key: str, body) -> IdempotencyKey | None:
    """Start a request under ``key``: returns the stored answer to replay, or None when the
    caller should do the work and then call :func:`finish` before its one commit.

    :raise 400: the key is empty or longer than 255 characters
    :raise 409: the first request with this key is still running
    :raise 422: the key came before with another body
    """
    key = _clean(key)
    _hold(user, scope, key)
    existing = _find(user, scope, key)
    if existing is not None and (existing.created_at < utcnow() - _ttl() or existing.in_flight):
        # Expired, or an in-flight claim written by an older release whose worker died:
        # nothing was committed with it, so the work is still to be done.
        db.session.delete(existing)
        db.session.flush()
        existing = None
    if existing is None:
        return None
    if existing.request_hash != request_hash(body):
        raise KeyReused(_l("This Idempotency-Key was used with a different request."))
    return existing


def finish(user, scope: str, key: str, body, status: int, response: dict) -> None:
    """Add the answer to the caller's transaction (committed with the work it answers)."""
    db.session.add(
        IdempotencyKey(
            user_id=user.id,
            scope=scope,
            key=_clean(key),
            request_hash=request_hash(body),
            response_status=status,
            response_body=json.dumps(response, ensure_ascii=False),
        )
    )


def once(user, scope: str, key: str, body, work, dump) -> tuple[int, dict, bool]:
    """Run ``work()`` under ``key`` and commit once: ``(status, answer, replayed)``.

    ``dump(result)`` serialises a success (201); a business error (:class:`AppError`) is
    answered, and stored, in the API's error shape. Anything else rolls everything back.
    """
    stored = begin(user, scope, key, body)
    if stored is not None:
        return stored.response_status, json.loads(stored.response_body), True
    try:
        # A savepoint: a business error undoes the work but keeps the key held, and the
        # error is stored as the answer in the same transaction.
        with db.session.begin_nested():
            status, answer = 201, dump(work())
    except AppError as exc:
        status, answer = exc.status, error_body(exc.status, exc.code, exc.message, exc.fields, exc.extra)
    finish(user, scope, key, body, status, answer)
    db.session.commit()
    return status, answer, False


def _find(user, scope, key):
    return db.session.scalar(
        select(IdempotencyKey).where(
            IdempotencyKey.user_id == user.id, IdempotencyKey.scope == scope, IdempotencyKey.key == key
        )
    )


def purge_expired() -> int:
    result = db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < utcnow() - _ttl()))
    db.session.commit()
    return result.rowcount
