"""`flask seed-demo` produces only states the app itself can reach."""

import hashlib
import io
from decimal import Decimal

from pypdf import PdfReader
from sqlalchemy import func, select

from catalog.models import Product
from core.extensions import db
from core.uploads import storage
from logistics.models import Shipment, ShipmentDocument, TrackingEvent
from logistics.services.documents import key
from logistics.services.shipments import shipments_carrying
from marketplace.models import LedgerEntry, Order, Payment
from tests.trade.broker import broker_problems
from trade.issuing import file_bytes
from trade.models import TradeDocument

#: Statuses an order reaches only after its money arrived.
PAID_STATUSES = {"paid", "confirmed", "ready_for_pickup", "in_transit", "delivered", "completed", "disputed"}
SHIPPED_STATUSES = {"in_transit", "delivered", "completed", "disputed"}


def _seed(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return result


def test_every_order_past_payment_was_paid_through_the_app(app):
    _seed(app)
    orders = db.session.scalars(select(Order)).all()
    assert {o.status for o in orders} & SHIPPED_STATUSES, "the demo should include shipped orders"
    settled = db.session.scalars(select(Payment).where(Payment.status == "succeeded")).all()
    for order in orders:
        if order.status not in PAID_STATUSES:
            continue
        assert order.paid_at is not None, order.number
        covering = [p for p in settled if order.id in {link.order_id for link in p.orders}]
        assert covering, f"{order.number} is {order.status} without a settled payment"


def test_every_order_ledger_balances(app):
    _seed(app)
    for order in db.session.scalars(select(Order)).all():
        entries = db.session.scalars(select(LedgerEntry).where(LedgerEntry.order_id == order.id)).all()
        total = sum((e.amount for e in entries), Decimal("0"))
        escrow = sum((e.amount for e in entries if e.account == "escrow"), Decimal("0"))
        if order.paid_at is None:
            assert entries == [], order.number
            continue
        # Money moves between accounts but never appears or vanishes: what came in, stays.
        assert total == Decimal(order.total), (order.number, total, order.total)
        assert escrow >= 0, order.number
        if order.status == "completed":
            assert escrow == 0, order.number


def test_every_demo_document_is_a_readable_pdf_with_pages(app):
    _seed(app)
    documents = db.session.scalars(select(ShipmentDocument)).all()
    assert documents
    for document in documents:
        with storage().open(key("documents", document.file_name)) as fh:
            data = fh.read()
        assert document.size_bytes == len(data)
        pages = PdfReader(io.BytesIO(data)).pages
        assert len(pages) >= 1 and "Demo document" in pages[0].extract_text()


def test_shipped_orders_travel_on_shipments_with_their_issued_documents(app):
    """Past handover an order is on a shipment; a shipment that departed has its packing lists;
    every issued document is a readable PDF whose bytes match its SHA-256; and the broker's
    checklist passes for every demo order at the stage it is in."""
    _seed(app)
    orders = db.session.scalars(select(Order).order_by(Order.id)).all()
    shipped = [o for o in orders if o.status in SHIPPED_STATUSES]
    assert {o.status for o in shipped} == SHIPPED_STATUSES, "the demo should show every shipped status"
    for order in shipped:
        assert shipments_carrying(order.id), f"{order.number} is {order.status} but on no shipment"

    departed = db.session.scalars(
        select(Shipment)
        .where(
            Shipment.id.in_(select(TrackingEvent.shipment_id).where(TrackingEvent.type == "departed_origin"))
        )
        .order_by(Shipment.id)
    ).all()
    assert departed
    for shipment in departed:
        subjects = set(
            db.session.scalars(
                select(TradeDocument.subject).where(
                    TradeDocument.kind == "packing_list",
                    TradeDocument.shipment_id == shipment.id,
                    TradeDocument.file_name.is_not(None),
                )
            )
        )
        expected = {f"shipment:{shipment.id}"} | {
            f"shipment:{shipment.id}/order:{i}" for i in shipment.order_ids
        }
        assert subjects == expected, shipment.tracking_code

    issued = db.session.scalars(select(TradeDocument).order_by(TradeDocument.id)).all()
    assert {d.kind for d in issued} >= {"proforma", "commercial_invoice", "packing_list", "label_sheet"}
    for document in issued:
        assert document.file_name, document.number
        data = file_bytes(document)
        assert hashlib.sha256(data).hexdigest() == document.sha256, document.number
        assert document.size_bytes == len(data), document.number
        assert len(PdfReader(io.BytesIO(data)).pages) >= 1, document.number

    assert broker_problems(orders) == {}


def test_every_active_demo_product_was_published_with_its_label_sheet(app):
    """Demo products are published through the app, so each active one has the label sheet
    publishing issues (issued then, not at its first download), kept as a readable PDF."""
    _seed(app)
    active = db.session.scalars(select(Product).where(Product.status == "active").order_by(Product.id)).all()
    assert active
    sheets = {
        d.product_id: d
        for d in db.session.scalars(
            select(TradeDocument).where(
                TradeDocument.kind == "label_sheet",
                TradeDocument.subject.like("product:%"),
                TradeDocument.file_name.is_not(None),
            )
        )
    }
    for product in active:
        assert product.id in sheets, f"{product.name_en} is active without its label sheet"
        data = file_bytes(sheets[product.id])
        assert hashlib.sha256(data).hexdigest() == sheets[product.id].sha256, product.name_en
        assert len(PdfReader(io.BytesIO(data)).pages) >= 1, product.name_en


def test_seeding_twice_adds_nothing(app):
    _seed(app)
    tables = (
        Product.id,
        Order.id,
        Shipment.id,
        TrackingEvent.id,
        ShipmentDocument.id,
        TradeDocument.id,
        Payment.id,
    )
    counts = [db.session.scalar(select(func.count(column))) for column in tables]
    _seed(app)
    assert [db.session.scalar(select(func.count(column))) for column in tables] == counts
