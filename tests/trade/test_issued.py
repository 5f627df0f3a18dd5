"""Documents issued once, at their event, and kept: numbered and dated then, the same bytes for
every viewer, revisions that name what they replace, and what a customs broker checks on each."""

import hashlib
from decimal import Decimal

from core.extensions import db
from tests import factories
from tests.conftest import ApiClient
from tests.logistics.helpers import event, file_all_documents, operator_api, shipment_with
from tests.trade.helpers import order_in, pdf_text
from trade.issuing import file_bytes
from trade.models import ExportContract, TradeDocument


def _docs(order_id=None, kind=None):
    query = db.session.query(TradeDocument)
    if order_id is not None:
        query = query.filter(TradeDocument.order_id == order_id)
    if kind is not None:
        query = query.filter(TradeDocument.kind == kind)
    return query.order_by(TradeDocument.id).all()


def _customs_goods():
    lot = factories.LotFactory(
        lot_number="KRT-2026-001",
        quantity=Decimal("5000"),
        product__gtin="4607012000019",
        product__tnved_code="1008100000",
        product__origin="Kartalinsky district, Chelyabinsk oblast",
        product__package_kind="bag",
        product__units_per_package=Decimal("25"),
        product__package_tare_kg=Decimal("0.150"),
        product__packages_per_pallet=40,
        product__ingredients_zh="荞麦 100%",
        product__allergens_zh="无",
        product__shelf_life_days=365,
        product__storage_temp_min_c=0,
        product__storage_temp_max_c=25,
        product__nutrition_basis="100g",
        product__energy_kj=Decimal("1440"),
        product__protein_g=Decimal("12.6"),
        product__fat_g=Decimal("3.3"),
        product__carbohydrate_g=Decimal("62.1"),
        product__sodium_mg=Decimal("1"),
        product__tiers=((Decimal("1"), Decimal("12.50")),),
    )
    return lot


def test_the_proforma_is_issued_when_the_order_is_placed_and_kept(app):
    order = order_in(app)
    (proforma,) = _docs(order.id, "proforma")  # nobody downloaded it: issued at placement
    body = file_bytes(proforma)
    assert hashlib.sha256(body).hexdigest() == proforma.sha256 and proforma.revision == 1
    contract = db.session.query(ExportContract).one()
    assert (contract.producer_id, contract.buyer_id) == (order.producer_id, order.buyer_id)
    assert contract.number in pdf_text(body)
    # A second order of the same pair shares the contract.
    order_in(app, buyer=order.buyer, goods=order.lines[0].product)
    assert db.session.query(ExportContract).count() == 1


def test_the_same_document_is_byte_identical_for_buyer_farmer_and_admin(app, api):
    order = order_in(app, "in_transit")
    url = f"/api/v1/orders/{order.id}/documents/commercial_invoice.pdf"
    viewers = [order.buyer, order.producer.owner, factories.UserFactory(role="admin")]
    bodies = [ApiClient(app.test_client()).as_user(user).get(url).data for user in viewers]
    assert bodies[0].startswith(b"%PDF-") and bodies[0] == bodies[1] == bodies[2]
    (invoice,) = _docs(order.id, "commercial_invoice")
    assert hashlib.sha256(bodies[0]).hexdigest() == invoice.sha256


