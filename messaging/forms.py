"""The message form under each conversation (Flask-WTF: CSRF on every post)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import TextAreaField


class MessageForm(FlaskForm):
    # Length and emptiness are checked by the service, so page and API say the same.
    body = TextAreaField(_l("Message"))
    attachment = FileField(_l("Attachment (PDF or image, up to 10 MB)"))
