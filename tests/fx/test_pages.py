"""The admin's "Rates and tariffs" page: fx's exchange rates with trade's duty rates and
tariffs in its hook; a refused entry shows the page again with the message at its field."""

from decimal import Decimal

from sqlalchemy import select

from core.extensions import db
from fx.models import ExchangeRate
from trade.models import TariffRate


def test_admins_see_rates_duty_rates_and_tariffs_others_get_403(client, login_as):
    login_as("buyer")
    assert client.get("/admin/rates").status_code == 403
    client.post_form("/logout")
    login_as("admin")
    html = client.get("/admin/rates").get_data(as_text=True)
    assert 'id="exchange-rates"' in html and 'id="duty-rates"' in html and 'id="freight-tariffs"' in html
    assert 'action="/admin/rates/exchange"' in html and 'action="/admin/rates/duty"' in html


def test_an_admin_enters_a_rate_and_a_typo_is_refused_at_its_field(client, login_as):
    login_as("admin")
    fields = {"currency": "CNY", "rate_date": "2025-11-27", "nominal": "1"}
    refused = client.post_form("/admin/rates/exchange", {**fields, "value": "1105.12"})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "is not plausible" in html and 'id="duty-rates"' in html  # the whole page again
    assert db.session.scalar(select(ExchangeRate.id)) is None
    saved = client.post_form("/admin/rates/exchange", {**fields, "value": "11.0512"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/admin/rates")
    assert db.session.scalar(select(ExchangeRate.unit_rate)) == Decimal("11.0512")


def test_a_bad_duty_rate_shows_the_page_with_its_error_and_changes_nothing(client, login_as):
    login_as("admin")
    before = db.session.scalar(select(TariffRate.duty_percent).where(TariffRate.hs_prefix == "100810"))
    refused = client.post_form(
        "/admin/rates/duty", {"hs_prefix": "100810", "duty_percent": "101", "vat_percent": "9"}
    )
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert 'id="exchange-rates"' in html and 'value="101"' in html
    db.session.expire_all()
    assert (
        db.session.scalar(select(TariffRate.duty_percent).where(TariffRate.hs_prefix == "100810")) == before
    )