def test_documents_list_and_revisions(app, api):
    order = order_in(app, "in_transit")
    buyer = ApiClient(app.test_client()).as_user(order.buyer)
    listed = buyer.get(f"/api/v1/orders/{order.id}/documents").get_json()
    kinds = {d["kind"]: d for d in listed}
    assert set(kinds) >= {"proforma", "commercial_invoice"}
    invoice = kinds["commercial_invoice"]
    assert set(invoice) >= {"kind", "number", "revision", "issued_at", "sha256", "url"}
    first = buyer.get(invoice["url"])
    assert hashlib.sha256(first.data).hexdigest() == invoice["sha256"]

    admin = ApiClient(app.test_client()).as_role("admin")
    revised = admin.post(
        f"/api/v1/orders/{order.id}/documents/commercial_invoice/revisions",
        json={"reason": "Buyer's customs code corrected"},
    )
    assert revised.status_code == 201, revised.get_json()
    revision = revised.get_json()
    assert revision["revision"] == 2 and revision["replaces"] == invoice["number"]
    assert revision["number"] != invoice["number"]
    # Today's URL serves the latest revision; the first one's file is kept as it was.
    latest = buyer.get(f"/api/v1/orders/{order.id}/documents/commercial_invoice.pdf")
    assert hashlib.sha256(latest.data).hexdigest() == revision["sha256"]
    assert buyer.get(invoice["url"]).data == first.data
    assert f"2 ← {invoice['number']}" in pdf_text(latest.data)
    assert (
        buyer.post(
            f"/api/v1/orders/{order.id}/documents/commercial_invoice/revisions", json={"reason": "x"}
        ).status_code
        == 403
    )


def test_an_issued_document_cannot_be_changed(app, api):
    order = order_in(app)
    (proforma,) = _docs(order.id, "proforma")
    before = file_bytes(proforma)
    api.as_user(order.buyer)
    for method in (api.put, api.patch, api.delete):
        response = method(f"/api/v1/documents/{proforma.number}", json={"total": "1.00"})
        assert response.status_code == 409
        error = response.get_json()["error"]
        assert error["code"] == "document_issued" and "number" in error["fields"]
    assert file_bytes(proforma) == before
    stranger = ApiClient(app.test_client()).as_role("buyer")
    assert stranger.put(f"/api/v1/documents/{proforma.number}").status_code == 404
    assert stranger.get(f"/api/v1/documents/{proforma.number}.pdf").status_code == 404
    no_reason = (
        ApiClient(app.test_client())
        .as_role("admin")
        .post(f"/api/v1/orders/{order.id}/documents/proforma/revisions", json={"reason": ""})
    )
    assert no_reason.status_code == 422


def test_commercial_invoice_at_handover_and_packing_lists_at_departure(app):
    lot = _customs_goods()
    order = order_in(app, "ready_for_pickup", goods=lot.product, quantity="1000")
    api = operator_api(app)
    shipment_id, _ = shipment_with(app, api, orders=[order])
    file_all_documents(shipment_id)
    url = f"/api/v1/shipments/{shipment_id}/events"
    assert not _docs(order.id, "commercial_invoice")
    assert api.post(url, json=event("picked_up", -5)).status_code == 201
    assert len(_docs(order.id, "commercial_invoice")) == 1
    assert not _docs(kind="packing_list")
    assert api.post(url, json=event("departed_origin", -4)).status_code == 201
    lists = _docs(kind="packing_list")
    assert {(d.shipment_id, d.order_id) for d in lists} == {(shipment_id, order.id), (shipment_id, None)}


