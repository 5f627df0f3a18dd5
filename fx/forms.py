"""Admin form: an exchange rate entered by hand."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, DecimalField, IntegerField, StringField
from wtforms.validators import DataRequired, NumberRange, Regexp


class ExchangeRateForm(FlaskForm):
    currency = StringField(
        _l("Currency"), default="CNY", validators=[DataRequired(), Regexp(r"^[A-Za-z]{3}$")]
    )
    rate_date = DateField(_l("Date"), validators=[DataRequired()])
    nominal = IntegerField(
        _l("Nominal"), default=1, validators=[DataRequired(), NumberRange(min=1, max=1000000)]
    )
    value = DecimalField(_l("Roubles per nominal"), places=6, validators=[DataRequired()])
    replace = BooleanField(_l("Replace the rate of that day if there is one"))
