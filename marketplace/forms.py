"""Marketplace forms (Flask-WTF)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from core.numbers import LocalDecimalField
from marketplace.models import DEFAULT_NAMED_PLACE, INCOTERMS

INCOTERM_CHOICES = [(code, code) for code in INCOTERMS]
QUOTA_LABELS = {
    "in": _l("In quota (import quota certificate)"),
    "out": _l("Out of quota"),
    "unknown": _l("Not known yet"),
}
QUOTA_CHOICES = [
    ("", _l("My standing answer")),
    ("in", _l("In quota (I hold an import quota certificate)")),
    ("out", _l("Out of quota")),
    ("unknown", _l("Not known yet")),
]


class AddToCartForm(FlaskForm):
    product_id = HiddenField(validators=[DataRequired()])
    quantity = StringField(_l("Quantity"), validators=[DataRequired(), Length(max=20)])
    next = HiddenField()


class CartQuantityForm(FlaskForm):
    quantity = StringField(_l("Quantity"), validators=[DataRequired(), Length(max=20)])


class CheckoutForm(FlaskForm):
    #: Empty: the order takes the basis the goods are priced on.
    incoterm = SelectField(
        _l("Incoterm"),
        choices=[("", _l("As priced (the goods' price basis)")), *INCOTERM_CHOICES],
        default="",
    )
    named_place = StringField(_l("Named place"), validators=[Length(max=200)])
    quota = SelectField(_l("Tariff-rate quota"), choices=QUOTA_CHOICES, default="")
    delivery_contact = StringField(_l("Delivery contact"), validators=[Optional(), Length(max=300)])
    buyer_reference = StringField(_l("Your reference / PO number"), validators=[Optional(), Length(max=100)])
    note = TextAreaField(_l("Note to the producer"), validators=[Optional(), Length(max=4000)])


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)])


class ResolveForm(FlaskForm):
    resolution = SelectField(
        _l("Resolution"),
        choices=[
            ("release", _l("Release the payment to the producer")),
            ("partial_refund", _l("Refund part of the payment")),
            ("full_refund", _l("Refund the whole payment")),
        ],
    )
    refund_amount = LocalDecimalField(
        _l("Refund amount (CNY)"), places=2, validators=[Optional(), NumberRange(min=0)]
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])


class RfqForm(FlaskForm):
    product_id = HiddenField()
    producer_id = HiddenField()
    category = SelectField(_l("Category"), validators=[Optional()])
    description = TextAreaField(_l("What do you need?"), validators=[DataRequired(), Length(max=4000)])
    quantity = LocalDecimalField(
        _l("Quantity"), places=3, validators=[InputRequired(), NumberRange(min=0.001)]
    )
    unit = SelectField(_l("Unit"))
    target_price = LocalDecimalField(
        _l("Target price per unit (CNY)"), places=2, validators=[Optional(), NumberRange(min=0.01)]
    )
    incoterm = SelectField(_l("Incoterm"), choices=INCOTERM_CHOICES, default="DAP")
    named_place = StringField(_l("Named place"), default=DEFAULT_NAMED_PLACE, validators=[Length(max=200)])
    deadline = DateField(_l("Answer by"), validators=[DataRequired()])


class QuoteForm(FlaskForm):
    product_id = SelectField(_l("Product"), coerce=int)
    unit_price = LocalDecimalField(
        _l("Unit price (CNY)"), places=2, validators=[InputRequired(), NumberRange(min=0.01)]
    )
    valid_until = DateField(_l("Valid until"), validators=[DataRequired()])
    lead_time_days = IntegerField(
        _l("Lead time (days)"), default=0, validators=[Optional(), NumberRange(0, 365)]
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
