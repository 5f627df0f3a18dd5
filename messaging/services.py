"""Conversations: reading and writing the thread of an order, an RFQ or a shipment, unread
counts, attachments, and the e-mail digest of what stayed unread.

Messaging sits below the modules whose subjects it carries: each of them registers a
``Subject`` (how to find one for a user, who its parties are, where its page is), so this
module never imports them.
"""

import logging
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from catalog.uploads import pdf_or_image
from core.errors import NotFound, ValidationFailed
from core.extensions import db
from core.jobs import enqueue_later
from core.mail import send_email_now
from core.timeutil import utcnow
from core.uploads import read_limited, storage
from messaging.models import BODY_MAX, LANGUAGES, Message, Participant, Thread

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Subject:
    """What a module tells messaging about one kind of subject."""

    kind: str
    #: ``(user, subject_id)`` → the subject when ``user`` is one of its parties, else None.
    find: Callable
    #: subject → the users to tell about a new message.
    parties: Callable
    #: subject → the path of its page (the conversation is on it).
    path: Callable
    #: subject → a short title ("Order AB-2026-000001"), in the current language.
    title: Callable


_SUBJECTS: dict[str, Subject] = {}


def register_subject(kind: str, *, find, parties, path, title) -> None:
    _SUBJECTS[kind] = Subject(kind, find, parties, path, title)


def subject_kinds() -> tuple[str, ...]:
    return tuple(_SUBJECTS)


# ---- language ----------------------------------------------------------------------------

#: The tag shown on each message.
LANGUAGE_LABELS = {"zh": _l("Chinese"), "ru": _l("Russian"), "en": _l("English")}

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z]")


def detect_language(text: str, fallback: str | None = None) -> str:
    """zh for Chinese characters, ru for Cyrillic (the more frequent when both), en for Latin
    letters; without letters (figures, a link) the sender's language."""
    cjk, cyrillic = len(_CJK.findall(text)), len(_CYRILLIC.findall(text))
    if cjk or cyrillic:
        return "zh" if cjk >= cyrillic else "ru"
    if _LATIN.search(text):
        return "en"
    return fallback if fallback in LANGUAGES else "en"


# ---- reading -------------------------------------------------------------------------------


def _subject(user, kind: str, subject_id) -> tuple[Subject, object]:
    """:raise NotFound: unknown kind or id, or ``user`` is not a party (the same answer)."""
    spec = _SUBJECTS.get(kind)
    found = spec.find(user, subject_id) if spec and user is not None and isinstance(subject_id, int) else None
    if found is None:
        raise NotFound(_l("Conversation not found."))
    return spec, found


def _thread(kind: str, subject_id: int) -> Thread | None:
    return db.session.scalar(
        select(Thread).where(Thread.subject_kind == kind, Thread.subject_id == subject_id)
    )


def _insert_ignore(model, rows: list[dict]) -> None:
    """INSERT … ON CONFLICT DO NOTHING: two requests may create the same row at once."""
    if not rows:
        return
    dialect = db.engine.dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    db.session.execute(insert(model).values(rows).on_conflict_do_nothing())


def conversation(user, kind: str, subject_id, mark_read: bool = True) -> dict:
    """The thread of a subject ``user`` is a party of: its messages, oldest first, and how
    many were unread. Reading marks them read.

    :raise NotFound: not a party, or no such subject
    """
    spec, subject = _subject(user, kind, subject_id)
    thread = _thread(kind, subject_id)
    messages = list(thread.messages) if thread else []
    unread = 0
    if thread is not None:
        me = db.session.scalar(
            select(Participant).where(Participant.thread_id == thread.id, Participant.user_id == user.id)
        )
        seen = me.last_read_id if me else 0
        unread = sum(1 for m in messages if m.id > seen and m.sender_id != user.id)
        if mark_read and messages and seen < messages[-1].id:
            if me is None:
                _insert_ignore(Participant, [{"thread_id": thread.id, "user_id": user.id}])
            db.session.execute(
                update(Participant)
                .where(
                    Participant.thread_id == thread.id,
                    Participant.user_id == user.id,
                    Participant.last_read_id < messages[-1].id,
                )
                .values(last_read_id=messages[-1].id)
            )
            db.session.commit()
    return {
        "kind": kind,
        "subject_id": subject_id,
        "title": spec.title(subject),
        "path": spec.path(subject),
        "messages": messages,
        "unread": unread,
    }


