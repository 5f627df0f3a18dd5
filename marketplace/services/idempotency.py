"""``Idempotency-Key`` (IETF draft): a retry gets the first answer, never a second order.

The key is claimed in its own short transaction before the work starts, so a concurrent
retry finds it and answers 409 while the first request is still running.
"""

import hashlib
import json
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from core.errors import AppError
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


def claim(user, scope: str, key: str, body) -> IdempotencyKey | None:
    """Claim ``key`` for this request. Returns the stored record if the answer is known
    (replay it), None if the caller should do the work. Commits its own row.

    :raise 422: the key came before with another body (or is malformed)
    :raise 409: the first request with this key is still running
    """
    key = (key or "").strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise AppError(
            _l("The Idempotency-Key header must be 1 to 255 characters."),
            status=400,
            code="bad_idempotency_key",
        )
    digest = request_hash(body)
    existing = _find(user, scope, key)
    if existing is not None and existing.created_at < utcnow() - _ttl():
        db.session.delete(existing)
        db.session.commit()
        existing = None
    if existing is None:
        record = IdempotencyKey(user_id=user.id, scope=scope, key=key, request_hash=digest)
        db.session.add(record)
        try:
            db.session.commit()
            return None
        except IntegrityError:
            db.session.rollback()  # a concurrent request claimed it first
            existing = _find(user, scope, key)
    if existing.request_hash != digest:
        raise KeyReused(_l("This Idempotency-Key was used with a different request."))
    if existing.in_flight:
        raise KeyInFlight(_l("A request with this Idempotency-Key is still being processed."))
    return existing


def _find(user, scope, key):
    return db.session.scalar(
        select(IdempotencyKey).where(
            IdempotencyKey.user_id == user.id, IdempotencyKey.scope == scope, IdempotencyKey.key == key
        )
    )


def store(user, scope: str, key: str, status: int, body: dict) -> None:
    record = _find(user, scope, key.strip())
    if record is not None:
        record.response_status = status
        record.response_body = json.dumps(body, ensure_ascii=False)
        db.session.commit()


def forget(user, scope: str, key: str) -> None:
    """The work failed unexpectedly: let a retry try again."""
    db.session.rollback()
    db.session.execute(
        delete(IdempotencyKey).where(
            IdempotencyKey.user_id == user.id,
            IdempotencyKey.scope == scope,
            IdempotencyKey.key == key.strip(),
        )
    )
    db.session.commit()


def purge_expired() -> int:
    result = db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < utcnow() - _ttl()))
    db.session.commit()
    return result.rowcount
