"""The tariff book: rows with sources and periods, the most specific row of the day, provisional
rates, `flask tariffs import/export` all or nothing, the public lookup and admin edits."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import delete, func, select

from core.extensions import db
from core.timeutil import utcnow
from trade import tariff_book
from trade.models import TariffRate

HEADER = (
    "code,description,mfn_percent,provisional_percent,provisional_from,provisional_to,"
    "quota_in_percent,quota_out_percent,vat_percent,effective_from,effective_to,source,confirmed\n"
)
GOOD = (
    HEADER
    + "0801,Brazil nuts,12,,,,,,9,2025-01-01,,Customs Tariff of the PRC 2025,true\n"
    + "080111,Desiccated coconuts,15,5,2025-01-01,2025-12-31,,,9,2025-01-01,,Provisional notice 2025,false\n"
)


@pytest.fixture
def book():
    """Rows a test adds under 08xx go away afterwards (the seeded book stays)."""
    yield
    db.session.rollback()
    db.session.execute(delete(TariffRate).where(TariffRate.hs_prefix.startswith("08")))
    db.session.commit()


def _count():
    return db.session.scalar(select(func.count()).select_from(TariffRate))


def test_the_seed_follows_the_trade_facts():
    on = utcnow().date()
    oil = tariff_book.rate_for("1512190000", on)
    assert (oil.hs_prefix, oil.vat_percent) == ("151219", Decimal("9.000"))  # edible oil: 9 %, refined or not
    assert tariff_book.rate_for("1905310000", on).vat_percent == Decimal("13.000")  # biscuits: processed
    flour = tariff_book.rate_for("1101000000", on)
    assert (flour.quota_in_percent, flour.quota_out_percent) == (Decimal("6.000"), Decimal("65.000"))
    for code in ("1001990000", "1005900000", "1006300000", "1701990000"):
        assert tariff_book.rate_for(code, on).quota_applies, code
    assert all(row.source for row in tariff_book.search())
    assert tariff_book.rate_for("0801110000", on) is None  # unknown stays unknown


def test_cli_imports_all_rows_and_exports_them(app, book, tmp_path):
    path = tmp_path / "book.csv"
    path.write_text(GOOD, encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["tariffs", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "Imported 2 tariff row(s)" in result.output
    # Inside its period the lower provisional rate applies, after it the MFN rate.
    row = tariff_book.rate_for("0801110000", date(2025, 6, 1))
    assert row.hs_prefix == "080111"
    assert tariff_book.duty_for(row, "unknown", date(2025, 6, 1)).duty_percent == Decimal("5.000")
    assert tariff_book.duty_for(row, "unknown", date(2026, 6, 1)).duty_percent == Decimal("15.000")
    assert tariff_book.rate_for("0801220000", date(2025, 6, 1)).hs_prefix == "0801"
    assert tariff_book.rate_for("0801220000", date(2024, 6, 1)) is None  # before the row's period
    exported = runner.invoke(args=["tariffs", "export"])
    assert exported.exit_code == 0
    assert (
        "080111,Desiccated coconuts,15,5,2025-01-01,2025-12-31,,,9,2025-01-01,,Provisional notice 2025,false"
        in (exported.output)
    )
    assert exported.output.startswith(HEADER)


@pytest.mark.parametrize(
    "line, message",
    [
        ("08x1,Nuts,12,,,,,,9,2025-01-01,,Tariff 2025,true", "4 to 10 digits"),
        ("0802,Nuts,-3,,,,,,9,2025-01-01,,Tariff 2025,true", "between 0 and 100"),
        ("0802,Nuts,12,,,,6,,9,2025-01-01,,Tariff 2025,true", "in-quota and an out-of-quota"),
        ("0802,Nuts,12,,,,,,9,2025-01-01,,,true", "source"),
        ("0801,Nuts again,10,,,,,,9,2025-06-01,,Tariff 2025 (amended),true", "overlap"),
    ],
)
def test_a_bad_line_imports_nothing(app, book, tmp_path, line, message):
    path = tmp_path / "book.csv"
    # A good row first: it must not be stored either.
    path.write_text(GOOD + line + "\n", encoding="utf-8")
    before = _count()
    result = app.test_cli_runner().invoke(args=["tariffs", "import", str(path)])
    assert result.exit_code == 1
    assert message in result.output and "Nothing imported" in result.output
    assert _count() == before
    if "overlap" not in message:
        assert "Line 4" in result.output


def test_a_new_period_after_the_old_one_is_fine(app, book, tmp_path):
    path = tmp_path / "book.csv"
    path.write_text(
        HEADER
        + "0802,Nuts,12,,,,,,9,2024-01-01,2024-12-31,Tariff 2024,true\n"
        + "0802,Nuts,10,,,,,,9,2025-01-01,,Tariff 2025,true\n",
        encoding="utf-8",
    )
    assert app.test_cli_runner().invoke(args=["tariffs", "import", str(path)]).exit_code == 0
    assert tariff_book.rate_for("0802100000", date(2024, 7, 1)).duty_percent == Decimal("12.000")
    assert tariff_book.rate_for("0802100000", date(2025, 7, 1)).duty_percent == Decimal("10.000")


def test_the_public_lookup_names_the_row_of_the_day(client):
    body = client.get("/api/v1/tariffs?code=1101000000").get_json()
    assert body["applies"]["code"] == "1101"
    assert (body["applies"]["quota_in_percent"], body["applies"]["quota_out_percent"]) == ("6.000", "65.000")
    assert body["applies"]["source"] and body["applies"]["confirmed"] is True
    assert [row["code"] for row in body["items"]] == ["1101"]
    assert client.get("/api/v1/tariffs?code=abc").status_code == 422
    everything = client.get("/api/v1/tariffs").get_json()
    assert everything["applies"] is None and len(everything["items"]) >= 20


def test_admin_saves_a_row_and_overlaps_are_refused(api, book):
    row = {
        "code": "0802",
        "mfn_percent": "12",
        "vat_percent": "9",
        "effective_from": "2025-01-01",
        "source": "Tariff 2025",
    }
    assert api.as_role("buyer").put("/api/v1/tariffs", json=row).status_code == 403
    api.as_role("admin")
    saved = api.put("/api/v1/tariffs", json=row)
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json()["confirmed"] is False
    overlapping = api.put("/api/v1/tariffs", json={**row, "effective_from": "2025-03-01"})
    assert overlapping.status_code == 422
    assert overlapping.get_json()["error"]["code"] == "tariff_period_overlap"
    negative = api.put("/api/v1/tariffs", json={**row, "mfn_percent": "-1"})
    assert negative.status_code == 422
    assert db.session.scalar(select(func.count()).where(TariffRate.hs_prefix == "0802")) == 1


def test_admin_page_edits_imports_and_exports(client, login_as, book):
    login_as("admin")
    page = client.get("/admin/rates")
    assert page.status_code == 200 and "1101" in page.get_data(as_text=True)
    bad = client.post_form(
        "/admin/rates/duty",
        {
            "hs_prefix": "0802",
            "duty_percent": "12",
            "vat_percent": "9",
            "effective_from": "2025-01-01",
            "effective_to": (date(2025, 1, 1) - timedelta(days=1)).isoformat(),
            "source": "Tariff 2025",
        },
    )
    assert bad.status_code == 422
    assert db.session.scalar(select(func.count()).where(TariffRate.hs_prefix == "0802")) == 0
    exported = client.get("/admin/rates/tariffs.csv")
    assert exported.status_code == 200 and exported.get_data(as_text=True).startswith(HEADER)
