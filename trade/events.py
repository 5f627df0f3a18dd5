"""Documents issued at their events: the proforma when an order is placed, the commercial
invoice at handover (the order goes in transit), the packing lists when the shipment departs,
the label sheet when a product is published; the pair's export contract on its first order.
Issuing waits for the commit that made the event (a job), so the event's own transaction
never carries a drawing or a file."""

from catalog.signals import product_published
from core.jobs import enqueue_after_commit
from logistics.signals import shipment_departed
from marketplace.signals import order_placed, order_status_changed
from trade import issuing
from trade.contracts import contract_for_order


def _placed(order, **_kwargs):
    contract_for_order(order)
    enqueue_after_commit(issuing.issue_for_order, "proforma", order.id)


def _status_changed(order, change=None, **_kwargs):
    if change is not None and change.to_status == "in_transit":
        enqueue_after_commit(issuing.issue_for_order, "commercial_invoice", order.id)


def _departed(shipment, **_kwargs):
    enqueue_after_commit(issuing.issue_packing_lists, shipment.id)


def _published(product, **_kwargs):
    enqueue_after_commit(issuing.issue_label_sheet, product.id)


def connect() -> None:
    order_placed.connect(_placed, weak=False)
    order_status_changed.connect(_status_changed, weak=False)
    shipment_departed.connect(_departed, weak=False)
    product_published.connect(_published, weak=False)
