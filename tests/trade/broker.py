"""A customs broker's checklist over issued documents (issue 13, "done when"): every field the
broker needs is in the text extracted from each issued PDF — proforma and the order's label
sheets from placement on, the commercial invoice from handover, the packing lists once the
goods left on a shipment. Used over the demo's orders by the broker test and by the seed's
invariants."""

from sqlalchemy import select

from accounts.company import company_of
from core.extensions import db
from logistics.services.shipments import shipments_carrying
from marketplace.models import Order
from tests.trade.helpers import pdf_text
from trade.contracts import contract_between
from trade.issuing import file_bytes
from trade.models import TradeDocument

#: Order statuses past handover: the goods left on a shipment.
SHIPPED = ("in_transit", "delivered", "completed", "disputed")


def latest_documents(order: Order, kind: str) -> list[TradeDocument]:
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


def broker_problems(orders) -> dict[str, list[str]]:
    """What the broker would miss, per document (``{"AB-… invoice": [missing, …]}``); a
    document that should exist at the order's stage and does not is a problem too. Empty when
    the checklist passes."""
    problems: dict[str, list[str]] = {}
    for order in orders:
        producer, company = order.producer, company_of(order.buyer)
        contract = contract_between(order.producer_id, order.buyer_id)
        if company is None or not company.complete:
            problems[f"{order.number} buyer"] = ["complete company"]
            continue
        if contract is None:
            problems[f"{order.number} contract"] = ["export contract"]
            continue
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
        proformas = latest_documents(order, "proforma")
        if len(proformas) != 1:
            problems[f"{order.number} proforma"] = ["one proforma"]
        for proforma in proformas:
            problems[f"{order.number} proforma"] = _missing(_text(proforma), parties + lines)
        labels = latest_documents(order, "label_sheet")
        if len(labels) != len({line.product_id for line in order.lines}):
            problems[f"{order.number} label sheets"] = ["one label sheet per product"]
        for label in labels:  # one per product, naming the order's buyer as importer
            problems[f"{order.number} {label.number}"] = _missing(
                _text(label), [company.name_zh, company.address_zh, producer.gacc_registration, "Russia"]
            )
        if order.status not in SHIPPED:
            continue
        invoices = latest_documents(order, "commercial_invoice")
        if len(invoices) != 1:
            problems[f"{order.number} invoice"] = ["one commercial invoice"]
        bank = [producer.bank_account, producer.bik, producer.swift, producer.signatory_name, "盖章"]
        marks = [f"{order.number}/1", "Russia"]
        for invoice in invoices:
            problems[f"{order.number} invoice"] = _missing(_text(invoice), parties + lines + bank + marks)
        if not shipments_carrying(order.id):
            problems[f"{order.number} shipment"] = ["a shipment carrying the order"]
            continue
        packing = latest_documents(order, "packing_list")
        if not packing:
            problems[f"{order.number} packing list"] = ["a packing list"]
        lots = [a.lot.lot_number for line in order.lines for a in line.allocations if a.lot is not None]
        for document in packing:
            problems[f"{order.number} {document.number}"] = _missing(_text(document), [order.number, *lots])
    return {name: gaps for name, gaps in problems.items() if gaps}
