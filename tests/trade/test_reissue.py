"""Issued documents follow their data: a change to what they print makes new revisions of the
documents of orders still on their way (each naming the one it replaces, the old file kept);
delivered orders keep theirs. And label sheets name the right importer: each order's sheet
its buyer's company, the product's own sheet (no buyer yet) none."""

import hashlib
from datetime import date, timedelta
from decimal import Decimal

from flask import current_app

from accounts.company import company_of
from core.extensions import db
from tests import factories
from tests.conftest import ApiClient
from tests.logistics.helpers import event, file_all_documents, operator_api, shipment_with
from tests.marketplace.helpers import product
from tests.trade.helpers import order_in, pdf_text
from trade import reissue
from trade.issuing import file_bytes
from trade.models import ExportContract, TradeDocument


def _chain(order_id, kind):
    return (
        db.session.query(TradeDocument)
        .filter(TradeDocument.order_id == order_id, TradeDocument.kind == kind)
        .order_by(TradeDocument.revision)
        .all()
    )


def _text(document) -> str:
    return pdf_text(file_bytes(document))


def _unchanged(document) -> bool:
    return hashlib.sha256(file_bytes(document)).hexdigest() == document.sha256


def test_a_buyer_company_change_reissues_the_open_orders_documents(app):
    order = order_in(app, "in_transit")
    delivered = order_in(app, "in_transit", buyer=order.buyer)
    delivered.status = "delivered"  # the goods arrived: its documents stay as they travelled
    db.session.commit()
    (proforma,) = _chain(order.id, "proforma")
    (invoice,) = _chain(order.id, "commercial_invoice")
    kept = {d.id for d in _chain(delivered.id, "proforma") + _chain(delivered.id, "commercial_invoice")}

    buyer = ApiClient(app.test_client()).as_user(order.buyer)
    response = buyer.patch("/api/v1/me/company", json={"name": {"zh": "哈尔滨新名称贸易有限公司"}})
    assert response.status_code == 200, response.get_json()

    for first in (proforma, invoice):
        old, new = _chain(order.id, first.kind)
        assert old.id == first.id and _unchanged(old)
        assert (new.revision, new.replaces_id) == (2, old.id) and new.number != old.number
        assert "哈尔滨新名称贸易有限公司" in _text(new) and "哈尔滨新名称贸易有限公司" not in _text(old)
        assert "买方公司信息已变更" in new.reason
    assert {
        d.id for d in _chain(delivered.id, "proforma") + _chain(delivered.id, "commercial_invoice")
    } == kept
    # The API lists the new revision with the number it replaces; the old link serves the latest.
    listed = buyer.get(f"/api/v1/orders/{order.id}/documents").get_json()
    newest = next(d for d in listed if d["kind"] == "proforma" and d["revision"] == 2)
    assert newest["replaces"] == proforma.number
    body = buyer.get(f"/api/v1/orders/{order.id}/documents/proforma.pdf").data
    assert hashlib.sha256(body).hexdigest() == _chain(order.id, "proforma")[-1].sha256


def test_a_change_that_documents_do_not_print_issues_nothing(app):
    order = order_in(app)
    buyer = ApiClient(app.test_client()).as_user(order.buyer)
    company = company_of(order.buyer)
    same = {"name": {"zh": company.name_zh}}
    assert buyer.patch("/api/v1/me/company", json=same).status_code == 200
    assert len(_chain(order.id, "proforma")) == 1


