"""Admin forms: a duty/VAT rate, a freight tariff."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DecimalField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from trade.models import TRANSPORT_MODES

MODE_CHOICES = [("road", _l("Road")), ("rail", _l("Rail")), ("multimodal", _l("Multimodal"))]
assert {code for code, _ in MODE_CHOICES} == set(TRANSPORT_MODES)


class DutyRateForm(FlaskForm):
    hs_prefix = StringField(_l("HS prefix"), validators=[DataRequired(), Regexp(r"^[0-9]{4,10}$")])
    duty_percent = DecimalField(_l("Duty, %"), places=3, validators=[InputRequired(), NumberRange(0, 100)])
    vat_percent = DecimalField(_l("VAT, %"), places=3, validators=[InputRequired(), NumberRange(0, 30)])
    unconfirmed = BooleanField(_l("Unconfirmed"))
    note = StringField(_l("Note"), validators=[Optional(), Length(max=2000)])


class TariffForm(FlaskForm):
    mode = SelectField(_l("Mode of transport"), choices=MODE_CHOICES)
    border_crossing = SelectField(_l("Border crossing"), choices=[])
    cny_per_kg = DecimalField(_l("CNY per kg"), places=4, validators=[DataRequired()])
    unconfirmed = BooleanField(_l("Unconfirmed"))
    note = StringField(_l("Note"), validators=[Optional(), Length(max=300)])
