"""PDFs for each kind, read back; numbering; who may download them."""

import threading
from datetime import UTC, date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.extensions import db
from core.timeutil import utcnow
from fx import services as rates
from tests import factories
from tests.conftest import ApiClient
from tests.logistics.helpers import ready_order, shipment_with
from tests.trade.helpers import cny_rate, embedded_characters, order_in, pdf_text
from trade.models import TradeDocument

YEAR = utcnow().year


def number(prefix: str, n: int) -> str:
    return f"{prefix}-{YEAR}-{n:06d}"


def test_proforma_issued_at_placement_carries_bank_details_and_rub(app, api):
    cny_rate(rates.moscow_today() - timedelta(days=1), "11.0512")
    order = order_in(app)  # 5 kg × 12.50 = 62.50 CNY
    api.as_user(order.buyer)
    # Issued when the order was placed: a later bank transfer does not change it.
    api.post(f"/api/v1/orders/{order.id}/payment", json={"method": "bank_transfer"})
    response = api.get(f"/api/v1/orders/{order.id}/documents/proforma.pdf")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == f'inline; filename="{number("PI", 1)}.pdf"'
    text = pdf_text(response.data)
    for expected in (
        "形式发票",
        "Счёт-проформа",
        "Proforma invoice",
        number("PI", 1),
        order.number,
        "有机荞麦米",
        "Гречневая крупа",
        "1008100000",
        "12.50",
        "62.50 CNY",
        "690.70 RUB",
        "11.051200",
        "AgroBridge Trading (Harbin) Co., Ltd.",
        "BKCHCNBJ860",
        order.producer.legal_name_ru,
        order.producer.gacc_registration,
        "FCA Chelyabinsk",  # the order took the basis the goods are priced on
        "卖方",
        "Покупатель",
    ):
        assert expected in text, expected
    again = api.get(f"/api/v1/orders/{order.id}/documents/proforma.pdf")
    assert number("PI", 1) in pdf_text(again.data)
    assert db.session.scalar(
        select(TradeDocument.number).where(TradeDocument.order_id == order.id)
    ) == number("PI", 1)


def test_commercial_invoice_only_after_pickup(app, api):
    order = order_in(app, "ready_for_pickup")
    api.as_user(order.buyer)
    early = api.get(f"/api/v1/orders/{order.id}/documents/commercial_invoice.pdf")
    assert early.status_code == 409 and early.get_json()["error"]["code"] == "document_not_available"
    shipped = order_in(app, "in_transit")
    response = api.as_user(shipped.buyer).get(f"/api/v1/orders/{shipped.id}/documents/commercial_invoice.pdf")
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "商业发票" in text and "Коммерческий инвойс" in text and number("CI", 1) in text
    assert "62.50 CNY" in text and "Нет курса" not in text


def test_packing_list_of_the_shipment_with_lots_and_weights(app, api):
    lot = factories.LotFactory(lot_number="GR-2026-117", quantity=Decimal("500"))
    goods = lot.product
    goods.gross_weight_kg = Decimal("1.020")
    db.session.commit()
    order = ready_order(app, goods=goods, quantity="200")
    assert (
        api.as_user(order.buyer).get(f"/api/v1/orders/{order.id}/documents/packing_list.pdf").status_code
        == 404
    )
    shipment_id, _ = shipment_with(app, orders=[order])
    response = api.get(f"/api/v1/orders/{order.id}/documents/packing_list.pdf")
    assert response.status_code == 200
    text = pdf_text(response.data)
    from logistics.models import Shipment

    shipment = db.session.get(Shipment, shipment_id)
    for expected in (
        "装箱单",
        "Упаковочный лист",
        number("PL", 1),
        shipment.tracking_code,
        order.number,
        "GR-2026-117",
        lot.produced_on.isoformat(),
        lot.best_before.isoformat(),
        "200 千克/кг",  # the unit as both customs services write it
        "204",
        "A123BC174",
        "后贝加尔斯克—满洲里",
        "车里雅宾斯克 / Челябинск",  # the default route in both languages, not the stored English
    ):
        assert expected in text, (expected, text)
    assert "Daowai logistics zone warehouse" not in text
    operator = ApiClient(app.test_client()).as_role("operator")
    assert operator.get(f"/api/v1/shipments/{shipment_id}/documents/packing_list.pdf").status_code == 200


def _repack_after_the_order(order):
    """The farmer changes the goods' package after the order: 25 kg bags become 1 t big bags."""
    goods = order.lines[0].product
    goods.package_kind, goods.units_per_package, goods.package_tare_kg = (
        "big_bag",
        Decimal("1000"),
        Decimal("3"),
    )
    goods.packages_per_pallet, goods.package_size, goods.package_size_unit = None, Decimal("1"), "tonne"
    db.session.commit()