def test_the_producers_legal_data_and_the_contract_reissue_invoices_and_packing_lists(app):
    order = order_in(app, "ready_for_pickup")
    api = operator_api(app)
    shipment_id, _ = shipment_with(app, api, orders=[order])
    file_all_documents(shipment_id)
    api.post(
        f"/api/v1/shipments/{shipment_id}/events", json=[event("picked_up", -5), event("departed_origin", -4)]
    )
    lists_before = db.session.query(TradeDocument).filter(TradeDocument.kind == "packing_list").count()
    assert lists_before == 2  # the order's and the whole shipment's

    farmer = ApiClient(app.test_client()).as_user(order.producer.owner)
    position = "Генеральный директор / General Director"
    response = farmer.patch(
        f"/api/v1/producers/{order.producer_id}", json={"legal": {"signatory": {"position": position}}}
    )
    assert response.status_code == 200, response.get_json()
    old, new = _chain(order.id, "commercial_invoice")
    assert new.replaces_id == old.id and "Генеральный директор" in _text(new)
    packing = db.session.query(TradeDocument).filter(TradeDocument.kind == "packing_list").all()
    assert sorted((d.subject, d.revision) for d in packing) == sorted(
        [(f"shipment:{shipment_id}/order:{order.id}", 1), (f"shipment:{shipment_id}/order:{order.id}", 2)]
        + [(f"shipment:{shipment_id}", 1), (f"shipment:{shipment_id}", 2)]
    )

    contract = db.session.query(ExportContract).one()
    assert farmer.patch(f"/api/v1/contracts/{contract.id}", json={"number": "UN-77/2026"}).status_code == 200
    latest = _chain(order.id, "commercial_invoice")[-1]
    assert latest.revision == 3 and "UN-77/2026" in _text(latest)
    assert "UN-77/2026" in _text(_chain(order.id, "proforma")[-1])


def test_the_job_reissues_once_when_it_runs_again(app):
    from core.timeutil import utcnow

    order = order_in(app)
    changed_at = utcnow().isoformat()
    assert reissue.reissue_orders([order.id], "company", changed_at) >= 1
    count = db.session.query(TradeDocument).count()
    assert reissue.reissue_orders([order.id], "company", changed_at) == 0
    assert db.session.query(TradeDocument).count() == count


def test_each_order_has_a_label_sheet_naming_its_buyer_as_importer(app, client):
    order = order_in(app)
    product = order.lines[0].product
    company = company_of(order.buyer)
    (sheet,) = _chain(order.id, "label_sheet")  # issued when the order was placed
    text = _text(sheet)
    for expected in (company.name_zh, company.address_zh, company.contact_phone, order.number):
        assert expected in text, expected
    assert current_app.config["PLATFORM_LEGAL_NAME"] not in text

    # The product's own sheet (no buyer yet) claims no importer, and says where it is named.
    client.login(order.buyer)
    product_sheet = pdf_text(client.get(f"/catalog/products/{product.id}/label-sheet.pdf").data)
    assert current_app.config["PLATFORM_LEGAL_NAME"] not in product_sheet
    assert current_app.config["PLATFORM_LEGAL_NAME_ZH"] not in product_sheet
    assert company.name_zh not in product_sheet

    # The order page links it; the order's parties get the same bytes; another buyer a 404.
    page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    url = f"/orders/{order.id}/label-sheets/{product.id}.pdf"
    assert url in page
    body = client.get(url).data
    assert hashlib.sha256(body).hexdigest() == sheet.sha256
    farmer = ApiClient(app.test_client()).as_user(order.producer.owner)
    assert farmer.get(f"/api/v1/documents/{sheet.number}.pdf").data == body
    stranger = ApiClient(app.test_client()).as_user(factories.UserFactory(role="buyer"))
    assert stranger.get(f"/api/v1/documents/{sheet.number}.pdf").status_code == 404
    client.post_form("/logout", {})
    client.login(factories.UserFactory(role="buyer"))
    assert client.get(url).status_code == 404


def test_a_published_product_edit_reissues_its_label_sheets(app, client):
    order = order_in(app)
    product = order.lines[0].product
    client.login(order.producer.owner)
    assert client.get(f"/catalog/products/{product.id}/label-sheet.pdf").status_code == 200
    farmer = ApiClient(app.test_client()).as_user(order.producer.owner)
    response = farmer.patch(f"/api/v1/products/{product.id}", json={"ingredients_zh": "荞麦 100%（有机）"})
    assert response.status_code == 200, response.get_json()
    own = (
        db.session.query(TradeDocument)
        .filter(TradeDocument.subject == f"product:{product.id}")
        .order_by(TradeDocument.revision)
        .all()
    )
    assert [d.revision for d in own] == [1, 2] and "荞麦 100%（有机）" in _text(own[-1])
    old, new = _chain(order.id, "label_sheet")
    assert new.replaces_id == old.id and "荞麦 100%（有机）" in _text(new)
    assert len(_chain(order.id, "proforma")) == 1  # the invoice does not print ingredients


