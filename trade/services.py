"""Trade documents: who may see them, when each kind exists, and gapless numbering.

A document's number is taken from ``core.sequences`` in the same transaction that stores the
document row, under a lock on its subject (order, shipment or product): two requests for the
same document never burn two numbers, and a rollback gives the number back. The unique keys
on ``trade_documents`` are the last guard; a loser of that race re-reads the winner's row.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from catalog.models import Product
from core.errors import AppError, Conflict, NotFound
from core.extensions import db
from core.sequences import next_value
from core.timeutil import utcnow
from logistics.models import Shipment
from logistics.services.access import is_staff, shipment_for, visible_orders
from logistics.services.shipments import shipments_carrying
from marketplace.models import Order, OrderLine
from trade.models import DOCUMENT_PREFIX, TradeDocument

ORDER_KINDS = ("proforma", "commercial_invoice")
API_KINDS = ("proforma", "commercial_invoice", "packing_list")
#: Statuses in which the goods have been picked up (the commercial invoice exists).
PICKED_UP = ("in_transit", "delivered", "completed")


class DocumentNotAvailable(Conflict):
    code = "document_not_available"


@dataclass
class Subject:
    column: str
    model: type
    id: int


def _subject_of(kind: str, obj) -> Subject:
    if kind in ORDER_KINDS:
        return Subject("order_id", Order, obj.id)
    if kind == "packing_list":
        return Subject("shipment_id", Shipment, obj.id)
    return Subject("product_id", Product, obj.id)


def _find(kind: str, subject: Subject) -> TradeDocument | None:
    return db.session.scalar(
        select(TradeDocument).where(
            TradeDocument.kind == kind, getattr(TradeDocument, subject.column) == subject.id
        )
    )


def issue(kind: str, obj, user=None) -> TradeDocument:
    """The document of ``kind`` for ``obj``, numbered and committed on first request."""
    subject = _subject_of(kind, obj)
    document = _find(kind, subject)
    if document is not None:
        return document
    try:
        # Serialise requests for one subject's documents: the second waits, then finds the first.
        db.session.execute(
            select(subject.model.id).where(subject.model.id == subject.id).with_for_update()
        ).scalar_one()
        document = _find(kind, subject)
        if document is None:
            now = utcnow()
            sequence = next_value(f"doc_{kind}", now.year)
            document = TradeDocument(
                kind=kind,
                number=f"{DOCUMENT_PREFIX[kind]}-{now.year}-{sequence:06d}",
                year=now.year,
                sequence=sequence,
                created_at=now,
                created_by_id=user.id if user is not None else None,
                **{subject.column: subject.id},
            )
            db.session.add(document)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # also returns the sequence number
        document = _find(kind, subject)
        if document is None:
            raise
    return document


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
    existing = _find(kind, _subject_of(kind, order))
    if existing is not None:
        return existing, order
    if kind == "commercial_invoice" and not _picked_up(order):
        raise DocumentNotAvailable(_l("The commercial invoice is issued once the goods are picked up."))
    if kind == "proforma" and order.status == "cancelled":
        raise DocumentNotAvailable(_l("The order was cancelled before a proforma invoice was issued."))
    return issue(kind, order, user), order


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


def packing_lists_for_order(user, order_id) -> list[tuple[TradeDocument, object, list[int]]]:
    """``[(document, shipment, order ids shown)]``: the packing list of each shipment carrying
    the order, showing only that order's packages to its parties."""
    order, shipments = shipments_of_order(user, order_id)
    result = []
    for shipment in shipments:
        document = issue("packing_list", shipment, user)
        shown = None if user.role in ("operator", "admin") else [order.id]
        result.append((document, shipment, shown))
    return result


def packing_list_for_shipment(user, shipment_id) -> tuple[TradeDocument, object, list[int] | None]:
    """The packing list of one shipment: operators and admins see every package, a buyer or
    farmer only those of their orders. :raise 404: not visible to the caller"""
    shipment = shipment_for(user, shipment_id)
    shown = None if is_staff(user) else [o.id for o in visible_orders(user, shipment)]
    return issue("packing_list", shipment, user), shipment, shown


def label_sheet(user, product_id) -> tuple[TradeDocument, Product, Order | None]:
    """The GB 7718 label data sheet of a product: its farmer, admins, and buyers who ordered it
    (their company is the importer). :raise 404: anyone else"""
    product = db.session.get(Product, product_id) if isinstance(product_id, int) else None
    if product is None or user is None:
        raise NotFound(_l("Product not found."))
    importer_order = None
    if user.role == "buyer":
        importer_order = db.session.scalar(
            select(Order)
            .join(OrderLine, OrderLine.order_id == Order.id)
            .where(Order.buyer_id == user.id, OrderLine.product_id == product.id)
            .order_by(Order.created_at.desc(), Order.id.desc())
            .limit(1)
        )
        if importer_order is None:
            raise NotFound(_l("Product not found."))
    elif not (user.role == "admin" or product.owned_by(user)):
        raise NotFound(_l("Product not found."))
    return issue("label_sheet", product, user), product, importer_order


def safe_issue(func, *args) -> tuple[object, AppError | None]:
    try:
        return func(*args), None
    except AppError as exc:
        return None, exc
