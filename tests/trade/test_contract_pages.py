"""Export contract pages: the parties list and read their contracts and enter them as
signed; an admin reads them; anyone else gets a 404. The order page links its contract."""

from datetime import date, timedelta

from core.extensions import db
from tests import factories
from tests.trade.helpers import order_in
from trade.models import ExportContract


def _contract():
    return db.session.query(ExportContract).one()


def test_parties_see_and_enter_their_contract(app, client):
    order = order_in(app)
    contract = _contract()
    client.login(order.buyer)
    listing = client.get("/contracts").get_data(as_text=True)
    assert contract.number in listing
    page = client.get(f"/contracts/{contract.id}").get_data(as_text=True)
    assert 'name="number"' in page and "100% prepayment" in page
    order_page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert f"/contracts/{contract.id}" in order_page

    response = client.post_form(
        f"/contracts/{contract.id}",
        {
            "number": "HRB-2026/031",
            "signed_on": "2026-03-01",
            "incoterm": "FCA",
            "named_place": "Zabaikalsk",
            "payment_terms": "100% prepayment",
        },
    )
    assert response.status_code == 302
    db.session.refresh(contract)
    assert (contract.number, contract.signed_on, contract.incoterm) == (
        "HRB-2026/031",
        date(2026, 3, 1),
        "FCA",
    )


def test_a_bad_entry_is_explained_and_nothing_changes(app, client):
    order = order_in(app)
    contract = _contract()
    number = contract.number
    client.raw.set_cookie("lang", "en")
    client.login(order.producer.owner)
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    response = client.post_form(
        f"/contracts/{contract.id}",
        {"number": "X-1", "signed_on": tomorrow, "incoterm": "DAP", "named_place": "", "payment_terms": ""},
    )
    assert response.status_code == 422
    assert "cannot be in the future" in response.get_data(as_text=True)
    db.session.refresh(contract)
    assert contract.number == number


def test_others_get_a_404_and_admins_read_only(app, client):
    order_in(app)
    contract = _contract()
    client.login(factories.UserFactory(role="buyer"))
    assert client.get(f"/contracts/{contract.id}").status_code == 404
    assert contract.number not in client.get("/contracts").get_data(as_text=True)
    client.post_form("/logout", {})
    client.login(factories.UserFactory(role="admin"))
    page = client.get(f"/contracts/{contract.id}")
    assert page.status_code == 200 and 'name="number"' not in page.get_data(as_text=True)
    assert client.post_form(f"/contracts/{contract.id}", {"number": "HACK"}).status_code == 200
    db.session.refresh(contract)
    assert contract.number != "HACK"