def _product_sheets(product):
    return (
        db.session.query(TradeDocument)
        .filter(TradeDocument.subject == f"product:{product.id}")
        .order_by(TradeDocument.revision)
        .all()
    )


def _lot_product(**fields):
    goods = product(stock="0", tracks_lots=True, **fields)
    factories.LotFactory(
        product=goods,
        lot_number="L-OLD-1",
        produced_on=date.today() - timedelta(days=40),
        best_before=date.today() + timedelta(days=300),
        quantity=Decimal("500"),
    )
    db.session.commit()
    return goods


def test_a_new_lot_reissues_the_published_products_label_sheet(app, client):
    goods = _lot_product()
    order = order_in(app, goods=goods)
    client.login(order.producer.owner)
    assert client.get(f"/catalog/products/{goods.id}/label-sheet.pdf").status_code == 200
    (first,) = _product_sheets(goods)
    (order_sheet,) = _chain(order.id, "label_sheet")

    farmer = ApiClient(app.test_client()).as_user(order.producer.owner)
    produced = date.today() - timedelta(days=3)
    lot = {
        "lot_number": "L-NEW-2",
        "produced_on": produced.isoformat(),
        "best_before": (produced + timedelta(days=365)).isoformat(),
        "quantity": "800",
    }
    response = farmer.post(f"/api/v1/products/{goods.id}/lots", json=lot)
    assert response.status_code == 201, response.get_json()

    old, new = _product_sheets(goods)
    assert old.id == first.id and _unchanged(old) and "L-NEW-2" not in _text(old)
    assert (new.revision, new.replaces_id) == (2, old.id) and new.number != old.number
    assert "L-NEW-2" in _text(new) and produced.isoformat() in _text(new)
    assert "产品批次已变更" in new.reason
    # The product page's link serves the new revision.
    body = client.get(f"/catalog/products/{goods.id}/label-sheet.pdf").data
    assert hashlib.sha256(body).hexdigest() == new.sha256
    # The order's sheet prints the lots allocated to it: a new lot leaves it as issued.
    assert [d.id for d in _chain(order.id, "label_sheet")] == [order_sheet.id]


def test_a_lot_on_a_draft_product_issues_nothing(app):
    goods = _lot_product(status="draft")
    farmer = ApiClient(app.test_client()).as_user(goods.producer.owner)
    lot = {"lot_number": "L-D-2", "produced_on": "2026-01-10", "best_before": "2026-12-31", "quantity": "10"}
    assert farmer.post(f"/api/v1/products/{goods.id}/lots", json=lot).status_code == 201
    assert _product_sheets(goods) == []


def test_a_lot_correction_reissues_the_sheets_of_the_orders_holding_it(app, client):
    goods = _lot_product()
    order = order_in(app, goods=goods)
    other = order_in(app, goods=product(stock="100"))  # holds no stock from the lot
    client.login(order.producer.owner)
    assert client.get(f"/catalog/products/{goods.id}/label-sheet.pdf").status_code == 200
    (sheet,) = _chain(order.id, "label_sheet")
    lot = goods.lots[0]
    farmer = ApiClient(app.test_client()).as_user(order.producer.owner)
    url = f"/api/v1/products/{goods.id}/lots/{lot.id}"

    # The quantity is printed on no sheet: nothing re-issued.
    assert farmer.patch(url, json={"quantity": "600"}).status_code == 200
    assert len(_chain(order.id, "label_sheet")) == 1 and len(_product_sheets(goods)) == 1

    corrected = (date.today() + timedelta(days=200)).isoformat()
    response = farmer.patch(url, json={"best_before": corrected})
    assert response.status_code == 200, response.get_json()
    old, new = _chain(order.id, "label_sheet")
    assert old.id == sheet.id and _unchanged(old) and corrected not in _text(old)
    assert new.replaces_id == old.id and corrected in _text(new) and "产品批次已变更" in new.reason
    assert corrected in _text(_product_sheets(goods)[-1])
    assert len(_chain(order.id, "proforma")) == 1  # the proforma prints no lots
    assert len(_chain(other.id, "label_sheet")) == 1
