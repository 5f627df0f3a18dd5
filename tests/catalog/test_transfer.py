"""Bulk import and export: XLSX and CSV, a per-row report, and no partial writes."""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from catalog.models import Product
from catalog.transfer import COLUMNS
from core.extensions import db
from tests import factories


def _row(**values):
    row = {c: "" for c in COLUMNS}
    row.update(
        {
            "name_zh": "椴树蜂蜜",
            "name_ru": "Мёд липовый",
            "name_en": "Linden honey",
            "category": "honey",
            "hs_code": "0409000000",
            "unit": "kg",
            "net_weight_kg": "1",
            "price_tiers": "50=80.00; 500=72.00",
            "stock_quantity": "900",
            "status": "active",
            "organic_claim": "yes",
        }
    )
    row.update(values)
    return row


def _csv(rows, delimiter=","):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx(rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append([row[c] for c in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _upload(client, data, name):
    return client.post_form(
        "/catalog/my/products/import", {"file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )


def _count():
    return db.session.scalar(select(func.count(Product.id)))


def test_csv_import_creates_products(client):
    producer = factories.ProducerFactory()
    client.login(producer.owner)
    response = _upload(
        client, _csv([_row(), _row(name_en="Buckwheat honey", name_zh="荞麦蜂蜜")], ";"), "p.csv"
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    products = db.session.scalars(select(Product).order_by(Product.id)).all()
    assert [p.name_en for p in products] == ["Linden honey", "Buckwheat honey"]
    assert [(t.min_quantity, t.unit_price) for t in products[0].price_tiers] == [
        (Decimal("50"), Decimal("80.00")),
        (Decimal("500"), Decimal("72.00")),
    ]
    # Imported products are searchable at once.
    assert client.get("/api/v1/products?q=fengmi").get_json()["total"] == 2


def test_xlsx_import_with_one_bad_row_writes_nothing(client):
    producer = factories.ProducerFactory()
    client.login(producer.owner)
    rows = [
        _row(),
        _row(price_tiers="50=80.00; 500=90.00"),  # price rises
        _row(hs_code="12AB"),
        _row(category="spaceships", net_weight_kg="-1"),
    ]
    response = _upload(client, _xlsx(rows), "p.xlsx")
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing was imported" in text
    assert (
        "cannot cost more" in text and "<td>3</td>" in text and "<td>4</td>" in text and "<td>5</td>" in text
    )
    assert _count() == 0


def test_import_updates_own_rows_and_refuses_foreign_ids(client):
    product = factories.ProductFactory()
    other = factories.ProductFactory()
    client.login(product.producer.owner)
    response = _upload(client, _csv([_row(id=str(other.id))]), "p.csv")
    assert response.status_code == 422 and "None of your products" in response.get_data(as_text=True)
    response = _upload(client, _csv([_row(id=str(product.id), name_en="Renamed")]), "p.csv")
    assert response.status_code == 302
    db.session.refresh(product)
    assert product.name_en == "Renamed" and _count() == 2


def test_unverified_import_of_active_rows_is_refused(client):
    producer = factories.ProducerFactory(status="pending")
    client.login(producer.owner)
    response = _upload(client, _csv([_row(status="active")]), "p.csv")
    assert response.status_code == 422 and "not verified" in response.get_data(as_text=True)
    assert _count() == 0


def test_garbage_file(client):
    client.login(factories.ProducerFactory().owner)
    response = _upload(client, b"PK\x03\x04 not a zip", "p.xlsx")
    assert response.status_code == 422 and _count() == 0
    response = _upload(client, b"a,b\n1,2\n", "p.csv")
    assert response.status_code == 422 and "lacks these columns" in response.get_data(as_text=True)


def test_export_round_trips(client):
    product = factories.ProductFactory(
        name_en="=HYPERLINK(evil)", hs_code="0409000000", category_code="honey"
    )
    client.login(product.producer.owner)
    exported = client.get("/catalog/my/products/export.xlsx")
    assert exported.status_code == 200
    sheet = load_workbook(io.BytesIO(exported.data)).active
    header, row = [c.value for c in sheet[1]], [c.value for c in sheet[2]]
    assert header == COLUMNS
    values = dict(zip(header, row, strict=True))
    assert values["hs_code"] == "0409000000" and values["name_en"] == "'=HYPERLINK(evil)"
    assert values["price_tiers"] == "100=12.50; 1000=11.00"
    text = client.get("/catalog/my/products/export.csv").data.decode("utf-8-sig")
    assert "有机荞麦米" in text.splitlines()[1]
    # Re-importing the export changes nothing but is accepted.
    assert _upload(client, exported.data, "products.xlsx").status_code == 302
    assert _count() == 1


@pytest.fixture
def small_inline_limit(app):
    app.config["CATALOG_IMPORT_INLINE_ROWS"] = 2
    yield
    app.config["CATALOG_IMPORT_INLINE_ROWS"] = 200


def test_a_big_import_runs_as_a_job_with_a_progress_page(client, small_inline_limit):
    from catalog.models import ImportJob

    producer = factories.ProducerFactory()
    client.login(producer.owner)
    rows = [_row(name_en=f"Honey {n}", name_zh=f"蜂蜜{n}") for n in range(5)]
    response = _upload(client, _xlsx(rows), "many.xlsx")
    assert response.status_code == 302 and "/catalog/my/products/import/" in response.headers["Location"]
    job = db.session.scalars(select(ImportJob)).one()
    assert (job.status, job.rows_total, job.rows_done, job.created) == ("done", 5, 5, 5)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Imported: 5 new, 0 updated." in page and 'http-equiv="refresh"' not in page
    assert _count() == 5
    # Another farmer cannot see it.
    other = type(client)(client.application.test_client())
    other.login(factories.ProducerFactory().owner)
    assert other.get(response.headers["Location"]).status_code == 404


def test_a_job_with_a_bad_row_writes_nothing_and_reports_it(client, small_inline_limit):
    producer = factories.ProducerFactory()
    client.login(producer.owner)
    rows = [_row(name_en=f"Honey {n}") for n in range(3)] + [_row(hs_code="12AB")]
    response = _upload(client, _csv(rows), "bad.csv")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nothing was imported" in page and "<td>5</td>" in page
    assert _count() == 0


def test_a_running_job_shows_its_progress_and_refreshes(client):
    from catalog.models import ImportJob

    producer = factories.ProducerFactory()
    job = ImportJob(
        user_id=producer.owner.id,
        file_name="x.csv",
        original_name="x.csv",
        status="running",
        rows_total=1500,
        rows_done=600,
        errors=[],
    )
    db.session.add(job)
    db.session.commit()
    client.login(producer.owner)
    page = client.get(f"/catalog/my/products/import/{job.id}").get_data(as_text=True)
    assert "600 of 1500" in page and 'http-equiv="refresh"' in page and "<progress" in page
