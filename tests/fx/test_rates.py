"""CBR daily files (windows-1251, nominal 1 and 10), manual rates, the rate of a day, and the
RUB equivalent an order records."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.extensions import db
from fx import services as rates
from fx.models import ExchangeRate, OrderRate
from tests.trade.helpers import cny_rate, order_in


def test_parses_a_current_file_with_nominal_1_and_vunitrate(cbr_file):
    rate_date, parsed = rates.parse_cbr(cbr_file("cbr_2025-11-27.xml"))
    by_code = {r.currency: r for r in parsed}
    assert rate_date == date(2025, 11, 27)
    assert by_code["CNY"].nominal == 1 and by_code["CNY"].unit_rate == Decimal("11.0512")
    assert by_code["USD"].value == Decimal("78.9340")
    assert by_code["JPY"].nominal == 100 and by_code["JPY"].unit_rate == Decimal("0.507612")
    assert by_code["HKD"].nominal == 10 and by_code["HKD"].unit_rate == Decimal("10.14322")


def test_parses_an_older_file_with_cny_per_10_and_no_vunitrate(cbr_file):
    rate_date, parsed = rates.parse_cbr(cbr_file("cbr_2019-03-15.xml"))
    cny = next(r for r in parsed if r.currency == "CNY")
    assert rate_date == date(2019, 3, 15)
    assert (cny.nominal, cny.value, cny.unit_rate) == (10, Decimal("97.4563"), Decimal("9.74563"))


BROKEN = {
    "utf-8 saved, still declares windows-1251": lambda good: good.decode("windows-1251").encode("utf-8"),
    "declares utf-8": lambda good: (
        good.decode("windows-1251").replace('encoding="windows-1251"', 'encoding="utf-8"').encode("utf-8")
    ),
    "truncated": lambda good: good[: len(good) // 2],
    "value with letters": lambda good: good.replace(b"<Value>11,0512", b"<Value>11,05x2"),
    "negative value": lambda good: good.replace(b"<Value>11,0512", b"<Value>-11,0512"),
    "vunitrate disagrees": lambda good: good.replace(b"<VunitRate>0,507612", b"<VunitRate>50,7612"),
    "not ValCurs": lambda good: good.replace(b"ValCurs", b"Rates"),
    "entity declaration": lambda good: good.replace(
        b"<ValCurs", b'<!DOCTYPE x [<!ENTITY a "aaaa">]><ValCurs', 1
    ),
    "empty": lambda good: b"",
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_malformed_or_misencoded_files_are_refused_and_change_nothing(cbr_file, case):
    cny_rate(date(2025, 11, 26), "11.1000")
    data = BROKEN[case](cbr_file("cbr_2025-11-27.xml"))
    with pytest.raises(rates.RateFileError) as raised:
        rates.import_cbr(data)
    assert raised.value.status == 422 and str(raised.value.message)
    assert db.session.scalar(select(func.count(ExchangeRate.id))) == 1


def test_cli_imports_a_file_and_replaces_a_stored_date_only_with_force(app, cbr_file, tmp_path):
    runner = app.test_cli_runner()
    path = tmp_path / "daily.xml"
    path.write_bytes(cbr_file("cbr_2025-11-27.xml"))
    result = runner.invoke(args=["rates", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "Stored 6 rate(s) for 2025-11-27" in result.output

    path.write_bytes(
        cbr_file("cbr_2025-11-27.xml").replace(
            b"<Value>11,0512</Value><VunitRate>11,0512", b"<Value>11,2000</Value><VunitRate>11,2"
        )
    )
    refused = runner.invoke(args=["rates", "import", str(path)])
    assert refused.exit_code == 1 and "--force" in refused.output
    assert rates.rate_on("CNY", date(2025, 11, 27)).unit_rate == Decimal("11.0512")

    forced = runner.invoke(args=["rates", "import", str(path), "--force"])
    assert forced.exit_code == 0, forced.output
    assert rates.rate_on("CNY", date(2025, 11, 27)).unit_rate == Decimal("11.2")
    assert db.session.scalar(select(func.count(ExchangeRate.id))) == 6


def test_cli_names_a_bad_file(app, tmp_path):
    path = tmp_path / "bad.xml"
    path.write_bytes(b'<?xml version="1.0" encoding="utf-8"?><ValCurs/>')
    result = app.test_cli_runner().invoke(args=["rates", "import", str(path)])
    assert result.exit_code == 1 and "windows-1251" in result.output


def test_a_missing_day_uses_the_latest_earlier_rate_and_says_which(client):
    cny_rate(date(2025, 11, 20), "10.9000")
    cny_rate(date(2025, 11, 22), "11.0000")
    body = client.get("/api/v1/exchange-rates?currency=CNY&date=2025-11-24").get_json()
    assert body["rate_date"] == "2025-11-22" and body["requested_date"] == "2025-11-24"
    assert body["stale"] is True and body["unit_rate"] == "11.00000000"
    exact = client.get("/api/v1/exchange-rates?currency=cny&date=2025-11-20").get_json()
    assert exact["stale"] is False and exact["unit_rate"] == "10.90000000"
    none = client.get("/api/v1/exchange-rates?currency=CNY&date=2025-11-01")
    assert none.status_code == 404 and none.get_json()["error"]["code"] == "no_rate"


def test_admin_enters_a_rate_by_hand(api):
    api.as_role("admin")
    cny_rate(date(2025, 11, 26), "11.0000")
    response = api.post(
        "/api/v1/exchange-rates",
        json={"currency": "CNY", "rate_date": "2025-11-27", "nominal": 10, "value": "110.5"},
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["unit_rate"] == "11.05000000"
    row = db.session.scalar(select(ExchangeRate).where(ExchangeRate.rate_date == date(2025, 11, 27)))
    assert row.source == "manual" and row.entered_by_id == api.user.id
    again = api.post(
        "/api/v1/exchange-rates", json={"currency": "CNY", "rate_date": "2025-11-27", "value": "11.06"}
    )
    assert again.status_code == 409
    replaced = api.post(
        "/api/v1/exchange-rates",
        json={"currency": "CNY", "rate_date": "2025-11-27", "value": "11.06", "replace": True},
    )
    assert replaced.status_code == 201 and replaced.get_json()["nominal"] == 1


@pytest.mark.parametrize(
    "value, code",
    [
        ("-11.05", "rate_implausible"),
        ("0", "rate_implausible"),
        ("1105", "rate_implausible"),
        ("16.5", "rate_implausible"),
    ],
)
def test_negative_zero_or_absurd_manual_rates_are_refused(api, value, code):
    api.as_role("admin")
    cny_rate(date(2025, 11, 26), "11.0000")  # 16.5 is a jump of 50 % from it
    response = api.post(
        "/api/v1/exchange-rates", json={"currency": "CNY", "rate_date": "2025-11-27", "value": value}
    )
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["code"] == code
    assert db.session.scalar(select(func.count(ExchangeRate.id))) == 1


def test_only_admins_enter_rates_and_numbers_are_refused(api):
    body = {"currency": "CNY", "rate_date": "2025-11-27", "value": "11.05"}
    assert api.post("/api/v1/exchange-rates", json=body).status_code == 401
    assert api.as_role("buyer").post("/api/v1/exchange-rates", json=body).status_code == 403
    api.as_role("admin")
    assert api.post("/api/v1/exchange-rates", json={**body, "value": 11.05}).status_code == 422


def test_an_order_records_its_rate_and_keeps_it(app, api):
    two_days_ago = rates.moscow_today() - timedelta(days=2)
    cny_rate(two_days_ago, "11.0512")
    order = order_in(app)  # 5 kg × 12.50 = 62.50 CNY; placing it froze the rate
    assert rates.order_rub_equivalent(order) == {
        "amount": "690.70",
        "currency": "RUB",
        "rate": "11.051200",
        "rate_date": two_days_ago.isoformat(),
        "frozen": True,
    }
    rates.record_order_rate(order)  # idempotent
    db.session.commit()
    cny_rate(order.created_at.date(), "12.0000")  # a later import for the order's own day
    frozen = rates.order_rub_equivalent(order)
    assert frozen["rate"] == "11.051200" and frozen["frozen"] is True and frozen["amount"] == "690.70"
    assert db.session.scalar(select(func.count(OrderRate.id))) == 1


def test_no_rate_on_file_gives_no_equivalent(app):
    order = order_in(app)
    assert rates.record_order_rate(order) is None
    assert rates.order_rub_equivalent(order) is None
