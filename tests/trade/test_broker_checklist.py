"""Issue 13, "done when": a customs broker's checklist over the demo's own orders. Every field
the broker needs is in the text extracted from each issued PDF — proforma, commercial invoice,
packing list and the order's label sheet — as `flask seed-demo` leaves them."""

import pytest
from sqlalchemy import select

from accounts.company import company_of
from core.extensions import db
from logistics.services.shipments import shipments_carrying
from marketplace.models import Order
from tests.trade.helpers import pdf_text
from trade.contracts import contract_between
from trade.issuing import file_bytes
from trade.models import TradeDocument

SHIPPED = ("in_transit", "delivered", "completed", "disputed")


@pytest.fixture
def demo(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return db.session.scalars(select(Order).order_by(Order.id)).all()


def _latest(order: Order, kind: str) -> list[TradeDocument]:
    """The latest revision of each document of ``kind`` about the order."""
    rows = db.session.scalars(
        select(TradeDocument)
        .where(TradeDocument.kind == kind, TradeDocument.order_id == order.id)
        .order_by(TradeDocument.subject, TradeDocument.revision.desc())
    ).all()
    latest = {}
    for row in rows:
        latest.setdefault(row.subject, row)
    return list(latest.values())


def _text(document: TradeDocument) -> str:
    return pdf_text(file_bytes(document))


def _missing(text: str, expected) -> list[str]:
    return [str(item) for item in expected if item and str(item) not in text]


def test_the_demo_orders_documents_carry_what_a_broker_checks(demo):
    problems = {}
    shipped = packed = 0
    for order in demo:
        producer, company = order.producer, company_of(order.buyer)
        contract = contract_between(order.producer_id, order.buyer_id)
        assert company is not None and company.complete, order.number
        assert contract is not None, order.number
        parties = [
            producer.legal_name_ru,
            producer.inn,
            producer.ogrn,
            company.name_zh,
            company.uscc,
            company.customs_code,
            contract.number,
            contract.signed_on.isoformat(),
            "Incoterms 2020",
            order.incoterm,
            "CNY",
        ]
        lines = [code for line in order.lines for code in (line.hs_code, line.tnved_code)]
        (proforma,) = _latest(order, "proforma")
        problems[f"{order.number} proforma"] = _missing(_text(proforma), parties + lines)
        labels = _latest(order, "label_sheet")
        assert len(labels) == len({line.product_id for line in order.lines}), order.number
        for label in labels:  # one per product, naming the order's buyer as importer
            problems[f"{order.number} {label.number}"] = _missing(
                _text(label), [company.name_zh, company.address_zh, producer.gacc_registration, "Russia"]
            )
        if order.status not in SHIPPED:
            continue
        shipped += 1
        (invoice,) = _latest(order, "commercial_invoice")
        bank = [producer.bank_account, producer.bik, producer.swift, producer.signatory_name, "盖章"]
        marks = [f"{order.number}/1", "Russia"]
        problems[f"{order.number} invoice"] = _missing(_text(invoice), parties + lines + bank + marks)
        if not shipments_carrying(order.id):
            continue  # the demo's completed orders travelled before shipments were recorded
        packed += 1
        packing = _latest(order, "packing_list")
        assert packing, f"{order.number} has no packing list"
        for document in packing:
            lots = [a.lot.lot_number for line in order.lines for a in line.allocations if a.lot is not None]
            problems[f"{order.number} {document.number}"] = _missing(_text(document), [order.number, *lots])
    assert shipped and packed, "the demo should include shipped orders on a shipment"
    assert {name: gaps for name, gaps in problems.items() if gaps} == {}