BAGS = {
    "package_kind": "bag",
    "units_per_package": Decimal("25"),
    "package_tare_kg": Decimal("0.150"),
    "packages_per_pallet": 40,
}


def test_invoice_and_packing_list_count_the_packages_the_order_was_placed_with(app, api):
    from marketplace.services.orders import apply_move

    order = ready_order(app, quantity="1000", **BAGS)
    _repack_after_the_order(order)
    apply_move(order, "in_transit", None)
    db.session.commit()
    invoice = pdf_text(
        api.as_user(order.buyer).get(f"/api/v1/orders/{order.id}/documents/commercial_invoice.pdf").data
    )
    assert "1 006" in invoice and "40" in invoice and "1 003" not in invoice, invoice  # 40 bags × 0.150 kg
    assert "袋/мешки" in invoice and "吨袋" not in invoice
    shipment_order = ready_order(app, quantity="1000", **BAGS)
    _repack_after_the_order(shipment_order)
    shipment_with(app, orders=[shipment_order])
    api.as_user(shipment_order.buyer)
    packing = pdf_text(api.get(f"/api/v1/orders/{shipment_order.id}/documents/packing_list.pdf").data)
    assert "1 006" in packing and "1–40" in packing and "1 003" not in packing, packing
    assert "吨袋" not in packing


def test_label_sheet_flags_missing_items_and_names_the_importer(app, api):
    order = order_in(app)
    goods = order.lines[0].product
    farmer = ApiClient(app.test_client()).as_user(goods.producer.owner)
    response = farmer.get(f"/api/v1/products/{goods.id}/label-sheet.pdf")
    assert response.status_code == 200
    text = pdf_text(response.data)
    sheet = db.session.scalar(select(TradeDocument).where(TradeDocument.subject == f"product:{goods.id}"))
    assert sheet.number.startswith("LS-") and sheet.order_id is None
    assert "中文标签信息表" in text and "Данные для китайской этикетки" in text and sheet.number in text
    assert "信息不完整" in text and "НЕ ПОЛНО" in text and "有机荞麦米" in text
    # Published before anyone bought it, the product's sheet names no importer (not the platform:
    # it imports nothing); each order's sheet names its buyer's company. Same bytes for everyone.
    assert "哈尔滨农桥贸易有限公司" not in text and "AgroBridge Trading (Harbin) Co., Ltd." not in text
    assert "在每个订单的标签资料中注明" in text
    as_buyer = api.as_user(order.buyer).get(f"/api/v1/products/{goods.id}/label-sheet.pdf")
    assert as_buyer.data == response.data
    stranger = ApiClient(app.test_client()).as_role("buyer")
    assert stranger.get(f"/api/v1/products/{goods.id}/label-sheet.pdf").status_code == 404
    other_farmer = ApiClient(app.test_client()).as_role("farmer")
    assert other_farmer.get(f"/api/v1/products/{goods.id}/label-sheet.pdf").status_code == 404


@pytest.mark.parametrize("kind", ["proforma", "commercial_invoice", "packing_list"])
def test_anyone_else_gets_404(app, api, kind):
    order = order_in(app, "in_transit")
    url = f"/api/v1/orders/{order.id}/documents/{kind}.pdf"
    assert api.get(url).status_code == 401
    for role in ("buyer", "farmer"):
        assert ApiClient(app.test_client()).as_role(role).get(url).status_code == 404
    expected_operator = 404  # proformas and invoices are the parties'; no shipment for the packing list
    assert ApiClient(app.test_client()).as_role("operator").get(url).status_code == expected_operator
    admin = ApiClient(app.test_client()).as_role("admin").get(url)
    assert admin.status_code == (404 if kind == "packing_list" else 200)
    farmer = ApiClient(app.test_client()).as_user(order.producer.owner).get(url)
    assert farmer.status_code == (404 if kind == "packing_list" else 200)


def test_unknown_kind_and_order_are_404(app, api):
    order = order_in(app)
    api.as_user(order.buyer)
    assert api.get(f"/api/v1/orders/{order.id}/documents/receipt.pdf").status_code == 404
    assert api.get("/api/v1/orders/2147483647/documents/proforma.pdf").status_code == 404


