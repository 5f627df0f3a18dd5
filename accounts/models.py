"""User accounts and API tokens."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.auth import ROLES
from core.db import TimestampMixin, UTCDateTime
from core.extensions import db

ROLE_CHECK = "role IN (" + ", ".join(f"'{r}'" for r in ROLES) + ")"


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(ROLE_CHECK, name="role_known"),
        CheckConstraint("language IN ('zh', 'ru', 'en')", name="language_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-cased, so uniqueness is case-insensitive.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(120))
    company: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    #: Preferred interface and e-mail language: zh, ru or en.
    language: Mapped[str] = mapped_column(String(2), default="en")
    role: Mapped[str] = mapped_column(String(16), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    #: Bumped on password change: every older session stops working.
    session_version: Mapped[int] = mapped_column(default=1)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    tokens: Mapped[list["ApiToken"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def get_id(self) -> str:  # Flask-Login: the session remembers id and version
        return f"{self.id}.{self.session_version}"

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"


class ApiToken(db.Model):
    __tablename__ = "api_tokens"
    __table_args__ = (Index("ix_api_tokens_user_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: SHA-256 of the token; the token itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="tokens")


class Company(TimestampMixin, db.Model):
    """A buyer's company: the importer of record on invoices, labels and declarations.

    Filled in bit by bit; an order needs it ``complete``.
    """

    __tablename__ = "accounts_companies"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The buyer who runs it (one company per buyer account).
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200), default="")
    name_en: Mapped[str] = mapped_column(String(200), default="")
    #: Unified Social Credit Code (GB 32100-2015), 18 characters with its check character.
    uscc: Mapped[str] = mapped_column(String(18), default="")
    #: The importer's customs registration code (海关编码), 10 digits.
    customs_code: Mapped[str] = mapped_column(String(10), default="")
    address_zh: Mapped[str] = mapped_column(String(300), default="")
    address_en: Mapped[str] = mapped_column(String(300), default="")
    contact_name: Mapped[str] = mapped_column(String(120), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")

    owner: Mapped[User] = relationship()

    #: What an order's documents need; the rest is optional.
    REQUIRED = (
        "name_zh",
        "name_en",
        "uscc",
        "customs_code",
        "address_zh",
        "address_en",
        "contact_name",
        "contact_phone",
    )

    @property
    def missing(self) -> list[str]:
        return [key for key in self.REQUIRED if not getattr(self, key)]

    @property
    def complete(self) -> bool:
        return not self.missing


class LoginSession(db.Model):
    """One browser log-in. The session cookie carries its key; log-out ends it here, so a
    copy of the cookie taken before log-out no longer works (pages and API alike)."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the key kept in the signed session cookie.
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class KnownDevice(db.Model):
    """A browser or API client that once logged in to this account with the right password.

    A lock on the account after many wrong passwords spares known devices (see README,
    Security), so an attacker cannot lock the owner out."""

    __tablename__ = "known_devices"
    __table_args__ = (UniqueConstraint("user_id", "device_hash", name="user_device"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the device id kept in the signed ``device`` cookie.
    device_hash: Mapped[str] = mapped_column(String(64))
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PendingRegistration(db.Model):
    """A sign-up waiting for its e-mail to be confirmed. The account is created only when
    the link sent to that address is followed, so the sign-up page says the same thing
    whether or not the address already has an account, and nobody can claim an address
    they cannot read. Several may wait for one address (each its own link); the first
    confirmed wins and the others are dropped."""

    __tablename__ = "accounts_pending_registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the token in the confirmation link; the token itself is only e-mailed.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(120))
    company: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    language: Mapped[str] = mapped_column(String(2), default="en")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: The link stops working after this time (and the row is cleared away).
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