def unread_count(user) -> int:
    """Messages from others in the user's threads, newer than what they have read."""
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    return (
        db.session.scalar(
            select(func.count(Message.id))
            .join(Participant, Participant.thread_id == Message.thread_id)
            .where(
                Participant.user_id == user.id,
                Message.id > Participant.last_read_id,
                Message.sender_id.is_distinct_from(user.id),
            )
        )
        or 0
    )


def inbox(user) -> list[dict]:
    """The user's conversations, newest first, each with its unread count; threads whose
    subject they no longer see are left out."""
    unread = (
        select(func.count(Message.id))
        .where(
            Message.thread_id == Participant.thread_id,
            Message.id > Participant.last_read_id,
            Message.sender_id.is_distinct_from(user.id),
        )
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Thread, unread)
        .join(Participant, Participant.thread_id == Thread.id)
        .where(Participant.user_id == user.id, Thread.last_message_at.is_not(None))
        .order_by(Thread.last_message_at.desc())
        .limit(200)
    ).all()
    result = []
    for thread, count in rows:
        spec = _SUBJECTS.get(thread.subject_kind)
        subject = spec.find(user, thread.subject_id) if spec else None
        if subject is None:
            continue
        result.append(
            {
                "kind": thread.subject_kind,
                "title": spec.title(subject),
                "path": spec.path(subject),
                "unread": count or 0,
                "last_message_at": thread.last_message_at,
                "last": thread.messages[-1] if thread.messages else None,
            }
        )
    return result


# ---- writing -------------------------------------------------------------------------------


def _check_body(body) -> str:
    text = body.strip() if isinstance(body, str) else ""
    if not text:
        message = _l("Write a message.")
        raise ValidationFailed(message, code="empty_message", fields={"body": [message]})
    if len(text) > BODY_MAX:
        message = _l("A message has at most %(max)d characters.", max=BODY_MAX)
        raise ValidationFailed(message, code="message_too_long", fields={"body": [message]})
    if "\x00" in text or not _storable(text):
        message = _l("The message contains characters that cannot be stored.")
        raise ValidationFailed(message, fields={"body": [message]})
    return text


