"""Account rules: registration, authentication, profiles, API tokens."""

import hashlib
import secrets
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from accounts.models import ApiToken, KnownDevice, LoginSession, PendingRegistration, User
from accounts.passwords import check_password_strength
from core.auth import ROLES
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.mail import queue_email
from core.timeutil import utcnow
from core.timezones import default_zone, valid_zone

SELF_SERVICE_ROLES = ("farmer", "buyer")
LANGUAGES = ("zh", "ru", "en")
# A hash to compare against when the e-mail is unknown, so timing does not reveal accounts.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def normalise_email(email: str) -> str:
    """Checked syntax, lower-cased; raises ValidationFailed on a malformed address."""
    try:
        info = validate_email((email or "").strip(), check_deliverability=False)
    except EmailNotValidError:
        raise ValidationFailed(
            _l("Enter a valid e-mail address."), fields={"email": [_l("Enter a valid e-mail address.")]}
        ) from None
    return info.normalized.lower()


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def create_user(
    *, email, password, role, name=None, company="", phone="", language="en", time_zone=None
) -> User:
    """Create an account of any role (admin page, CLI). Commits."""
    if role not in ROLES:
        raise ValidationFailed(_l("Unknown role."), fields={"role": [_l("Unknown role.")]})
    if language not in LANGUAGES:
        language = "en"
    email = normalise_email(email)
    check_password_strength(password, user_inputs=(email, name, company))
    if find_by_email(email):
        message = _l("An account with this e-mail already exists.")
        raise Conflict(message, code="email_taken", fields={"email": [message]})
    user = User(
        email=email,
        password_hash=generate_password_hash(password),
        name=(name or email.split("@")[0]).strip()[:120],
        company=(company or "").strip()[:200],
        phone=(phone or "").strip()[:40],
        language=language,
        role=role,
        time_zone=time_zone if valid_zone(time_zone) else default_zone(language, role),
    )
    db.session.add(user)
    db.session.commit()
    return user


def register_user(*, role, email, password, name=None, company="", phone="", language="en") -> None:
    """Self sign-up (farmers and buyers). Commits.

    The caller learns nothing about the address: a new one is e-mailed a link that creates
    the account (:func:`confirm_registration`); the owner of a known one is told that someone
    tried to sign up with it, and nothing about the account changes. Both paths hash the
    password, so the answer takes about as long either way.
    """
    if role not in SELF_SERVICE_ROLES:
        raise Forbidden(_l("Operators and administrators are created by an administrator."))
    if language not in LANGUAGES:
        language = "en"
    email = normalise_email(email)
    check_password_strength(password, user_inputs=(email, name, company))
    password_hash = generate_password_hash(password)
    now = utcnow()
    db.session.execute(delete(PendingRegistration).where(PendingRegistration.expires_at <= now))
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    existing = find_by_email(email)
    if existing is not None:
        queue_email(
            existing.email,
            existing.language,
            "accounts/email/register_taken",
            name=existing.name,
            login_url=f"{base}/login",
        )
    else:
        token = secrets.token_urlsafe(32)
        hours = current_app.config["REGISTRATION_LINK_HOURS"]
        db.session.add(
            PendingRegistration(
                token_hash=_hash_token(token),
                email=email,
                password_hash=password_hash,
                role=role,
                name=(name or email.split("@")[0]).strip()[:120],
                company=(company or "").strip()[:200],
                phone=(phone or "").strip()[:40],
                language=language,
                created_at=now,
                expires_at=now + timedelta(hours=hours),
            )
        )
        queue_email(
            email,
            language,
            "accounts/email/register_confirm",
            name=(name or "").strip(),
            url=f"{base}/register/confirm/{token}",
            hours=hours,
        )
    db.session.commit()


def pending_registration(token: str) -> PendingRegistration | None:
    """The sign-up this confirmation link belongs to, while the link works."""
    if not token:
        return None
    record = db.session.scalar(
        select(PendingRegistration).where(PendingRegistration.token_hash == _hash_token(token))
    )
    if record is None or record.expires_at <= utcnow():
        return None
    return record


def confirm_registration(token: str) -> User:
    """Follow a confirmation link: the account is created, confirmed, and the address's other
    waiting sign-ups are dropped. Commits.

    :raise NotFound: unknown or expired link
    :raise Conflict: the address has an account already (the link was used)
    """
    record = pending_registration(token)
    if record is None:
        raise NotFound(_l("This link does not work any more. Sign up again to get a new one."))
    email = record.email
    user = User(
        email=email,
        password_hash=record.password_hash,
        name=record.name,
        company=record.company,
        phone=record.phone,
        language=record.language,
        role=record.role,
    )
    already = _l("This e-mail address is confirmed already: log in.")
    if find_by_email(email) is not None:
        raise Conflict(already, code="email_confirmed")
    db.session.add(user)
    db.session.execute(delete(PendingRegistration).where(PendingRegistration.email == email))
    try:
        db.session.commit()
    except IntegrityError:  # the same address confirmed at the same moment by another link
        db.session.rollback()
        raise Conflict(already, code="email_confirmed") from None
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, else None."""
    user = find_by_email(email or "")
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(user.password_hash, password or "") or not user.active:
        return None
    return user


def start_session(user: User, device_id: str | None = None) -> str:
    """A new server-side session for a browser log-in; returns the key for the cookie. Commits."""
    key = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(LoginSession(user_id=user.id, key_hash=_hash_token(key), created_at=now))
    user.last_login_at = now
    remember_device(user, device_id)
    db.session.commit()
    return key


def end_session(key: str | None) -> None:
    """Log-out: the session's key stops working, whoever holds a copy of the cookie. Commits."""
    if not key:
        return
    record = db.session.scalar(select(LoginSession).where(LoginSession.key_hash == _hash_token(key)))
    if record is not None and record.ended_at is None:
        record.ended_at = utcnow()
        db.session.commit()


