"""Quantities, reasons and free text in the reader's language: one spelling per unit, plural
forms by Babel's rules, system reasons translated, other text tagged with its language."""

from decimal import Decimal

import pytest
from flask_babel import force_locale

from catalog.data import quantity_text
from core.i18n import original
from marketplace.reasons import reason_label


@pytest.mark.parametrize(
    ("language", "value", "unit", "expected"),
    [
        ("ru", "20", "bag", "20 мешков"),
        ("ru", "21", "bag", "21 мешок"),
        ("ru", "3", "bag", "3 мешка"),
        ("ru", "2.5", "tonne", "2,5 т"),
        ("zh", "20", "bag", "20 袋"),
        ("zh", "500", "kg", "500 千克"),
        ("zh", "20", "tonne", "20 吨"),
        ("en", "20", "tonne", "20 tonnes"),
        ("en", "1", "bag", "1 bag"),
        ("ru", "1250.5", "kg", "1\xa0250,5 кг"),
    ],
)
def test_quantities_take_the_locale_plural(app, language, value, unit, expected):
    with app.test_request_context(), force_locale(language):
        assert quantity_text(Decimal(value), unit) == expected


def test_no_catalogue_spells_kilogram_as_gongjin():
    from pathlib import Path

    for path in Path(__file__).resolve().parents[2].glob("**/translations/zh/LC_MESSAGES/messages.po"):
        assert "公斤" not in path.read_text(encoding="utf-8"), path


def test_system_reasons_translate_and_free_text_is_tagged(app):
    with app.test_request_context(), force_locale("zh"):
        assert str(reason_label("bank transfer received")) == "已收到银行转账"
        assert str(reason_label("shipment AB12CD34")) == "货运 AB12CD34"
        tagged = str(original("Rosaccreditation / CNCA body"))
        assert 'lang="en"' in tagged and "英文" in tagged
        assert str(original("荞麦")) == "荞麦"
    with app.test_request_context(), force_locale("ru"):
        assert str(reason_label("bank transfer received")) == "получен банковский перевод"
