"""Tracking pages: a status headline and the milestones newest first, for buyers and on the
public page."""

import re

from core.extensions import db
from logistics.models import Shipment
from tests import factories
from tests.logistics.helpers import event, file_all_documents, operator_api, shipment_with


def _post(api, shipment_id, *events):
    response = api.post(f"/api/v1/shipments/{shipment_id}/events", json=list(events))
    assert response.status_code in (200, 201), response.get_json()


def _order_of_milestones(page: str) -> list[str]:
    block = page[
        page.index('<ol class="milestones') : page.index("</ol>", page.index('<ol class="milestones'))
    ]
    return re.findall(r"<strong>([^<]+)</strong>", block)


def test_public_page_headline_and_newest_first(app, client):
    api = operator_api(app)
    shipment_id, orders = shipment_with(app, api=api)
    file_all_documents(shipment_id)
    db.session.commit()
    _post(api, shipment_id, event("picked_up", -30), event("departed_origin", -20))
    code = db.session.get(Shipment, shipment_id).tracking_code
    page = client.get(f"/track/{code}").get_data(as_text=True)
    assert "tracking-headline" in page
    headline = page[
        page.index("tracking-headline") : page.index("</section>", page.index("tracking-headline"))
    ]
    assert "Departed origin" in headline and "Expected by" in headline
    assert _order_of_milestones(page) == ["Departed origin", "Picked up"]


def test_buyer_sees_delivered_headline_and_newest_first(app, client):
    api = operator_api(app)
    shipment_id, orders = shipment_with(app, api=api)
    file_all_documents(shipment_id)
    db.session.commit()
    _post(
        api,
        shipment_id,
        event("picked_up", -60),
        event("departed_origin", -50),
        event("exception", -40, reason="delay", note="snow"),
    )
    client.login(orders[0].buyer)
    page = client.get(f"/orders/{orders[0].id}/tracking").get_data(as_text=True)
    assert "tone-bad" in page  # the newest is an exception
    assert _order_of_milestones(page)[0] == "Exception"
    shipment_page = client.get(f"/logistics/shipments/{shipment_id}").get_data(as_text=True)
    assert "tracking-headline" in shipment_page
    assert _order_of_milestones(shipment_page)[-1] == "Picked up"
    # Staff keep the chronological log, without the headline.
    client.login(factories.UserFactory(role="operator"))
    staff_page = client.get(f"/logistics/shipments/{shipment_id}").get_data(as_text=True)
    assert "tracking-headline" not in staff_page
    assert _order_of_milestones(staff_page)[0] == "Picked up"
