"""Showing a service's validation errors on a Flask-WTF form; the language switch."""

from flask import flash
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import DataRequired


def show_errors(form, exc) -> None:
    """Put ``exc.fields`` on the matching form fields; anything else becomes a flash."""
    shown = False
    for name, messages in (exc.fields or {}).items():
        field = getattr(form, name.split(".")[-1], None) if form is not None else None
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + [str(m) for m in messages]
            shown = True
    if not shown:
        flash(str(exc.message), "error")


def flash_error(exc) -> None:
    """One flash with a service error's field messages, or its message when it has none."""
    if exc.fields:
        flash(" ".join(str(m) for messages in exc.fields.values() for m in messages), "error")
    else:
        flash(str(exc.message), "error")


class LanguageForm(FlaskForm):
    """The switcher in every page's header (base.html)."""

    language = HiddenField(validators=[DataRequired()])
    next = HiddenField()
