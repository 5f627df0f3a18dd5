"""Conversations: one thread per subject (an order, an RFQ, a shipment), its messages, and
where each participant has read up to."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import UTCDateTime
from core.extensions import db
from core.timeutil import utcnow

#: A message's text, in characters.
BODY_MAX = 5000
#: Languages a message may be tagged with.
LANGUAGES = ("zh", "ru", "en")


class Thread(db.Model):
    """The conversation about one subject; the subject's module says who its parties are."""

    __tablename__ = "messaging_threads"
    __table_args__ = (UniqueConstraint("subject_kind", "subject_id", name="uq_messaging_threads_subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "order", "rfq" or "shipment" (whatever a module registered).
    subject_kind: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The newest message's time, for the inbox's order.
    last_message_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    messages: Mapped[list["Message"]] = relationship(
        back_populates="thread", cascade="all, delete-orphan", order_by="Message.id"
    )


class Message(db.Model):
    __tablename__ = "messaging_messages"
    __table_args__ = (
        CheckConstraint("length(body) BETWEEN 1 AND 5000", name="body_length"),
        CheckConstraint("language IN ('zh', 'ru', 'en')", name="language_known"),
        Index("ix_messaging_messages_thread_id", "thread_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("messaging_threads.id", ondelete="CASCADE"))
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    body: Mapped[str] = mapped_column(Text)
    #: The language the sender wrote in (detected from the text, else the sender's).
    language: Mapped[str] = mapped_column(String(2))
    #: The checked upload's stored name under ``messaging/attachments/``, if any.
    attachment_name: Mapped[str | None] = mapped_column(String(100))
    attachment_type: Mapped[str | None] = mapped_column(String(50))
    attachment_original: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    thread: Mapped[Thread] = relationship(back_populates="messages")
    sender = relationship("User")


class Participant(db.Model):
    """A party of a thread: how far they have read and been told by e-mail."""

    __tablename__ = "messaging_participants"
    __table_args__ = (UniqueConstraint("thread_id", "user_id", name="uq_messaging_participants_thread_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("messaging_threads.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: The newest message id this user has seen (0: none).
    last_read_id: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: The newest message id an e-mail digest told them about.
    notified_id: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: Set while a digest for this user is waiting in the job queue.
    digest_queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    thread: Mapped[Thread] = relationship()
