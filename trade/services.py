"""Trade documents: who may see them and when each kind exists. Issuing and keeping them is
trade.issuing; this module finds the document a caller asks for and checks they may have it.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from catalog.models import Product
from core.errors import AppError, Conflict, NotFound
from core.extensions import db
from logistics.services.access import is_staff, shipment_for, visible_orders
from logistics.services.shipments import shipments_carrying
from marketplace.models import Order, OrderLine
from trade import issuing
from trade.models import TradeDocument

ORDER_KINDS = ("proforma", "commercial_invoice")
API_KINDS = ("proforma", "commercial_invoice", "packing_list")
#: Statuses in which the goods have been picked up (the commercial invoice exists).
PICKED_UP = ("in_transit", "delivered", "completed")


class DocumentNotAvailable(Conflict):
    code = "document_not_available"


# ---- access -------------------------------------------------------------------------------------


def _is_party(order: Order, user) -> bool:
    return user is not None and (user.role == "admin" or order.is_party(user))


def order_with_lines(order_id) -> Order | None:
    if not isinstance(order_id, int):
        return None
    return db.session.scalar(
        select(Order)
        .where(Order.id == order_id)
        .options(
            selectinload(Order.lines).selectinload(OrderLine.allocations),
            selectinload(Order.lines).selectinload(OrderLine.product),
            selectinload(Order.history),
        )
    )


def order_document(user, order_id, kind: str) -> tuple[TradeDocument, Order]:
    """A proforma or commercial invoice for its buyer, its producer's farmer and admins.

    :raise 404: unknown order or kind, or the caller is not one of those
    :raise 409: the commercial invoice before pickup; a proforma of an order cancelled unissued
    """
    if kind not in ORDER_KINDS:
        raise NotFound(_l("Unknown document."))
    order = order_with_lines(order_id)
    if order is None or not _is_party(order, user):
        raise NotFound(_l("Order not found."))
    existing = issuing.latest(kind, issuing.subject_key(order=order))
    if existing is not None and existing.file_name:
        return existing, order
    if existing is None and kind == "commercial_invoice" and not _picked_up(order):
        raise DocumentNotAvailable(_l("The commercial invoice is issued once the goods are picked up."))
    if existing is None and kind == "proforma" and order.status == "cancelled":
        raise DocumentNotAvailable(_l("The order was cancelled before a proforma invoice was issued."))
    return issuing.issue(kind, order=order, user=user), order


def _picked_up(order: Order) -> bool:
    if order.status in PICKED_UP:
        return True
    return order.status == "disputed" and any(h.to_status == "in_transit" for h in order.history)


def shipments_of_order(user, order_id) -> tuple[Order, list]:
    """The shipments carrying an order, for its parties, admins and operators.

    :raise 404: not one of those, or no shipment carries the order yet
    """
    order = order_with_lines(order_id)
    if order is None or user is None or not (user.role == "operator" or _is_party(order, user)):
        raise NotFound(_l("Order not found."))
    shipments = shipments_carrying(order.id)
    if not shipments:
        raise NotFound(_l("No shipment carries this order yet."), code="no_shipment")
    return order, shipments


def packing_lists_for_order(user, order_id) -> list[TradeDocument]:
    """The order's packing list on each shipment carrying it (only its packages): the same
    document for its buyer, its farmer, operators and admins."""
    order, shipments = shipments_of_order(user, order_id)
    return [issuing.issue("packing_list", shipment=s, order=order, user=user) for s in shipments]


def packing_list_for_shipment(user, shipment_id) -> TradeDocument:
    """A shipment's packing list: operators and admins get the whole shipment's, a buyer or
    farmer their order's. :raise 404: not visible to the caller"""
    shipment = shipment_for(user, shipment_id)
    if is_staff(user):
        return issuing.issue("packing_list", shipment=shipment, user=user)
    order = visible_orders(user, shipment)[0]
    return issuing.issue("packing_list", shipment=shipment, order=order, user=user)


