"""Demo orders in several states (after the catalog's demo data)."""

from decimal import Decimal

from sqlalchemy import select

from accounts.models import User
from catalog.models import Product
from core.extensions import db
from core.seed import seeder
from marketplace.models import Order
from marketplace.services import orders as order_service
from marketplace.services.payments import intake, settlement

#: (buyer e-mail, how many products, status to reach). Orders go no further than ready for
#: pickup here: the handover and what follows happen on a shipment (the logistics demo takes
#: the ready orders on board, delivers them, and their buyers complete or dispute them).
PLAN = [
    ("buyer@agrobridge.demo", 1, "pending_payment"),
    ("buyer@agrobridge.demo", 2, "paid"),
    ("buyer@agrobridge.demo", 1, "confirmed"),
    ("buyer2@agrobridge.demo", 1, "ready_for_pickup"),
    ("buyer2@agrobridge.demo", 1, "ready_for_pickup"),
    ("buyer@agrobridge.demo", 1, "cancelled"),
]


@seeder(order=30)
def seed_orders(echo):
    if db.session.scalar(select(Order.id).limit(1)) is not None:
        echo("Demo orders exist already.")
        return
    products = db.session.scalars(
        select(Product).where(Product.status == "active").order_by(Product.id)
    ).all()
    products = [p for p in products if p.producer.verified and p.price_tiers]
    if not products:
        echo("No active products: demo orders skipped.")
        return
    made = 0
    for index, (email, count, status) in enumerate(PLAN):
        buyer = db.session.scalar(select(User).where(User.email == email))
        start = (index * 3) % len(products)
        first = products[start]
        lines = [{"product_id": first.id, "quantity": first.moq}]
        for extra in products[start + 1 :]:
            if len(lines) == count:
                break
            if extra.producer_id == first.producer_id:
                lines.append({"product_id": extra.id, "quantity": extra.moq})
        try:
            order = order_service.place_order(
                buyer, {"lines": lines, "buyer_reference": f"PO-DEMO-{index + 1}"}
            )
        except Exception as exc:  # noqa: BLE001 - demo data must not stop on one short product
            echo(f"  skipped a demo order: {exc}")
            continue
        _advance(order, status, buyer)
        made += 1
    echo(f"Demo orders: {made}.")


def pay_by_bank_transfer(order: Order, buyer) -> None:
    """Pay as the app's own path does: the buyer asks to pay by transfer, an admin records the
    money arriving (payment, ledger and status move together)."""
    info = intake.start_payment(buyer, [order], "bank_transfer")
    admin = db.session.scalar(select(User).where(User.role == "admin").order_by(User.id))
    settlement.record_bank_transfer(admin, info["reference"], Decimal(order.total))


def _advance(order: Order, status: str, buyer) -> None:
    farmer = order.producer.owner
    if status == "pending_payment":
        intake.start_payment(buyer, [order], "bank_transfer")
        return
    if status == "cancelled":
        order_service.transition(buyer, order.id, "cancelled", "ordered by mistake")
        return
    pay_by_bank_transfer(order, buyer)
    steps = {
        "paid": [],
        "confirmed": ["confirmed"],
        "ready_for_pickup": ["confirmed", "ready_for_pickup"],
    }[status]
    for step in steps:
        order_service.transition(farmer, order.id, step)