def test_a_brokers_checklist(app):
    """What a customs broker looks for, read back from each issued PDF."""
    lot = _customs_goods()
    product = lot.product
    order = order_in(app, "ready_for_pickup", goods=product, quantity="1000")
    api = operator_api(app)
    shipment_id, _ = shipment_with(app, api, orders=[order])
    file_all_documents(shipment_id)
    api.post(
        f"/api/v1/shipments/{shipment_id}/events", json=[event("picked_up", -5), event("departed_origin", -4)]
    )
    from accounts.company import company_of

    producer, company = order.producer, company_of(order.buyer)
    (invoice,) = _docs(order.id, "commercial_invoice")
    text = pdf_text(file_bytes(invoice))
    contract = db.session.query(ExportContract).one()
    for expected in (
        producer.legal_name_ru,
        producer.inn,
        producer.kpp,
        producer.ogrn,
        producer.legal_address_en,
        company.name_zh,
        company.uscc,
        company.customs_code,
        contract.number,
        contract.signed_on.isoformat(),
        "Incoterms 2020",
        order.incoterm,
        "CNY",
        "100% prepayment",
        "有机荞麦米",
        "Гречневая крупа",
        "1008100000",  # the Chinese code and the TN VED code
        "Russia",
        "1 000 千克/",  # the unit in both languages (the column wraps before кг)
        "12.50",
        "12 500.00",
        "1 000",  # net kg
        "1 006",  # gross: 40 bags × 0.150 kg tare
        "40",  # packages
        f"{order.number}/1",  # marks
        producer.bank_account,
        producer.bik,
        producer.correspondent_account,
        producer.swift,
        producer.signatory_name,
        "盖章",  # stamp line
    ):
        assert expected in text, expected
    (packing,) = [d for d in _docs(kind="packing_list") if d.order_id == order.id]
    text = pdf_text(file_bytes(packing))
    for expected in (
        "40",
        "1 000",
        "6",
        "1 006",
        "KRT-2026-001",
        lot.produced_on.isoformat(),
        lot.best_before.isoformat(),
        f"{order.number}/1",
    ):
        assert expected in text, expected
    api_farmer = ApiClient(app.test_client()).as_user(producer.owner)
    label = pdf_text(api_farmer.get(f"/api/v1/products/{product.id}/label-sheet.pdf").data)
    for expected in (
        "荞麦 100%",
        "无",
        "25 kg",
        "1 440 kJ",
        "17%",
        "12.6",
        "21%",
        "KRT-2026-001",
        "365",
        producer.gacc_registration,
    ):
        assert expected in label, expected
    # The order's own label sheet names its importer: the buyer's company, not the platform.
    (sheet,) = _docs(order.id, "label_sheet")
    order_label = pdf_text(file_bytes(sheet))
    for expected in (company.name_zh, company.address_zh, company.contact_phone, "KRT-2026-001", "1 440 kJ"):
        assert expected in order_label, expected
    assert "哈尔滨农桥贸易有限公司" not in order_label


def test_order_json_names_the_export_contract(app):
    """GET /api/v1/orders/<id> and the list carry the contract as /api/v1/contracts names it."""
    order = order_in(app)
    buyer = ApiClient(app.test_client()).as_user(order.buyer)
    contract = buyer.get("/api/v1/contracts").get_json()[0]
    reference = {key: contract[key] for key in ("id", "number", "signed_on")}
    assert buyer.get(f"/api/v1/orders/{order.id}").get_json()["contract"] == reference
    (listed,) = buyer.get("/api/v1/orders").get_json()["items"]
    assert listed["contract"] == reference
    # The number the parties enter is the one the order shows.
    farmer = ApiClient(app.test_client()).as_user(order.producer.owner)
    farmer.patch(f"/api/v1/contracts/{contract['id']}", json={"number": "UN-2026/17"})
    assert buyer.get(f"/api/v1/orders/{order.id}").get_json()["contract"]["number"] == "UN-2026/17"


def test_issued_documents_are_kept_in_the_database_backend(app, postgres_only):
    """With UPLOAD_STORAGE=database the issued PDF lives in PostgreSQL, not on this disk."""
    from core.uploads import AlreadyStored, DatabaseStorage, StoredFile
    from trade.issuing import file_key

    saved = app.extensions["upload_storage"]
    app.extensions["upload_storage"] = DatabaseStorage(chunk_size=4096)
    try:
        order = order_in(app)
        (proforma,) = _docs(order.id, "proforma")
        stored = db.session.get(StoredFile, file_key(proforma.file_name))
        assert stored is not None and stored.complete and stored.size_bytes == proforma.size_bytes > 4096
        body = file_bytes(proforma)
        assert hashlib.sha256(body).hexdigest() == proforma.sha256
        try:
            app.extensions["upload_storage"].save(b"forged", file_key(proforma.file_name), exclusive=True)
        except AlreadyStored:
            pass
        else:
            raise AssertionError("an issued document was replaced")
        assert file_bytes(proforma) == body
    finally:
        app.extensions["upload_storage"] = saved
