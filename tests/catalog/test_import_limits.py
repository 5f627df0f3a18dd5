"""A spreadsheet cannot take the site down: rows are streamed and reading stops at the limit,
and a zip that would unpack too large is refused from its directory."""

import io
import re
import time
import zipfile

import pytest
from openpyxl import Workbook

from catalog.transfer import COLUMNS, MAX_ROWS
from tests import factories


def _post(client, data, name):
    files = {"file": (io.BytesIO(data), name)}
    return client.post_form("/catalog/my/products/import", files, content_type="multipart/form-data")


def _xlsx_with_rows(row_count: int, cell: str = "a") -> bytes:
    """A real workbook whose sheet holds ``row_count`` one-cell rows, built without openpyxl
    writing each row (that would take minutes for a million)."""
    book = Workbook()
    book.active.append(COLUMNS)
    template = io.BytesIO()
    book.save(template)
    rows = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>{cell}</t></is></c></row>'
        for n in range(2, row_count + 2)
    )
    out = io.BytesIO()
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.infolist():
            content = source.read(part.filename)
            if part.filename == "xl/worksheets/sheet1.xml":
                text = content.decode()
                text = re.sub(r"<dimension[^>]*/>", "", text)
                content = text.replace("</sheetData>", rows + "</sheetData>").encode()
            target.writestr(part.filename, content)
    return out.getvalue()


@pytest.fixture
def farmer(client):
    user = factories.ProducerFactory().owner
    client.login(user)
    return user


def test_a_csv_of_a_million_tiny_rows_is_refused_quickly(client, farmer):
    data = (",".join(COLUMNS) + "\n" + "a\n" * 1_000_000).encode()
    started = time.perf_counter()
    response = _post(client, data, "big.csv")
    assert response.status_code == 422
    assert f"At most {MAX_ROWS} rows" in response.get_data(as_text=True)
    assert time.perf_counter() - started < 3


def test_an_xlsx_of_many_tiny_rows_stops_reading_at_the_limit(client, farmer, monkeypatch):
    from catalog import transfer

    cells = []
    real = transfer._cell_text
    monkeypatch.setattr(transfer, "_cell_text", lambda value: cells.append(1) or real(value))
    data = _xlsx_with_rows(100_000)
    assert len(data) < 1_000_000
    response = _post(client, data, "big.xlsx")
    assert response.status_code == 422
    assert f"At most {MAX_ROWS} rows" in response.get_data(as_text=True)
    # Only the rows up to the limit were read, not the 100,000.
    assert len(cells) <= transfer.MAX_ROWS_READ + len(COLUMNS)


def test_an_xlsx_of_a_million_rows_is_refused_from_its_zip_directory(client, farmer):
    data = _xlsx_with_rows(1_000_000)
    started = time.perf_counter()
    response = _post(client, data, "bomb.xlsx")
    assert response.status_code == 422
    assert "too large once unpacked" in response.get_data(as_text=True)
    assert time.perf_counter() - started < 2


def test_blank_rows_count_towards_what_is_read(client, farmer):
    data = (",".join(COLUMNS) + "\n" + ",,,\n" * 50_000).encode()
    response = _post(client, data, "blank.csv")
    assert response.status_code == 422
    assert f"At most {MAX_ROWS} rows" in response.get_data(as_text=True)
