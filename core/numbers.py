"""Numbers typed into pages, read in the page's language: "1,5" in Russian, "1.5" in Chinese
and English; "7 800,00" and "7,800.00" with the language's own grouping.

Only ASCII digits, the language's decimal sign and (in groups of three) its grouping sign are
accepted: an exponent (``1e3``), a sign, other scripts' digits (``١``, ``５``) or the other
language's decimal sign are refused, so what is stored is what the person read on the page.
The API keeps its own format (decimal strings with a dot) and does not come through here.
"""

import re
from decimal import Decimal, InvalidOperation

from babel.numbers import get_decimal_symbol, get_group_symbol
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import StringField

#: Spaces people type or copy between thousands in Russian (the page shows a no-break space).
_SPACES = " \u00a0\u202f"


class LocalNumberError(ValueError):
    """The text is not a number in the page's format; ``message`` says what to type."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _symbols(locale) -> tuple[str, str]:
    locale = locale or get_locale() or "en"
    return get_decimal_symbol(locale), get_group_symbol(locale)


def number_pattern(locale=None) -> re.Pattern:
    decimal, group = _symbols(locale)
    groups = f"[{re.escape(_SPACES)}]" if group.isspace() else re.escape(group)
    return re.compile(rf"(?:[0-9]+|[0-9]{{1,3}}(?:{groups}[0-9]{{3}})+)(?:{re.escape(decimal)}[0-9]+)?")


def example(locale=None) -> str:
    decimal, _group = _symbols(locale)
    return f"1250{decimal}5"


def parse_local_decimal(text, locale=None) -> Decimal:
    """``text`` as the page's language writes a number → Decimal.

    :raise LocalNumberError: anything else (message names the expected form)
    """
    decimal, group = _symbols(locale)
    value = str(text if text is not None else "").strip()
    if not number_pattern(locale).fullmatch(value):
        raise LocalNumberError(_l("Enter a number like %(example)s.", example=example(locale)))
    for sign in _SPACES if group.isspace() else group:
        value = value.replace(sign, "")
    try:
        return Decimal(value.replace(decimal, "."))
    except InvalidOperation:  # pragma: no cover - the pattern admits digits only
        raise LocalNumberError(_l("Enter a number like %(example)s.", example=example(locale))) from None


def input_number(value, locale=None) -> str:
    """A number for a form field in the page's language: no grouping, no trailing zeros
    (``12,5`` in Russian, ``12.5`` otherwise)."""
    decimal, _group = _symbols(locale)
    return format(Decimal(str(value)).normalize(), "f").replace(".", decimal)


class LocalDecimalField(StringField):
    """A WTForms field for a number typed on a page: read with :func:`parse_local_decimal`
    (the page's language, nothing else), shown back the same way. ``.data`` is a Decimal or None."""

    def __init__(self, label=None, validators=None, places: int | None = None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.places = places

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return input_number(self.data) if self.data is not None else ""

    def process_formdata(self, valuelist):
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        try:
            self.data = parse_local_decimal(valuelist[0])
        except LocalNumberError as exc:
            self.data = None
            raise ValueError(str(exc.message)) from None
        if self.places is not None and -self.data.normalize().as_tuple().exponent > self.places:
            self.data = None
            raise ValueError(str(_l("At most %(places)d decimal places.", places=self.places)))


#: What a money amount on our pages may carry around the number (format_currency's output).
_CURRENCY_MARKS = re.compile(r"^(?:CN¥|CNY|¥|￥|RUB|₽)?\s*(.*?)\s*(?:CN¥|CNY|¥|￥|元|RUB|₽|руб\.?)?$")


def parse_local_money(text, locale=None) -> Decimal:
    """An amount as the page shows it, currency sign or code included ("7 800,00 ¥" in
    Russian, "CN¥7,800.00" in English) → Decimal with at most two decimals.

    :raise LocalNumberError: anything else
    """
    value = str(text if text is not None else "").strip()
    match = _CURRENCY_MARKS.match(value)
    amount = parse_local_decimal(match.group(1) if match else value, locale)
    if -amount.normalize().as_tuple().exponent > 2:
        raise LocalNumberError(_l("At most %(places)d decimal places.", places=2))
    return amount