def _may_see_label(user, product: Product) -> bool:
    if user is None:
        return False
    if user.role == "buyer":
        return (
            db.session.scalar(
                select(Order.id)
                .join(OrderLine, OrderLine.order_id == Order.id)
                .where(Order.buyer_id == user.id, OrderLine.product_id == product.id)
                .limit(1)
            )
            is not None
        )
    return user.role == "admin" or product.owned_by(user)


def label_sheet(user, product_id) -> tuple[TradeDocument, Product]:
    """The GB 7718 label data sheet of a product as published: its farmer, admins, and buyers
    who ordered it. It names no importer (there is no buyer yet): each order's sheet
    (:func:`order_label_sheet`) names its buyer's company. :raise 404: anyone else"""
    product = db.session.get(Product, product_id) if isinstance(product_id, int) else None
    if product is None or not _may_see_label(user, product):
        raise NotFound(_l("Product not found."))
    return issuing.issue("label_sheet", product=product, user=user), product


def order_label_sheet(user, order_id, product_id) -> TradeDocument:
    """The label sheet of one of an order's products, naming the order's buyer's company as
    importer and the lots allocated to it: the order's parties and admins.

    :raise 404: not a party, or the product is not in the order
    """
    order = order_with_lines(order_id)
    if order is None or not _is_party(order, user):
        raise NotFound(_l("Order not found."))
    line = next((line for line in order.lines if line.product_id == product_id), None)
    if line is None:
        raise NotFound(_l("Product not found."))
    return issuing.issue("label_sheet", order=order, product=line.product, user=user)


def documents_of_order(user, order_id) -> tuple[Order, list[TradeDocument]]:
    """Every issued revision of the order's documents (proforma, commercial invoice, its packing
    lists) and the label sheets of its products, newest first within each kind.

    :raise 404: not a party to the order (operators see its packing lists only)
    """
    order = order_with_lines(order_id)
    staff = user is not None and user.role == "operator"
    if order is None or user is None or not (staff or _is_party(order, user)):
        raise NotFound(_l("Order not found."))
    product_ids = [line.product_id for line in order.lines]
    conditions = [TradeDocument.order_id == order.id]
    if not staff:
        conditions.append(TradeDocument.product_id.in_(product_ids))
    rows = db.session.scalars(
        select(TradeDocument)
        .where(or_(*conditions), TradeDocument.file_name.is_not(None))
        .order_by(TradeDocument.kind, TradeDocument.subject, TradeDocument.revision.desc())
    ).all()
    if staff:
        rows = [r for r in rows if r.kind == "packing_list"]
    return order, list(rows)


def document_by_number(user, number: str) -> TradeDocument:
    """An issued document by its number, for whoever may see its subject.

    :raise 404: unknown, not issued, or not the caller's to see
    """
    document = db.session.scalar(select(TradeDocument).where(TradeDocument.number == number))
    if document is None or not document.file_name or user is None:
        raise NotFound(_l("Document not found."))
    if document.product_id is not None and document.order_id is None:
        product = db.session.get(Product, document.product_id)
        if not _may_see_label(user, product):
            raise NotFound(_l("Document not found."))
    elif document.order_id is not None:
        order = db.session.get(Order, document.order_id)
        operator = user.role == "operator" and document.kind == "packing_list"
        if not (operator or _is_party(order, user)):
            raise NotFound(_l("Document not found."))
    elif not is_staff(user):  # a whole shipment's packing list
        raise NotFound(_l("Document not found."))
    return document


def revise_order_document(admin, order_id, kind: str, reason: str) -> TradeDocument:
    """An admin re-issues an order's proforma or commercial invoice after a correction.

    :raise 404: unknown order or kind; :raise 409: not issued yet; :raise 422: no reason
    """
    order = order_with_lines(order_id)
    if order is None or kind not in ORDER_KINDS:
        raise NotFound(_l("Order not found."))
    return issuing.revise(kind, order=order, user=admin, reason=reason)


def safe_issue(func, *args) -> tuple[object, AppError | None]:
    try:
        return func(*args), None
    except AppError as exc:
        return None, exc
