"""Showing a service's errors on a page (on a Flask-WTF form's fields, or as a flash);
the language switch."""

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

from flask import flash
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import DataRequired

from core.errors import AppError
from core.extensions import db


def show_errors(form, exc, field_map: dict | None = None) -> None:
    """Put ``exc.fields`` on the matching form fields; anything else becomes a flash.

    ``field_map`` names the form field for a service field that the form calls otherwise
    (``{"price_tiers": "tiers"}``).
    """
    shown = False
    for name, messages in (exc.fields or {}).items():
        attr = (field_map or {}).get(name) or name.split(".")[-1]
        field = getattr(form, attr, None) if form is not None else None
        if field is not None and hasattr(field, "errors"):
            texts = messages if isinstance(messages, list | tuple) else [messages]
            field.errors = list(field.errors or []) + [str(m) for m in texts]
            shown = True
    if not shown:
        flash(str(exc.message), "error")


def flash_error(exc) -> None:
    """One flash with a service error's field messages, or its message when it has none."""
    if exc.fields:
        flash(" ".join(str(m) for messages in exc.fields.values() for m in messages), "error")
    else:
        flash(str(exc.message), "error")


@dataclass
class ServiceCall:
    #: The service's error, once the block has failed; None while it has not.
    error: AppError | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None


@contextmanager
def service_call(
    form=None,
    *,
    field_map: dict | None = None,
    show: Callable[[AppError], None] | None = None,
    silent: bool = False,
):
    """Run a page's service call; on an ``AppError`` roll back and show it, then carry on
    after the block::

        with service_call(form) as call:
            product = products.create_product(current_user, form.to_data())
            return redirect(url_for("catalog.edit_product", product_id=product.id))
        status = call.error.status

    The error goes on ``form``'s fields (or a flash, see ``show_errors``), or to ``show``;
    ``silent`` shows nothing. Any other exception propagates untouched.
    """
    call = ServiceCall()
    try:
        yield call
    except AppError as exc:
        db.session.rollback()
        call.error = exc
        if silent:
            return
        if show is not None:
            show(exc)
        else:
            show_errors(form, exc, field_map)


class LanguageForm(FlaskForm):
    """The switcher in every page's header (base.html)."""

    language = HiddenField(validators=[DataRequired()])
    next = HiddenField()
