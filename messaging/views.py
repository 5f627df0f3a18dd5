"""Conversation pages: the panel other pages embed, posting to it, the inbox, attachments."""

from flask import flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from core.errors import NotFound
from core.forms import flash_error, service_call
from core.security import no_store
from core.uploads import storage
from messaging import bp, services
from messaging.forms import MessageForm


def panel(kind: str, subject_id: int) -> Markup | str:
    """The conversation of a subject, with its form, for the subject's page (``{{ conversation(
    'order', order.id) }}``); nothing for a viewer who is not a party. Showing it marks it read."""
    if not current_user.is_authenticated:
        return ""
    try:
        thread = services.conversation(current_user, kind, subject_id)
    except NotFound:
        return ""
    # A rendered (autoescaped) template: markup already, like a template hook's part.
    return Markup(render_template("messaging/_thread.html", thread=thread, form=MessageForm()))  # noqa: S704


@bp.post("/messages/<any(order, rfq, shipment):kind>/<id:subject_id>")
@login_required
def post(kind, subject_id):
    """Write to a conversation from its subject's page. Its parties (404 for anyone else).

    :raise 404: not a party
    """
    thread = services.conversation(current_user, kind, subject_id, mark_read=False)
    form = MessageForm()
    if form.validate_on_submit():
        with service_call(show=flash_error):
            services.post_message(
                current_user, kind, subject_id, form.body.data, request.files.get("attachment")
            )
            flash(_("Your message is sent."), "success")
    return redirect(f"{thread['path']}#conversation")


@bp.get("/messages")
@login_required
def inbox():
    """The caller's conversations, newest first, with what is unread. Anyone signed in."""
    return render_template("messaging/inbox.html", threads=services.inbox(current_user))


@bp.get("/messages/<id:message_id>/attachment")
@login_required
def attachment(message_id):
    """A message's attachment. The thread's parties.

    :raise 404: not a party
    """
    key, message = services.message_attachment(current_user, message_id)
    return no_store(
        storage().response(
            key,
            mimetype=message.attachment_type,
            as_attachment=True,
            download_name=message.attachment_original or key.rsplit("/", 1)[-1],
        )
    )
