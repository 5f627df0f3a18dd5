"""Operator console and settings forms (Flask-WTF: CSRF on every post)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import URL, DataRequired, Length, Optional

from core.forms import ZonedDateTimeField
from core.timezones import user_zone, zone_choices
from logistics.rules import DESTINATION_PLACE, EVENT_TYPES, EXCEPTION_REASONS, MODES, ORIGIN_PLACE


def _zones():
    """The zones along the route, named in the reader's language (``Екатеринбург, UTC+5``)."""
    return zone_choices()


def _event_zones():
    return [(ZonedDateTimeField.PLACE_CLOCK, str(_l("The chosen place's own clock")))] + zone_choices()


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
    #: Gazetteer places (choices set by the view: the reader's language); the free text beside
    #: each is an optional detail (a yard, a gate).
    origin_place = SelectField(_l("Origin"), validators=[DataRequired()], default=ORIGIN_PLACE)
    origin = StringField(_l("Origin detail"), validators=[Optional(), Length(max=120)])
    destination_place = SelectField(_l("Destination"), validators=[DataRequired()], default=DESTINATION_PLACE)
    destination = StringField(_l("Destination detail"), validators=[Optional(), Length(max=200)])
    planned_departure = ZonedDateTimeField(_l("Planned departure"), validators=[Optional()])
    #: The zone the planned departure is read in (the reader's by default).
    time_zone = SelectField(_l("Time zone"), choices=_zones, default=user_zone)


class EventForm(FlaskForm):
    type = SelectField(_l("Milestone"), choices=[(t, t) for t in EVENT_TYPES], validators=[DataRequired()])
    reason = SelectField(
        _l("Exception reason"),
        choices=[("", "—")] + [(r, r) for r in EXCEPTION_REASONS],
        validate_choice=False,
    )
    occurred_at = ZonedDateTimeField(_l("When"), validators=[DataRequired()])
    #: The zone "When" is read in: the reader's by default, or the chosen place's own clock.
    time_zone = SelectField(_l("Time zone"), choices=_event_zones, default=user_zone)
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


#: A logger's clock: the offsets along the route (no "place's own clock": a file has no place).
LOGGER_OFFSETS = (
    ("+05:00", _l("Chelyabinsk (UTC+5)")),
    ("+09:00", _l("Zabaikalsk, Blagoveshchensk (UTC+9)")),
    ("+10:00", _l("Nizhneleninskoye, Pogranichny (UTC+10)")),
    ("+08:00", _l("China (UTC+8)")),
    ("+00:00", "UTC"),
)


class LoggerUploadForm(FlaskForm):
    file = FileField(_l("Logger export (CSV: time and °C)"))
    sensor_id = StringField(
        _l("Logger or sensor id"), default="logger-1", validators=[DataRequired(), Length(max=64)]
    )
    utc_offset = SelectField(_l("The logger clock's time zone"), choices=LOGGER_OFFSETS, default="+05:00")


class LoggerConfirmForm(FlaskForm):
    token = HiddenField(validators=[DataRequired()])
    sensor_id = HiddenField(validators=[DataRequired()])
    utc_offset = HiddenField(validators=[DataRequired()])
