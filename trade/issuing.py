"""Issuing trade documents: once, at their event, numbered and dated then, drawn and kept as
an immutable file with its SHA-256. Every download returns those bytes, whoever asks. A
correction is a new revision with its own number that names the one it replaces.

A document's number is taken from ``core.sequences`` in the transaction that stores its row,
under a lock on its subject (order, shipment or product): two requests for the same document
never burn two numbers, and a rollback gives the number back. The unique key on (kind,
subject, revision) is the last guard; a loser of that race re-reads the winner's row.
"""

import hashlib
import logging
import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from catalog.models import Product
from core.errors import Conflict, ValidationFailed
from core.extensions import db
from core.sequences import next_value
from core.timeutil import utcnow
from core.uploads import storage
from logistics.models import Shipment
from marketplace.models import Order
from trade.models import DOCUMENT_PREFIX, TradeDocument

log = logging.getLogger(__name__)
AREA = "documents"


class DocumentIssued(Conflict):
    code = "document_issued"


def subject_key(order=None, shipment=None, product=None) -> str:
    if shipment is not None:
        return f"shipment:{shipment.id}" + (f"/order:{order.id}" if order is not None else "")
    if order is not None:
        return f"order:{order.id}" + (f"/product:{product.id}" if product is not None else "")
    return f"product:{product.id}"


def latest(kind: str, subject: str) -> TradeDocument | None:
    return db.session.scalar(
        select(TradeDocument)
        .where(TradeDocument.kind == kind, TradeDocument.subject == subject)
        .order_by(TradeDocument.revision.desc())
        .limit(1)
    )


def _lock(order=None, shipment=None, product=None) -> None:
    """Serialise issuing for one subject: the second request waits, then finds the first."""
    model, obj = (
        (Shipment, shipment) if shipment is not None else (Order, order) if order else (Product, product)
    )
    db.session.execute(select(model.id).where(model.id == obj.id).with_for_update()).scalar_one()


def _render(document: TradeDocument, order, shipment, product) -> bytes:
    from trade import drawing

    if document.kind == "proforma":
        return drawing.proforma(document, order)
    if document.kind == "commercial_invoice":
        return drawing.commercial_invoice(document, order)
    if document.kind == "packing_list":
        return drawing.packing_list([(document, shipment, [order.id] if order is not None else None)])
    return drawing.label_sheet(document, product, order)


def _new(kind, order, shipment, product, user, previous=None, reason="") -> TradeDocument:
    now = utcnow()
    sequence = next_value(f"doc_{kind}", now.year)
    document = TradeDocument(
        kind=kind,
        number=f"{DOCUMENT_PREFIX[kind]}-{now.year}-{sequence:06d}",
        year=now.year,
        sequence=sequence,
        subject=subject_key(order, shipment, product),
        order_id=order.id if order is not None else None,
        shipment_id=shipment.id if shipment is not None else None,
        product_id=product.id if product is not None and shipment is None else None,
        revision=previous.revision + 1 if previous is not None else 1,
        replaces_id=previous.id if previous is not None else None,
        reason=(reason or "")[:300],
        created_at=now,
        created_by_id=user.id if user is not None else None,
    )
    db.session.add(document)
    db.session.flush()
    _keep(document, _render(document, order, shipment, product))
    return document


def _keep(document: TradeDocument, body: bytes) -> None:
    name = f"{secrets.token_hex(16)}.pdf"
    storage().save(body, file_key(name), exclusive=True)
    document.file_name = name
    document.sha256 = hashlib.sha256(body).hexdigest()
    document.size_bytes = len(body)


def _commit_or_forget(document: TradeDocument | None) -> None:
    """Commit; if that fails the file was never kept and goes."""
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        if document is not None and document.file_name:
            storage().delete(file_key(document.file_name))
        raise


def issue(kind: str, *, order=None, shipment=None, product=None, user=None) -> TradeDocument:
    """The latest revision of the document of ``kind`` for its subject, issued now if it
    never was (and its file kept; a document numbered before files were kept gets its file
    now, dated as numbered)."""
    subject = subject_key(order, shipment, product)
    document = latest(kind, subject)
    if document is not None and document.file_name:
        return document
    try:
        _lock(order, shipment, product)
        document = latest(kind, subject)
        if document is None:
            document = _new(kind, order, shipment, product, user)
        elif not document.file_name:
            _keep(document, _render(document, order, shipment, product))
        _commit_or_forget(document)
    except IntegrityError:
        document = latest(kind, subject)
        if document is None:
            raise
    return document


def revise(kind: str, *, order=None, shipment=None, product=None, user=None, reason: str) -> TradeDocument:
    """A new revision with its own number, replacing the latest one (whose file stays as it was).

    :raise 409: nothing issued yet to revise
    :raise 422: no reason given
    """
    reason = (reason or "").strip()
    if not reason:
        message = _l("Say why the document is revised.")
        raise ValidationFailed(message, fields={"reason": [message]})
    _lock(order, shipment, product)
    previous = latest(kind, subject_key(order, shipment, product))
    if previous is None:
        db.session.rollback()
        raise Conflict(_l("This document has not been issued yet."), code="document_not_issued")
    document = _new(kind, order, shipment, product, user, previous=previous, reason=reason)
    _commit_or_forget(document)
    return document


def file_key(name: str) -> str:
    """The storage key of an issued document's file (``documents/<name>``, as it always was)."""
    return f"{AREA}/{name}"


def file_bytes(document: TradeDocument) -> bytes:
    with storage().open(file_key(document.file_name)) as fh:
        return fh.read()


def refuse_change(document: TradeDocument):
    """:raise 409: an issued document is never changed; a revision replaces it"""
    raise DocumentIssued(
        _l(
            "Document %(number)s is issued and cannot be changed: issue a revision instead.",
            number=document.number,
        ),
        fields={"number": [document.number]},
    )


# ---- issuing at the events (jobs, after the commit that made the event) ------------------------


def issue_for_order(kind: str, order_id: int) -> None:
    """Proforma when an order is placed; commercial invoice at handover."""
    order = db.session.get(Order, order_id)
    if order is not None:
        issue(kind, order=order)


def order_label_products(order) -> list[int]:
    """The products of an order, each with its own label sheet naming the order's importer."""
    return sorted({line.product_id for line in order.lines})


def issue_order_label_sheets(order_id: int) -> None:
    """When an order is placed: a label sheet per product, naming the buyer's company as
    importer and the lots allocated to the order."""
    order = db.session.get(Order, order_id)
    if order is None:
        return
    for product_id in order_label_products(order):
        product = next(line.product for line in order.lines if line.product_id == product_id)
        issue("label_sheet", order=order, product=product)


def issue_packing_lists(shipment_id: int) -> None:
    """When a shipment departs: each order's packing list, and the whole shipment's."""
    shipment = db.session.get(Shipment, shipment_id)
    if shipment is None:
        return
    for link in shipment.orders:
        issue("packing_list", shipment=shipment, order=link.order)
    issue("packing_list", shipment=shipment)


def issue_label_sheet(product_id: int) -> None:
    """When a product is published: the product's sheet, with no importer yet (each order's
    sheet names its buyer's company)."""
    product = db.session.get(Product, product_id)
    if product is not None:
        issue("label_sheet", product=product)