def session_is_live(user: User, key: str | None) -> bool:
    if not key:
        return False
    record = db.session.scalar(select(LoginSession).where(LoginSession.key_hash == _hash_token(key)))
    return record is not None and record.user_id == user.id and record.ended_at is None


def is_known_device(user: User | None, device_id: str | None) -> bool:
    """Has this device logged in to this account with the right password before?"""
    if user is None or not device_id:
        return False
    stmt = select(KnownDevice.id).where(
        KnownDevice.user_id == user.id, KnownDevice.device_hash == _hash_token(device_id)
    )
    return db.session.scalar(stmt) is not None


def remember_device(user: User, device_id: str | None) -> None:
    """Mark the device as the owner's after a successful log-in (committed by the caller)."""
    if not device_id:
        return
    now = utcnow()
    device = db.session.scalar(
        select(KnownDevice).where(
            KnownDevice.user_id == user.id, KnownDevice.device_hash == _hash_token(device_id)
        )
    )
    if device is None:
        db.session.add(
            KnownDevice(
                user_id=user.id, device_hash=_hash_token(device_id), first_seen_at=now, last_seen_at=now
            )
        )
    else:
        device.last_seen_at = now


def update_profile(user: User, *, name, company, phone, language, time_zone=None) -> User:
    if not (name or "").strip():
        raise ValidationFailed(_l("Enter your name."), fields={"name": [_l("Enter your name.")]})
    if language not in LANGUAGES:
        raise ValidationFailed(_l("Unknown language."), fields={"language": [_l("Unknown language.")]})
    if time_zone is not None:
        set_time_zone(user, time_zone, commit=False)
    user.name = name.strip()[:120]
    user.company = (company or "").strip()[:200]
    user.phone = (phone or "").strip()[:40]
    user.language = language
    db.session.commit()
    return user


def set_time_zone(user: User, time_zone: str, *, commit: bool = True) -> User:
    """:raise 422: not an IANA time zone name (``Asia/Yekaterinburg``)"""
    if not valid_zone(time_zone):
        message = _l("Unknown time zone.")
        raise ValidationFailed(message, code="unknown_time_zone", fields={"time_zone": [message]})
    user.time_zone = time_zone
    if commit:
        db.session.commit()
    return user


def set_language(user: User, language: str) -> None:
    if language in LANGUAGES:
        user.language = language
        db.session.commit()


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Ends every other session and revokes the user's API tokens."""
    if not check_password_hash(user.password_hash, current_password or ""):
        message = _l("The current password is wrong.")
        raise ValidationFailed(message, fields={"current_password": [message]})
    own_words = (user.email, user.name, user.company)
    check_password_strength(new_password, field="new_password", user_inputs=own_words)
    user.password_hash = generate_password_hash(new_password)
    user.session_version += 1
    _revoke_all_tokens(user)
    db.session.commit()


def set_active(actor: User, user: User, active: bool) -> None:
    if actor.id == user.id and not active:
        raise Conflict(_l("You cannot deactivate your own account."))
    user.active = active
    if not active:
        user.session_version += 1
        _revoke_all_tokens(user)
    db.session.commit()


def _revoke_all_tokens(user: User) -> None:
    now = utcnow()
    for token in user.tokens:
        if token.revoked_at is None:
            token.revoked_at = now


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, device_id: str | None = None) -> tuple[str, ApiToken]:
    """A new bearer token; the plain value is returned once."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    record = ApiToken(
        user=user,
        token_hash=_hash_token(token),
        created_at=now,
        expires_at=now + timedelta(hours=current_app.config["API_TOKEN_TTL_HOURS"]),
    )
    db.session.add(record)
    remember_device(user, device_id)
    db.session.commit()
    return token, record


def token_record(token: str) -> ApiToken | None:
    # The user in the same statement: every API call reads both.
    record = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == _hash_token(token)).options(joinedload(ApiToken.user))
    )
    if record is None or record.revoked_at is not None or record.expires_at <= utcnow():
        return None
    if not record.user.active:
        return None
    return record


def user_for_token(token: str) -> User | None:
    record = token_record(token)
    return record.user if record else None


def revoke_token(token: str) -> bool:
    record = token_record(token)
    if record is None:
        return False
    record.revoked_at = utcnow()
    db.session.commit()
    return True


def load_session_user(session_id: str, session_key: str | None) -> User | None:
    """Flask-Login's user loader: ``"<id>.<version>"`` plus the session's server-side key;
    inactive, outdated or logged-out → None."""
    user_id, _, version = (session_id or "").partition(".")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    if not session_is_live(user, session_key):
        return None
    return user


def list_users(role: str | None = None, q: str | None = None):
    stmt = select(User).order_by(User.created_at.desc(), User.id.desc())
    if role in ROLES:
        stmt = stmt.where(User.role == role)
    if q:
        like = f"%{q.strip().lower()}%"
        stmt = stmt.where(User.email.like(like) | User.name.ilike(like) | User.company.ilike(like))
    return db.session.scalars(stmt).all()
