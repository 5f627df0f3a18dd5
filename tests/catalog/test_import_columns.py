"""The import's report names the file's column of every error (``price_tiers``, ``name_zh``,
``storage_temp_min_c``…), never the API's field (``price_tiers.0.unit_price``, ``name.zh``),
with its message in the farmer's language; one bad row still imports nothing."""

import pytest
from flask_babel import force_locale, gettext

from catalog.transfer import COLUMNS
from core.extensions import db
from tests import factories
from tests.catalog.test_import_packaging import _csv, _errors, _farmer
from tests.catalog.test_transfer import _count, _row, _upload

TIER_NUMBER = 'Enter a number as a string, e.g. "12.50".'

CASES = [
    (
        {"price_tiers": "50=abc; 500=72.00"},
        "price_tiers",
        "Tier %(n)d: %(message)s",
        {"n": 1, "message": TIER_NUMBER},
    ),
    (
        {"price_tiers": "50=80.00; 500=7.001"},
        "price_tiers",
        "Tier %(n)d: %(message)s",
        {"n": 2, "message": ("At most %(places)d decimal places.", {"places": 2})},
    ),
    ({"price_tiers": "50=80; 10=90"}, "price_tiers", "Tier quantities must strictly increase.", {}),
    (
        {"price_tiers": ""},
        "price_tiers",
        "Give 1 to %(n)s price tiers as quantity=price, separated by semicolons (50=12.50; 500=11.00).",
        {"n": "10"},
    ),
    ({"name_zh": "名" * 201}, "name_zh", "At most %(n)d characters.", {"n": 200}),
    ({"description_ru": "о" * 5001}, "description_ru", "At most %(n)d characters.", {"n": 5000}),
    (
        {"name_zh": "", "name_ru": "", "name_en": ""},
        "name_zh, name_ru, name_en",
        "Give the product a name in at least one language.",
        {},
    ),
    ({"hs_code": "12"}, "hs_code", "An HS code has 6 to 10 digits.", {}),
    ({"category": ""}, "category", "Fill in this column, at most %(n)s characters.", {"n": "32"}),
    (
        {"unit": "bucket"},
        "unit",
        "Write one of: %(choices)s.",
        {"choices": "kg, tonne, litre, piece, bag, box, pallet"},
    ),
    ({"storage_temp_min_c": "cold"}, "storage_temp_min_c", "Enter a whole number.", {}),
    (
        {"storage_temp_min_c": "10", "storage_temp_max_c": "2"},
        "storage_temp_min_c, storage_temp_max_c",
        "The lowest storage temperature is above the highest.",
        {},
    ),
    (
        {"shelf_life_days": "9999"},
        "shelf_life_days",
        "Enter a number from %(low)s to %(high)s.",
        {"low": "1", "high": "3650"},
    ),
    ({"status": "gone"}, "status", "Write one of: %(choices)s.", {"choices": "draft, active, archived"}),
    ({"origin": "o" * 201}, "origin", "At most %(n)d characters.", {"n": 200}),
]


def _said(app, language, message, values):
    """``message`` as the farmer reads it (a tier's message is translated inside it)."""
    with app.test_request_context(), force_locale(language):
        if "message" in values:
            inner, inner_args = (
                values["message"] if isinstance(values["message"], tuple) else (values["message"], {})
            )
            values = {**values, "message": gettext(inner, **inner_args)}
        return gettext(message, **values)


@pytest.mark.parametrize("language", ["en", "ru", "zh"])
@pytest.mark.parametrize(("values", "column", "message", "args"), CASES)
def test_an_error_names_the_files_column_in_the_farmers_language(
    app, client, language, values, column, message, args
):
    _farmer(client, language)
    response = _upload(client, _csv([_row(), _row(**values)]), "p.csv")
    assert response.status_code == 422
    errors = _errors(response)
    assert errors == [(3, column, _said(app, language, message, args))]
    assert _count() == 0


def test_every_error_of_a_file_names_a_column_of_the_file(client):
    """Whatever is wrong, the report's column is one the farmer can find in the file."""
    _farmer(client)
    rows = [_row(**values) for values, *_ in CASES] + [_row(id="999999"), _row(net_weight_kg="heavy")]
    response = _upload(client, _csv(rows), "p.csv")
    errors = _errors(response)
    assert {row for row, _, _ in errors} == set(range(2, len(rows) + 2))
    for row, column, message in errors:
        assert column and all(name in COLUMNS for name in column.split(", ")), (row, column, message)
    assert _count() == 0


def test_the_translations_are_not_english(app):
    for language in ("ru", "zh"):
        for _, _, message, args in CASES:
            if message.startswith(("Tier %", "Give 1 to", "Write one", "Enter a number from", "Fill in")):
                assert _said(app, language, message, args) != _said(app, "en", message, args), message


def test_a_background_import_names_the_columns_in_the_farmers_language(app):
    from catalog.models import ImportJob
    from catalog.transfer import run_import_job
    from catalog.uploads import key
    from core.uploads import storage

    producer = factories.ProducerFactory()
    producer.owner.language = "zh"
    storage().save(_csv([_row(), _row(price_tiers="50=abc")]), key("imports", "tiers.csv"))
    job = ImportJob(
        user_id=producer.owner.id, file_name="tiers.csv", original_name="tiers.csv", rows_total=2, errors=[]
    )
    db.session.add(job)
    db.session.commit()
    assert run_import_job(job.id) == "done"
    db.session.refresh(job)
    expected = _said(app, "zh", "Tier %(n)d: %(message)s", {"n": 1, "message": TIER_NUMBER})
    assert job.errors == [[3, "price_tiers", expected]] and expected.startswith("第 1 档")
    assert _count() == 0


def test_publishing_before_verification_names_the_status_column(client):
    producer = _farmer(client)
    producer.status = "pending"
    db.session.commit()
    response = _upload(client, _csv([_row(status="active")]), "p.csv")
    ((row, column, _),) = _errors(response)
    assert (row, column) == (2, "status") and _count() == 0
