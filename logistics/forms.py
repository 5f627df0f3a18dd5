"""Operator console and settings forms (Flask-WTF: CSRF on every post)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import URL, DataRequired, Length, Optional

from logistics.rules import EVENT_TYPES, EXCEPTION_REASONS, MODES

#: The offsets along the route, for phones without JavaScript.
UTC_OFFSETS = (
    ("+05:00", _l("Chelyabinsk (UTC+5)")),
    ("+09:00", _l("Zabaikalsk, Blagoveshchensk (UTC+9)")),
    ("+10:00", _l("Nizhneleninskoye, Pogranichny (UTC+10)")),
    ("+08:00", _l("China (UTC+8)")),
    ("+00:00", "UTC"),
    ("place", _l("The chosen place's own clock")),
)


class ConsolidateForm(FlaskForm):
    mode = SelectField(_l("Mode"), choices=[(m, m) for m in MODES], validators=[DataRequired()])
    border_crossing = SelectField(_l("Border crossing"), validators=[DataRequired()])
    vehicle_number = StringField(_l("Vehicle or wagon number"), validators=[Optional(), Length(max=40)])
    container_number = StringField(_l("Container number"), validators=[Optional(), Length(max=40)])
    seal_number = StringField(_l("Seal number"), validators=[Optional(), Length(max=40)])
    #: Several vehicles, wagons or containers, one a line with their seals (instead of the
    #: three single fields above).
    vehicles = TextAreaField(
        _l("Several vehicles, wagons or containers"), validators=[Optional(), Length(max=4000)]
    )
    carrier = StringField(_l("Carrier"), validators=[Optional(), Length(max=200)])
    planned_departure = StringField(_l("Planned departure"), validators=[Optional(), Length(max=40)])
    utc_offset = SelectField(_l("Time zone"), choices=UTC_OFFSETS, default="+05:00")


class EventForm(FlaskForm):
    type = SelectField(_l("Milestone"), choices=[(t, t) for t in EVENT_TYPES], validators=[DataRequired()])
    reason = SelectField(
        _l("Exception reason"),
        choices=[("", "—")] + [(r, r) for r in EXCEPTION_REASONS],
        validate_choice=False,
    )
    occurred_at = StringField(_l("When"), validators=[DataRequired(), Length(max=40)])
    utc_offset = SelectField(_l("Time zone"), choices=UTC_OFFSETS, default="+05:00")
    place = SelectField(_l("Place on the route"), choices=[], validate_choice=False)
    location_name = StringField(_l("Place"), validators=[Optional(), Length(max=200)])
    lat = StringField(_l("Latitude"), validators=[Optional(), Length(max=20)])
    lon = StringField(_l("Longitude"), validators=[Optional(), Length(max=20)])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=4000)])
    attachment = FileField(_l("Photo or PDF"))
    new_vehicles = TextAreaField(
        _l("New wagons or vehicles after transloading"), validators=[Optional(), Length(max=2000)]
    )
    #: A fresh id per form: a double tap or a resent form records the event once.
    event_id = StringField(validators=[Optional(), Length(max=100)])


class DocumentForm(FlaskForm):
    kind = SelectField(_l("Document"), validators=[DataRequired()])
    number = StringField(_l("Number"), validators=[Optional(), Length(max=100)])
    order_id = SelectField(_l("For"), validators=[Optional()])
    file = FileField(_l("File (PDF or image)"))


class WebhookForm(FlaskForm):
    url = StringField(_l("Webhook URL"), validators=[DataRequired(), URL(require_tld=False), Length(max=500)])
    active = BooleanField(_l("Send events"), default=True)


class PlainForm(FlaskForm):
    """A CSRF token only (buttons such as rotate, delete)."""
