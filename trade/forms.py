"""Admin forms: a row of the tariff book, a freight tariff leg, a tariff CSV to import."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from catalog.incoterms import INCOTERMS
from trade.models import TRANSPORT_MODES

MODE_CHOICES = [("road", _l("Road")), ("rail", _l("Rail")), ("multimodal", _l("Multimodal"))]
assert {code for code, _ in MODE_CHOICES} == set(TRANSPORT_MODES)


#: 4 to 10 ASCII digits ([0-9]: Python's \d would take any script's digits).
CODE_DIGITS = r"^[0-9]{4,10}$"


def _percent(label, high=100, required=False):
    first = InputRequired() if required else Optional()
    return DecimalField(label, places=3, validators=[first, NumberRange(0, high)])


class DutyRateForm(FlaskForm):
    """A row of the tariff book (matched on code and first day)."""

    hs_prefix = StringField(_l("Tariff code or prefix"), validators=[DataRequired(), Regexp(CODE_DIGITS)])
    note = StringField(_l("Description"), validators=[Optional(), Length(max=2000)])
    duty_percent = _percent(_l("MFN duty, %"), required=True)
    provisional_percent = _percent(_l("Provisional duty, %"))
    provisional_from = DateField(_l("Provisional from"), validators=[Optional()])
    provisional_to = DateField(_l("Provisional to"), validators=[Optional()])
    quota_in_percent = _percent(_l("In quota, %"))
    quota_out_percent = _percent(_l("Out of quota, %"))
    vat_percent = _percent(_l("VAT, %"), high=30, required=True)
    effective_from = DateField(_l("In force from"), validators=[DataRequired()])
    effective_to = DateField(_l("In force to"), validators=[Optional()])
    source = StringField(_l("Source (document and date)"), validators=[DataRequired(), Length(max=300)])
    confirmed = BooleanField(_l("Confirmed"))

    def to_row(self) -> dict:
        return {
            "code": self.hs_prefix.data,
            "description": self.note.data,
            "mfn_percent": self.duty_percent.data,
            **{
                name: getattr(self, name).data
                for name in (
                    "provisional_percent",
                    "provisional_from",
                    "provisional_to",
                    "quota_in_percent",
                    "quota_out_percent",
                    "vat_percent",
                    "effective_from",
                    "effective_to",
                    "source",
                    "confirmed",
                )
            },
        }


#: Service field → form field, to show the tariff book's messages by the right input.
DUTY_FIELD_MAP = {"code": "hs_prefix", "mfn_percent": "duty_percent", "description": "note"}


class TariffImportForm(FlaskForm):
    file = FileField(_l("Tariff CSV"), validators=[DataRequired()])


class TariffForm(FlaskForm):
    mode = SelectField(_l("Mode of transport"), choices=MODE_CHOICES)
    border_crossing = SelectField(_l("Border crossing"), choices=[])
    leg = SelectField(
        _l("Leg"),
        choices=[
            ("russia", _l("Russian leg: origin → border")),
            ("china", _l("Chinese leg: border → Harbin")),
        ],
    )
    cny_per_kg = DecimalField(_l("CNY per kg"), places=4, validators=[DataRequired()])
    min_charge_cny = DecimalField(
        _l("Minimum per truck, wagon or container, CNY"),
        places=2,
        validators=[InputRequired(), NumberRange(0)],
    )
    unit_capacity_kg = DecimalField(
        _l("One unit carries, kg"), places=1, validators=[DataRequired(), NumberRange(1, 200000)]
    )
    reefer_surcharge_percent = DecimalField(
        _l("Refrigerated surcharge, %"), places=3, validators=[InputRequired(), NumberRange(0, 100)]
    )
    transit_days = IntegerField(_l("Days on this leg"), validators=[DataRequired(), NumberRange(1, 90)])
    unconfirmed = BooleanField(_l("Unconfirmed"))
    note = StringField(_l("Note"), validators=[Optional(), Length(max=300)])


class ContractForm(FlaskForm):
    """The export contract as the parties signed it (checked by trade.contracts)."""

    number = StringField(_l("Contract number"), validators=[DataRequired(), Length(max=40)])
    signed_on = DateField(_l("Contract date"), validators=[DataRequired()])
    payment_terms = TextAreaField(_l("Payment terms"), validators=[Optional(), Length(max=300)])
    incoterm = SelectField(_l("Incoterms 2020"), choices=[(term, term) for term in INCOTERMS])
    named_place = StringField(_l("Named place"), validators=[Optional(), Length(max=200)])

    FIELDS = ("number", "signed_on", "payment_terms", "incoterm", "named_place")

    def to_data(self) -> dict:
        return {name: getattr(self, name).data for name in self.FIELDS}