def test_numbers_are_per_kind_and_sequential(app, api):
    first, second = order_in(app), order_in(app)
    for order in (first, second, first):
        api.as_user(order.buyer).get(f"/api/v1/orders/{order.id}/documents/proforma.pdf")
    numbers = db.session.scalars(select(TradeDocument.number).order_by(TradeDocument.id)).all()
    # Each order's label sheet is issued with it, numbered in its own series.
    assert [n for n in numbers if n.startswith("PI")] == [number("PI", 1), number("PI", 2)]
    assert [n for n in numbers if n.startswith("LS")] == [number("LS", 1), number("LS", 2)]


def test_order_page_links_work_for_the_buyer(app, client):
    order = order_in(app)
    client.login(order.buyer)
    response = client.get(f"/orders/{order.id}/documents/proforma.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert client.get(f"/orders/{order.id}/documents/commercial_invoice.pdf").status_code == 409


def _race(app, requests):
    """Each (user, url) fetched by its own thread at the same instant; returns status codes."""
    clients = [(ApiClient(app.test_client()).as_user(user), url) for user, url in requests]
    db.session.rollback()
    barrier = threading.Barrier(len(clients))
    codes = []

    def fetch(client, url):
        with app.app_context():
            barrier.wait()
            codes.append(client.get(url).status_code)
            db.session.remove()

    threads = [threading.Thread(target=fetch, args=pair) for pair in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return codes


def test_numbering_is_gapless_under_concurrency(app, postgres_only):
    orders = [order_in(app) for _ in range(12)]
    requests = [(o.buyer, f"/api/v1/orders/{o.id}/documents/proforma.pdf") for o in orders]
    # The same order asked for three more times at once must not burn numbers either.
    requests += [(orders[0].buyer, f"/api/v1/orders/{orders[0].id}/documents/proforma.pdf")] * 3
    codes = _race(app, requests)
    assert codes == [200] * len(requests)
    db.session.expire_all()
    proformas = select(TradeDocument).where(TradeDocument.kind == "proforma")
    sequences = db.session.scalars(
        proformas.with_only_columns(TradeDocument.sequence).order_by(TradeDocument.sequence)
    ).all()
    assert sequences == list(range(1, 13))
    per_order = db.session.scalars(proformas.with_only_columns(TradeDocument.order_id)).all()
    assert sorted(per_order) == sorted(o.id for o in orders)


def test_label_sheet_is_complete_with_ingredients(app):
    """With ingredients in Chinese and a buyer as importer every GB 7718 field is there."""
    from tests import factories as f
    from trade import drawing

    product = f.ProductFactory(
        ingredients_zh="荞麦 100%",
        allergens_zh="无",
        shelf_life_days=365,
        storage_temp_min_c=0,
        storage_temp_max_c=25,
    )
    f.LotFactory(product=product)

    from trade.pdf import TradePdf

    rows = drawing._label_rows(TradePdf("label_sheet", "LS-TEST", date.today()), product)
    ingredients = next(r for r in rows if r[0] == "ingredients")
    assert ingredients[2] and "荞麦 100%" in ingredients[1]
    assert next(r for r in rows if r[0] == "allergens")[1] == "无"


def test_documents_drawn_one_after_another_each_embed_the_glyphs_they_use(app):
    """The font is parsed once per process: each document still gets its own subset of it,
    so the second document issued carries its own glyphs, not the first one's."""
    from trade.issuing import file_bytes, issue

    # Each sheet prints the product's Chinese name and its producer's Russian legal name.
    names = [("有机荞麦米", "ООО Гречиха Урала"), ("椴树蜂蜜", "ИП Пчёлкин Жэ")]
    products = [factories.ProductFactory(name_zh=zh, producer__name_ru=ru) for zh, ru in names]
    db.session.commit()
    bodies = [file_bytes(issue("label_sheet", product=p)) for p in products]
    for body, (zh, ru) in zip(bodies, names, strict=True):
        text = pdf_text(body)
        assert zh in text and ru in text
        missing = set(zh + ru.replace(" ", "")) - embedded_characters(body)
        assert not missing, missing


def test_a_document_draws_the_same_whatever_was_drawn_before(app):
    """Drawing a document leaves nothing behind in the shared font: the same document drawn
    again after another one (with other glyphs, some of them composite) is byte-identical."""
    from datetime import datetime

    from trade.pdf import TradePdf

    def draw(text: str) -> bytes:
        pdf = TradePdf("proforma", "PI-TEST", date(2026, 1, 2))
        pdf.set_creation_date(datetime(2026, 1, 2, tzinfo=UTC))
        pdf.font(9)
        pdf.multi_cell(0, 5, text)
        return pdf.render()

    first = draw("有机荞麦米 Гречневая крупа ≈ ‖")
    other = draw("椴树蜂蜜 Мёд липовый ≌ ‐")
    assert draw("有机荞麦米 Гречневая крупа ≈ ‖") == first != other
