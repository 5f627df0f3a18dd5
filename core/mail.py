"""E-mail over SMTP, always sent from a job after the transaction commits."""

import logging
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app, g, render_template
from flask_babel import force_locale

from core.jobs import enqueue_after_commit
from core.outbox import current_key
from core.timezones import valid_zone

log = logging.getLogger(__name__)


def send_email_now(to: str, subject: str, body: str, html: str | None = None) -> None:
    cfg = current_app.config
    msg = EmailMessage()
    msg["From"] = cfg["MAIL_DEFAULT_SENDER"]
    msg["To"] = to
    msg["Subject"] = subject
    # A job that runs again (its worker died after sending) sends the same Message-ID, so the
    # recipient's mail system can tell the copy from a new message.
    key = current_key()
    msg["Message-ID"] = f"<{key}@agrobridge>" if key else make_msgid(domain="agrobridge")
    msg.set_content(body)
    if html:
        msg.add_alternative(html, subtype="html")
    if not cfg.get("MAIL_SERVER"):
        log.info("e-mail (no MAIL_SERVER set) to %s: %s", to, subject)
        log.debug("%s", body)
        return
    smtp_cls = smtplib.SMTP_SSL if cfg.get("MAIL_USE_SSL") else smtplib.SMTP
    with smtp_cls(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=30) as smtp:
        if cfg.get("MAIL_USE_TLS"):
            smtp.starttls()
        if cfg.get("MAIL_USERNAME"):
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
        smtp.send_message(msg)


def send_templated_email(
    to: str, language: str, template: str, time_zone: str | None = None, **context
) -> None:
    """Render ``templates/<template>.txt`` in the recipient's language, its times in the
    recipient's zone (``time_zone``), and send it."""
    previous = g.get("zone_override")
    g.zone_override = time_zone if valid_zone(time_zone) else None
    try:
        with force_locale(language or "en"):
            text = render_template(f"{template}.txt", **context)
    finally:
        g.zone_override = previous
    subject, _, body = text.partition("\n")
    send_email_now(to, subject.strip(), body.strip() + "\n")


def queue_email(to: str, language: str, template: str, time_zone: str | None = None, **context) -> None:
    """Send after commit; ``context`` must be plain data (it may cross into a worker): times
    as ISO strings, printed with the ``datetime`` filter in ``time_zone`` (the recipient's)."""
    enqueue_after_commit(send_templated_email, to, language, template, time_zone=time_zone, **context)
