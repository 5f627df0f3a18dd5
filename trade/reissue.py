"""Issued documents follow their data. When what a document prints changes after it was
issued — the buyer's company, the producer's legal data, the export contract, a published
product or its lots — the documents of the orders still on their way are issued again: each a new
revision, with its own number and date, naming the one it replaces (whose file is kept as it
was). Orders delivered, completed, disputed or cancelled keep the documents they travelled
with.

The receivers (trade.events) only queue a job; the job re-issues after the change is
committed. A job that runs twice re-issues once: a document already issued after the change
is left alone.
"""

from datetime import datetime

from sqlalchemy import select

from core.extensions import db
from logistics.models import Shipment
from marketplace.models import Order, OrderLine, StockAllocation
from trade import issuing
from trade.models import TradeDocument

#: Orders whose documents are re-issued: the goods have not arrived yet.
OPEN_STATUSES = ("pending_payment", "paid", "confirmed", "ready_for_pickup", "in_transit")

#: Why, in the documents' languages (the revision's reason is printed on it).
REASONS = {
    "company": "Buyer's company details changed / 买方公司信息已变更 / Изменены реквизиты покупателя",
    "producer": "Seller's legal details changed / 卖方法定信息已变更 / Изменены реквизиты продавца",
    "contract": "Contract entered as signed / 合同按签署内容更新 / Внесены данные подписанного контракта",
    "product": "Product details changed / 产品信息已变更 / Изменены сведения о товаре",
    "lot": "Product lots changed / 产品批次已变更 / Изменены партии товара",
}

#: What of a buyer's company the documents print.
COMPANY_FIELDS = frozenset(
    ("name_zh", "name_en", "uscc", "customs_code", "address_zh", "address_en")
    + ("contact_name", "contact_phone", "contact_email")
)
#: What of a producer the documents print (seller block, bank, signatory, label sheet).
PRODUCER_FIELDS = frozenset(
    ("name_zh", "name_ru", "name_en", "address", "contact_phone", "contact_email", "gacc_registration")
    + ("legal_name_ru", "legal_name_en", "legal_address_ru", "legal_address_en", "inn", "kpp", "ogrn")
    + ("bank_name", "bik", "bank_account", "correspondent_account", "swift")
    + ("signatory_name", "signatory_position", "sole_trader")
)
#: What of a product its label sheets print.
LABEL_FIELDS = frozenset(
    ("name_zh", "name_ru", "name_en", "hs_code", "ingredients_zh", "allergens_zh", "origin")
    + ("storage_temp_min_c", "storage_temp_max_c", "shelf_life_days", "gtin", "package_kind")
    + ("units_per_package", "package_tare_kg", "unit", "net_weight_kg", "nutrition_basis")
    + ("energy_kj", "protein_g", "fat_g", "carbohydrate_g", "sodium_mg")
)

#: What of a lot a product's label sheet prints (production date and shelf life per lot).
LOT_FIELDS = frozenset(("lot_number", "produced_on", "best_before"))


def open_orders(buyer_id=None, producer_id=None, product_id=None, lot_id=None) -> list[int]:
    """Ids of the orders still on their way: a buyer's, a producer's, those carrying a product,
    those holding stock from a lot."""
    stmt = select(Order.id).where(Order.status.in_(OPEN_STATUSES)).order_by(Order.id)
    if buyer_id is not None:
        stmt = stmt.where(Order.buyer_id == buyer_id)
    if producer_id is not None:
        stmt = stmt.where(Order.producer_id == producer_id)
    if product_id is not None:
        carrying = select(OrderLine.order_id).where(OrderLine.product_id == product_id)
        stmt = stmt.where(Order.id.in_(carrying))
    if lot_id is not None:
        holding = (
            select(OrderLine.order_id)
            .join(StockAllocation, StockAllocation.order_line_id == OrderLine.id)
            .where(StockAllocation.lot_id == lot_id, StockAllocation.state != "released")
        )
        stmt = stmt.where(Order.id.in_(holding))
    return list(db.session.scalars(stmt))


def _revise_if_older(kind: str, why: str, changed_at: datetime, **subject) -> TradeDocument | None:
    """A new revision of the latest document of ``kind`` for ``subject``, if it was issued
    before the change (none issued yet: nothing to do, it will be issued with the new data)."""
    document = issuing.latest(kind, issuing.subject_key(**subject))
    if document is None or not document.file_name or document.created_at >= changed_at:
        return None
    return issuing.revise(kind, reason=REASONS[why], **subject)


ALL_KINDS = ("proforma", "commercial_invoice", "packing_list", "label_sheet")


def reissue_orders(order_ids: list[int], why: str, changed_at: str, kinds=ALL_KINDS) -> int:
    """The job: re-issue each open order's documents of ``kinds`` — proforma, commercial
    invoice, packing lists (its own and its shipments' whole ones), label sheets. Returns how
    many revisions."""
    moment = datetime.fromisoformat(changed_at)
    revised, shipments_done = 0, set()
    for order_id in order_ids:
        order = db.session.get(Order, order_id)
        if order is None or order.status not in OPEN_STATUSES:
            continue
        for kind in ("proforma", "commercial_invoice"):
            if kind in kinds:
                revised += _revise_if_older(kind, why, moment, order=order) is not None
        for product_id in issuing.order_label_products(order) if "label_sheet" in kinds else ():
            product = order_product(order, product_id)
            revised += _revise_if_older("label_sheet", why, moment, order=order, product=product) is not None
        if "packing_list" not in kinds:
            continue
        shipment_ids = db.session.scalars(
            select(TradeDocument.shipment_id)
            .where(TradeDocument.kind == "packing_list", TradeDocument.order_id == order.id)
            .distinct()
        ).all()
        for shipment_id in sorted(shipment_ids):
            shipment = db.session.get(Shipment, shipment_id)
            revised += (
                _revise_if_older("packing_list", why, moment, shipment=shipment, order=order) is not None
            )
            if shipment_id not in shipments_done:
                shipments_done.add(shipment_id)
                revised += _revise_if_older("packing_list", why, moment, shipment=shipment) is not None
    return revised


def order_product(order, product_id):
    return next(line.product for line in order.lines if line.product_id == product_id)


def reissue_label_sheet(product_id: int, why: str, changed_at: str) -> int:
    """The job: re-issue a product's own label sheet (issued when it was published)."""
    from catalog.models import Product

    product = db.session.get(Product, product_id)
    if product is None:
        return 0
    return int(
        _revise_if_older("label_sheet", why, datetime.fromisoformat(changed_at), product=product) is not None
    )
