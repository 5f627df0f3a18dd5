"""Showing a service's errors on a page (on a Flask-WTF form's fields, or as a flash);
the language switch."""

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

from flask import flash
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import Field, HiddenField
from wtforms.validators import DataRequired, StopValidation
from wtforms.widgets import DateTimeLocalInput

from core.errors import AppError
from core.extensions import db
from core.i18n import current_language
from core.timezones import TYPED_HINTS, UNPARSEABLE, input_value, parse_local, user_zone, zone_label


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


def flash_form_errors(form) -> None:
    """A form that answers with a redirect says what was wrong in a notice: each field's label
    and message (a CSRF failure as an expired form)."""
    for field in form:
        if not field.errors:
            continue
        if field.type == "CSRFTokenField":
            flash(_("The form expired. Please try again."), "error")
        elif field.type == "HiddenField":
            flash(" ".join(str(m) for m in field.errors), "error")
        else:
            flash(f"{field.label.text}: {' '.join(str(m) for m in field.errors)}", "error")


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


class ZonedDateTimeField(Field):
    """A ``<input type="datetime-local">`` read in a time zone: the reader's, unless the view
    sets ``field.zone`` before validating (``PLACE_CLOCK``: left without a zone, for the
    service to read on the place's clock). The zone is shown beside it. A value that is not a
    date and time is an error on the field, never dropped. ``data``: an aware UTC datetime,
    a naive one on ``PLACE_CLOCK``, or None."""

    widget = DateTimeLocalInput()
    PLACE_CLOCK = "place"

    def __init__(self, label=None, validators=None, zone: str | None = None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.zone = zone
        self.raw = ""

    @property
    def time_zone(self) -> str:
        return self.zone if self.zone and self.zone != self.PLACE_CLOCK else user_zone()

    @property
    def zone_label(self) -> str:
        return zone_label(self.time_zone, self.data if getattr(self.data, "tzinfo", None) else None)

    def process_formdata(self, valuelist):
        self.raw = (valuelist[0] if valuelist else "") or ""
        self.data = None

    def pre_validate(self, form):
        self.data = None
        if not self.raw.strip():
            return
        try:
            if self.zone == self.PLACE_CLOCK:
                aware = parse_local(self.raw, "UTC")
                self.data = aware.replace(tzinfo=None) if aware else None
            else:
                self.data = parse_local(self.raw, self.time_zone)
        except ValueError:
            self.data = None
            raise StopValidation(
                str(UNPARSEABLE % {"example": TYPED_HINTS.get(current_language(), TYPED_HINTS["en"])})
            ) from None

    def _value(self):
        if self.raw:
            return self.raw
        return input_value(self.data, self.time_zone) if self.data else ""
