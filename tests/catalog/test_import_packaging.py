"""The package in bulk import and export: optional columns (files without them still import
and leave packages alone), the product form's rules with a per-row report naming the column
in the reader's language, kind names in zh/ru, and export → import keeping the package."""

import csv
import html
import io
import re
from decimal import Decimal

import pytest
from flask_babel import force_locale, gettext
from openpyxl import Workbook
from sqlalchemy import select

from catalog.models import Product
from catalog.transfer import COLUMNS, PACKAGE_COLUMNS
from core.extensions import db
from tests import factories
from tests.catalog.test_transfer import _count, _row, _upload

D = Decimal
#: The columns of a file made before the package had its own.
OLD_COLUMNS = [c for c in COLUMNS if c not in PACKAGE_COLUMNS]
PACKAGE_FIELDS = (
    "package_kind",
    "package_size",
    "package_size_unit",
    "units_per_package",
    "package_tare_kg",
    "packages_per_pallet",
)


def _csv(rows, columns=COLUMNS):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", restval="")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx(rows, columns=COLUMNS):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(columns)
    for row in rows:
        sheet.append([row.get(c, "") for c in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _errors(response) -> list[tuple[int, str, str]]:
    """The report's rows: (row, column, message)."""
    found = re.findall(
        r"<tr><td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", response.get_data(as_text=True)
    )
    return [(int(row), column, html.unescape(message)) for row, column, message in found]


def _package(product) -> tuple:
    db.session.refresh(product)
    return tuple(getattr(product, name) for name in PACKAGE_FIELDS)


def _farmer(client, language="en"):
    producer = factories.ProducerFactory()
    producer.owner.language = language
    db.session.commit()
    client.login(producer.owner)
    return producer


def test_a_file_with_the_old_columns_still_imports_and_keeps_packages(client):
    producer = _farmer(client)
    packed = factories.ProductFactory(
        producer=producer,
        package_kind="bag",
        package_size=D("25"),
        package_size_unit="kg",
        units_per_package=D("25"),
        package_tare_kg=D("0.2"),
        packages_per_pallet=40,
    )
    before = _package(packed)
    rows = [_row(), _row(id=str(packed.id), name_en="Renamed groats")]
    response = _upload(client, _csv(rows, OLD_COLUMNS), "old.csv")
    assert response.status_code == 302, _errors(response)
    assert _package(packed) == before and packed.name_en == "Renamed groats"
    created = db.session.scalars(select(Product).where(Product.id != packed.id)).one()
    assert _package(created) == (None,) * 6


@pytest.mark.parametrize("make", [_csv, _xlsx])
def test_package_columns_create_the_package(client, make):
    _farmer(client)
    rows = [
        _row(name_en="Honey in jars", package_kind="jar", package_size="0,5", package_size_unit="kg"),
        _row(
            name_en="Honey in drums",
            package_kind="drum",
            package_size="300",
            package_size_unit="kg",
            package_tare_kg="12.5",
            packages_per_pallet="4",
        ),
        _row(
            name_en="Honey sold by the drum",
            unit="piece",
            package_kind="drum",
            units_per_package="1",
            net_weight_kg="300",
            price_tiers="1=24000",
        ),
        _row(name_en="Honey loose", package_kind="bulk", package_size="", package_size_unit=""),
        _row(name_en="Honey, no package"),
    ]
    response = _upload(client, make(rows), "p." + ("csv" if make is _csv else "xlsx"))
    assert response.status_code == 302, _errors(response)
    products = {p.name_en: p for p in db.session.scalars(select(Product))}
    assert _package(products["Honey in jars"]) == ("jar", D("0.5"), "kg", D("0.5"), None, None)
    assert _package(products["Honey in drums"]) == ("drum", D("300"), "kg", D("300"), D("12.5"), 4)
    assert _package(products["Honey sold by the drum"]) == ("drum", None, None, D("1"), None, None)
    assert _package(products["Honey loose"]) == ("bulk", None, None, None, None, None)
    assert _package(products["Honey, no package"]) == (None,) * 6


def test_xlsx_numbers_in_package_cells(client):
    """A spreadsheet stores 25 and 0.5 as numbers, and a count may come back as 40.0."""
    _farmer(client)
    row = _row(package_kind="bag", package_size=0.5, package_size_unit="kg", packages_per_pallet=40.0)
    response = _upload(client, _xlsx([row]), "p.xlsx")
    assert response.status_code == 302, _errors(response)
    product = db.session.scalars(select(Product)).one()
    assert _package(product) == ("bag", D("0.5"), "kg", D("0.5"), None, 40)


@pytest.mark.parametrize(
    ("written", "kind"),
    [
        ("袋", "bag"),
        ("мешки", "bag"),
        ("吨袋", "big_bag"),
        ("Биг-бэги", "big_bag"),
        ("наливом", "bulk"),
        ("BIG_BAG", "big_bag"),
        ("cartons", "carton"),
        ("真空包装", "vacuum_pack"),
    ],
)
def test_a_kind_may_be_written_as_its_name_in_zh_or_ru(client, written, kind):
    _farmer(client)
    size = ("", "") if kind == "bulk" else ("1", "kg")
    row = _row(package_kind=written, package_size=size[0], package_size_unit=size[1])
    response = _upload(client, _csv([row]), "p.csv")
    assert response.status_code == 302, _errors(response)
    assert db.session.scalars(select(Product)).one().package_kind == kind


BAD = [
    (
        {"package_kind": "sack", "package_size": "25", "package_size_unit": "kg"},
        "package_kind",
        "Unknown kind of package.",
    ),
    (
        {"package_kind": "bag", "package_size": "-5", "package_size_unit": "kg"},
        "package_size",
        "A package's size is above zero and at most 100,000.",
    ),
    (
        {"package_kind": "bag", "package_size": "0", "package_size_unit": "kg"},
        "package_size",
        "A package's size is above zero and at most 100,000.",
    ),
    (
        {"package_kind": "bag", "package_size": "25", "package_size_unit": "g"},
        "package_size_unit",
        "A package's size is given in kg, tonnes or litres.",
    ),
    (
        {"package_kind": "bag", "package_size": "25", "package_size_unit": ""},
        "package_size_unit",
        "A package's size is given in kg, tonnes or litres.",
    ),
    ({"package_size": "25", "package_size_unit": "kg"}, "package_kind", "Choose the kind of package."),
    (
        {"package_kind": "bag", "package_size": "25 kg", "package_size_unit": "kg"},
        "package_size",
        'Enter a number as a string, e.g. "12.50".',
    ),
    (
        {"package_kind": "bag", "package_size": "0.0005", "package_size_unit": "kg"},
        "package_size",
        "At most 3 decimal places.",
    ),
    (
        {"package_kind": "bag", "units_per_package": "0"},
        "units_per_package",
        "How many units of sale one package holds (above zero).",
    ),
    (
        {"package_kind": "bag", "package_size": "1", "package_size_unit": "kg", "package_tare_kg": "-1"},
        "package_tare_kg",
        "The tare cannot be negative.",
    ),
    (
        {"package_kind": "bag", "package_size": "1", "package_size_unit": "kg", "packages_per_pallet": "2.5"},
        "packages_per_pallet",
        "Enter a whole number.",
    ),
    (
        {"package_kind": "bag", "package_size": "1", "package_size_unit": "kg", "packages_per_pallet": "0"},
        "packages_per_pallet",
        "Must be greater than zero.",
    ),
]


@pytest.mark.parametrize(("values", "column", "message"), BAD)
def test_a_bad_package_names_row_and_column_and_imports_nothing(client, values, column, message):
    _farmer(client)
    rows = [_row(package_kind="bag", package_size="25", package_size_unit="kg"), _row(**values)]
    response = _upload(client, _csv(rows), "p.csv")
    assert response.status_code == 422
    errors = _errors(response)
    # The mistake is named; a size that is wrong also leaves the units it would give unknown.
    assert (3, column, message) in errors and {row for row, _, _ in errors} == {3}
    assert _count() == 0


@pytest.mark.parametrize("language", ["ru", "zh"])
def test_the_report_is_in_the_readers_language(app, client, language):
    _farmer(client, language)
    rows = [_row(package_kind="мешок", package_size="-1", package_size_unit="kg")]
    response = _upload(client, _csv(rows), "p.csv")
    with app.test_request_context(), force_locale(language):
        expected = [
            (2, "package_kind", gettext("Unknown kind of package.")),
            (2, "package_size", gettext("A package's size is above zero and at most 100,000.")),
        ]
    assert expected[0][2] != "Unknown kind of package."  # translated
    errors = _errors(response)
    assert response.status_code == 422 and set(expected) <= set(errors)
    assert _count() == 0


def test_a_background_import_reports_in_the_farmers_language(app):
    """A big file is checked by a job, outside any request: its report is still written in
    the language of the farmer who uploaded it."""
    from catalog.models import ImportJob
    from catalog.transfer import run_import_job
    from catalog.uploads import key
    from core.uploads import storage

    producer = factories.ProducerFactory()
    producer.owner.language = "ru"
    rows = [_row(), _row(package_kind="sack", package_size="1", package_size_unit="kg")]
    storage().save(_csv(rows), key("imports", "big.csv"))
    job = ImportJob(
        user_id=producer.owner.id, file_name="big.csv", original_name="big.csv", rows_total=2, errors=[]
    )
    db.session.add(job)
    db.session.commit()
    assert run_import_job(job.id) == "done"
    db.session.refresh(job)
    with app.test_request_context(), force_locale("ru"):
        assert job.errors == [[3, "package_kind", gettext("Unknown kind of package.")]]
        assert gettext("Unknown kind of package.") != "Unknown kind of package."
    assert _count() == 0


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_gives_the_same_packaging(client, fmt):
    producer = _farmer(client)
    made = [
        factories.ProductFactory(
            producer=producer,
            package_kind="big_bag",
            package_size=D("1"),
            package_size_unit="tonne",
            units_per_package=D("1000"),
            package_tare_kg=D("2.5"),
            packages_per_pallet=1,
            packaging="МКР с вкладышем",
            packaging_lang="ru",
        ),
        factories.ProductFactory(
            producer=producer,
            unit="piece",
            package_kind="carton",
            units_per_package=D("12"),
            package_tare_kg=D("0.35"),
        ),
        factories.ProductFactory(
            producer=producer,
            package_kind="bottle",
            package_size=D("0.5"),
            package_size_unit="litre",
            unit="litre",
            units_per_package=D("0.5"),
        ),
        factories.ProductFactory(producer=producer, package_kind="bulk"),
        factories.ProductFactory(producer=producer),
    ]
    before = {p.id: (_package(p), p.packaging, p.packaging_lang) for p in made}
    exported = client.get(f"/catalog/my/products/export.{fmt}")
    assert exported.status_code == 200
    # Forget every package, then import the export: each comes back as it was.
    for product in made:
        for name in PACKAGE_FIELDS:
            setattr(product, name, None)
        product.packaging, product.packaging_lang = "", None
    db.session.commit()
    response = _upload(client, exported.data, f"products.{fmt}")
    assert response.status_code == 302, _errors(response)
    assert {p.id: (_package(p), p.packaging, p.packaging_lang) for p in made} == before
    assert _count() == len(made)


def test_the_import_page_lists_the_package_columns_and_kinds(client):
    _farmer(client, "zh")
    page = client.get("/catalog/my/products/import").get_data(as_text=True)
    assert "package_kind" in page and "units_per_package" in page
    assert "<code>big_bag</code> (吨袋)" in page and "<code>tonne</code>" in page
