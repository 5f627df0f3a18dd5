"""Documents issued at their events: the proforma when an order is placed, the commercial
invoice at handover (the order goes in transit), the packing lists when the shipment departs,
the label sheet when a product is published; the pair's export contract on its first order.
Issuing waits for the commit that made the event (a job), so the event's own transaction
never carries a drawing or a file."""

from accounts.signals import company_changed
from catalog.signals import lot_changed, producer_changed, product_changed, product_published
from core.jobs import enqueue_after_commit
from core.timeutil import utcnow
from logistics.signals import shipment_departed
from marketplace.signals import order_placed, order_status_changed
from trade import issuing, reissue
from trade.contracts import contract_for_order


def _placed(order, **_kwargs):
    contract_for_order(order)
    enqueue_after_commit(issuing.issue_for_order, "proforma", order.id)
    enqueue_after_commit(issuing.issue_order_label_sheets, order.id)


def _status_changed(order, change=None, **_kwargs):
    if change is not None and change.to_status == "in_transit":
        enqueue_after_commit(issuing.issue_for_order, "commercial_invoice", order.id)


def _departed(shipment, **_kwargs):
    enqueue_after_commit(issuing.issue_packing_lists, shipment.id)


def _published(product, **_kwargs):
    enqueue_after_commit(issuing.issue_label_sheet, product.id)


# ---- data printed on issued documents changed: new revisions (trade.reissue) ----------------------


def _reissue_orders(order_ids, why, kinds=reissue.ALL_KINDS) -> None:
    if order_ids:
        enqueue_after_commit(reissue.reissue_orders, order_ids, why, utcnow().isoformat(), kinds=kinds)


def _company_changed(company, changed=(), **_kwargs):
    if reissue.COMPANY_FIELDS.intersection(changed):
        _reissue_orders(reissue.open_orders(buyer_id=company.owner_id), "company")


def _producer_changed(producer, changed=(), **_kwargs):
    if reissue.PRODUCER_FIELDS.intersection(changed):
        _reissue_orders(reissue.open_orders(producer_id=producer.id), "producer")
        for product in producer.products:
            enqueue_after_commit(reissue.reissue_label_sheet, product.id, "producer", utcnow().isoformat())


def _product_changed(product, changed=(), **_kwargs):
    if reissue.LABEL_FIELDS.intersection(changed):
        enqueue_after_commit(reissue.reissue_label_sheet, product.id, "product", utcnow().isoformat())
        # Order lines keep the names and codes they were placed with: only the labels change.
        _reissue_orders(reissue.open_orders(product_id=product.id), "product", kinds=("label_sheet",))


def _lot_changed(lot, product, action, changed=(), **_kwargs):
    """A published product's own label sheet prints its lots' numbers and dates: a lot added,
    corrected or deleted makes a new revision. An order's label sheets and packing lists print
    the lots allocated to it: a correction of one of those re-issues them (a lot added changes
    no order's, and one that orders took from cannot be deleted)."""
    if not reissue.LOT_FIELDS.intersection(changed):
        return
    if product.status == "active":
        enqueue_after_commit(reissue.reissue_label_sheet, product.id, "lot", utcnow().isoformat())
    if action == "corrected":
        _reissue_orders(reissue.open_orders(lot_id=lot.id), "lot", kinds=("label_sheet", "packing_list"))


def contract_changed(contract) -> None:
    """Called by trade.contracts when the parties enter their contract as signed."""
    _reissue_orders(
        reissue.open_orders(producer_id=contract.producer_id, buyer_id=contract.buyer_id), "contract"
    )


def connect() -> None:
    order_placed.connect(_placed, weak=False)
    order_status_changed.connect(_status_changed, weak=False)
    shipment_departed.connect(_departed, weak=False)
    product_published.connect(_published, weak=False)
    company_changed.connect(_company_changed, weak=False)
    producer_changed.connect(_producer_changed, weak=False)
    product_changed.connect(_product_changed, weak=False)
    lot_changed.connect(_lot_changed, weak=False)