def _storable(text: str) -> bool:
    """False for lone surrogates (JSON allows ``"\\ud800"``; UTF-8 and the database do not)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def attachment_key(name: str) -> str:
    return f"messaging/attachments/{name}"


def _store_attachment(file) -> tuple[str, str, str]:
    """A PDF as sent or an image re-encoded (the checks every upload gets) → (name, type, original)."""
    limit = current_app.config.get("MESSAGE_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
    data, suffix, content_type = pdf_or_image(
        read_limited(file, limit, "attachment"),
        "attachment",
        _l("Attach a PDF or a JPEG, PNG, WebP or GIF image."),
    )
    name = f"{secrets.token_hex(16)}.{suffix}"
    storage().save(data, attachment_key(name))
    original = re.sub(r"[\x00-\x1f/\\]", "", (file.filename or "").rsplit("/", 1)[-1])[-200:]
    return name, content_type, original


def post_message(user, kind: str, subject_id, body, file=None) -> Message:
    """Add a message to a subject's thread (created with the first one) and queue the other
    parties' e-mail digests. The parties only.

    :raise NotFound: not a party, or no such subject
    :raise ValidationFailed: empty, over 5,000 characters, an attachment that is not a PDF or image
    :raise PayloadTooLarge: an attachment over the limit
    """
    spec, subject = _subject(user, kind, subject_id)
    text = _check_body(body)
    attachment = (None, None, None)
    if file is not None and getattr(file, "filename", None):
        attachment = _store_attachment(file)
    now = utcnow()
    _insert_ignore(Thread, [{"subject_kind": kind, "subject_id": subject_id, "created_at": now}])
    thread = _thread(kind, subject_id)
    message = Message(
        thread_id=thread.id,
        sender_id=user.id,
        body=text,
        language=detect_language(text, getattr(user, "language", None)),
        attachment_name=attachment[0],
        attachment_type=attachment[1],
        attachment_original=attachment[2],
        created_at=now,
    )
    db.session.add(message)
    thread.last_message_at = now
    db.session.flush()
    recipients = {u.id for u in spec.parties(subject) if u is not None} | {user.id}
    _insert_ignore(Participant, [{"thread_id": thread.id, "user_id": uid} for uid in sorted(recipients)])
    db.session.execute(
        update(Participant)
        .where(Participant.thread_id == thread.id, Participant.user_id == user.id)
        .values(last_read_id=message.id)
    )
    _queue_digests(thread.id, user.id, now)
    db.session.commit()
    log.info(
        "message posted",
        extra={"thread_id": thread.id, "subject": f"{kind}:{subject_id}", "message_id": message.id},
    )
    return message


def _queue_digests(thread_id: int, sender_id: int, now) -> None:
    """Each other participant gets one digest job for whatever arrives in the next N minutes."""
    others = db.session.scalars(
        select(Participant).where(Participant.thread_id == thread_id, Participant.user_id != sender_id)
    ).all()
    if not others:
        return
    waiting = set(
        db.session.scalars(
            select(Participant.user_id).where(
                Participant.user_id.in_([p.user_id for p in others]),
                Participant.digest_queued_at.is_not(None),
            )
        )
    )
    delay = 60 * current_app.config.get("MESSAGE_DIGEST_MINUTES", 15)
    for participant in others:
        if participant.digest_queued_at is None:
            participant.digest_queued_at = now
        if participant.user_id not in waiting:
            waiting.add(participant.user_id)
            enqueue_later(send_digest, delay, participant.user_id)


def message_attachment(user, message_id: int) -> tuple[str, Message]:
    """(storage key, message) of an attachment ``user`` may open. :raise NotFound: otherwise."""
    message = db.session.get(Message, message_id) if isinstance(message_id, int) else None
    if message is None or not message.attachment_name:
        raise NotFound(_l("Attachment not found."))
    _subject(user, message.thread.subject_kind, message.thread.subject_id)
    return attachment_key(message.attachment_name), message


# ---- the e-mail digest (a job) ----------------------------------------------------------------


def send_digest(user_id: int) -> None:
    """One e-mail with every message still unread in the threads a digest was queued for;
    nothing when the user has read them meanwhile."""
    from accounts.models import User

    user = db.session.get(User, user_id)
    rows = db.session.scalars(
        select(Participant).where(Participant.user_id == user_id, Participant.digest_queued_at.is_not(None))
    ).all()
    if user is None or not rows:
        return
    threads = []
    for participant in rows:
        floor = max(participant.last_read_id, participant.notified_id)
        fresh = db.session.scalars(
            select(Message)
            .where(
                Message.thread_id == participant.thread_id,
                Message.id > floor,
                Message.sender_id.is_distinct_from(user_id),
            )
            .order_by(Message.id)
        ).all()
        participant.digest_queued_at = None
        if not fresh:
            continue
        participant.notified_id = fresh[-1].id
        spec = _SUBJECTS.get(participant.thread.subject_kind)
        subject = spec.find(user, participant.thread.subject_id) if spec else None
        if subject is not None:
            threads.append((spec, subject, fresh))
    if threads:
        language = user.language or "en"
        base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
        with force_locale(language):
            from flask import render_template

            items = [
                {
                    "title": str(spec.title(subject)),
                    "url": f"{base}{spec.path(subject)}#conversation",
                    "messages": [
                        {
                            "sender": m.sender.name if m.sender else "",
                            "language": m.language,
                            "body": m.body if len(m.body) <= 500 else m.body[:500] + "…",
                        }
                        for m in fresh
                    ],
                }
                for spec, subject, fresh in threads
            ]
            count = sum(len(item["messages"]) for item in items)
            text = render_template("messaging/email/digest.txt", items=items, count=count, name=user.name)
        subject_line, _, body = text.partition("\n")
        send_email_now(user.email, subject_line.strip(), body.strip() + "\n")
    db.session.commit()
