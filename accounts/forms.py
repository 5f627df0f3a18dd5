"""Account forms (Flask-WTF: CSRF on every one)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from core.i18n import HTML_LANG, LANGUAGE_NAMES
from core.timezones import zone_choices

#: Each language named in itself, tagged with its language.
LANGUAGE_CHOICES = [(code, name, {"lang": HTML_LANG[code]}) for code, name in LANGUAGE_NAMES.items()]


class RegisterForm(FlaskForm):
    role = SelectField(
        _l("I am"), choices=[("buyer", _l("a wholesale buyer")), ("farmer", _l("a farmer or food producer"))]
    )
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)])
    company = StringField(_l("Company"), validators=[Optional(), Length(max=200)])
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
    )
    submit = SubmitField(_l("Create account"))


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    next = HiddenField()
    submit = SubmitField(_l("Log in"))


class ProfileForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)])
    company = StringField(_l("Company"), validators=[Optional(), Length(max=200)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    time_zone = SelectField(_l("Time zone"), choices=zone_choices)
    submit = SubmitField(_l("Save"))


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[DataRequired()])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords do not match."))],
    )
    submit = SubmitField(_l("Change password"))


class AdminCreateUserForm(FlaskForm):
    role = SelectField(
        _l("Role"),
        choices=[
            ("operator", _l("Logistics operator")),
            ("admin", _l("Administrator")),
            ("buyer", _l("Buyer")),
            ("farmer", _l("Farmer")),
        ],
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    company = StringField(_l("Company"), validators=[Optional(), Length(max=200)])
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    password = PasswordField(_l("Initial password"), validators=[DataRequired()])
    submit = SubmitField(_l("Create user"))


class ConfirmForm(FlaskForm):
    """A bare form for POST buttons: carries the CSRF token."""

    submit = SubmitField(_l("Confirm"))


class CompanyForm(FlaskForm):
    """A buyer's company, the importer of record (checked by accounts.company)."""

    name_zh = StringField(_l("Company name in Chinese"), validators=[Optional(), Length(max=200)])
    name_en = StringField(_l("Company name in English"), validators=[Optional(), Length(max=200)])
    uscc = StringField(_l("Unified Social Credit Code"), validators=[Optional(), Length(max=40)])
    customs_code = StringField(_l("Customs registration code"), validators=[Optional(), Length(max=40)])
    address_zh = StringField(_l("Legal address in Chinese"), validators=[Optional(), Length(max=300)])
    address_en = StringField(_l("Legal address in English"), validators=[Optional(), Length(max=300)])
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=120)])
    contact_phone = StringField(_l("Contact phone"), validators=[Optional(), Length(max=40)])
    contact_email = EmailField(_l("Contact e-mail"), validators=[Optional(), Length(max=254)])
    submit = SubmitField(_l("Save"))

    COLUMNS = (
        "name_zh",
        "name_en",
        "uscc",
        "customs_code",
        "address_zh",
        "address_en",
        "contact_name",
        "contact_phone",
        "contact_email",
    )

    def to_values(self) -> dict:
        return {column: getattr(self, column).data or "" for column in self.COLUMNS}
