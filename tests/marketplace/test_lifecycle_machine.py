"""The order lifecycle as a state machine (Hypothesis): any sequence of orders, payments in
parts, moves by any party or the platform, dispute rulings and payouts.

Whatever the sequence: an order is only ever in a state the lifecycle allows, its history is an
unbroken chain of allowed moves, a refused move changes nothing; every yuan received for an
order is held, refunded, or released as commission plus the producer's share (due or paid
out); a payment's receipts are all accounted for; and the product's reserved stock is exactly
what live orders hold.
"""

from decimal import Decimal

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from catalog.models import Product
from core.errors import AppError
from core.extensions import db
from core.money import round_money
from marketplace.models import LedgerEntry, Order, OrderStatusChange, Payment, Payout, StockAllocation
from marketplace.services import ledger, orders
from marketplace.services.lifecycle import PIPELINE, REASON_REQUIRED, SYSTEM, TRANSITIONS
from marketplace.services.payments import intake, payouts, settlement
from tests import factories

STOCK = Decimal("60")
ACTORS = ("buyer", "farmer", "admin", "operator", SYSTEM)


def _sum(account: str, **where) -> Decimal:
    stmt = select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(LedgerEntry.account == account)
    for name, value in where.items():
        stmt = stmt.where(getattr(LedgerEntry, name) == value)
    return Decimal(db.session.scalar(stmt))


def _next_on_pipeline(status: str) -> str | None:
    index = PIPELINE.index(status) if status in PIPELINE else len(PIPELINE)
    return PIPELINE[index + 1] if index + 1 < len(PIPELINE) else None


class OrderLifecycle(RuleBasedStateMachine):
    orders = Bundle("orders")

    def __init__(self):
        super().__init__()
        db.session.rollback()
        self.product = factories.ProductFactory(
            stock_on_hand=STOCK, tiers=((Decimal("1"), Decimal("12.35")),), index=False
        )
        self.users = {
            "buyer": factories.UserFactory(role="buyer"),
            "farmer": self.product.producer.owner,
            "admin": factories.UserFactory(role="admin"),
            "operator": factories.UserFactory(role="operator"),
        }
        self.order_ids: list[int] = []
        self.consumed = Decimal("0")

    def _order(self, order_id: int) -> Order:
        db.session.expire_all()
        return db.session.get(Order, order_id)

    def _history(self, order_id: int) -> list[OrderStatusChange]:
        return db.session.scalars(
            select(OrderStatusChange)
            .where(OrderStatusChange.order_id == order_id)
            .order_by(OrderStatusChange.id)
        ).all()

    # ---- moves -------------------------------------------------------------------------------

    @initialize(target=orders, quantity=st.integers(1, 25))
    def first_order(self, quantity):
        return self.place(quantity)

    @precondition(lambda self: len(self.order_ids) < 4)
    @rule(target=orders, quantity=st.integers(1, 25))
    def place(self, quantity):
        buyer = self.users["buyer"]
        data = {"lines": [{"product_id": self.product.id, "quantity": str(quantity)}]}
        try:
            order = orders.place_order(buyer, data)
        except AppError as error:
            assert error.code == "insufficient_stock"
            db.session.expire_all()
            product = db.session.get(Product, self.product.id)
            assert product.stock_on_hand - product.stock_reserved < quantity
            return None
        self.order_ids.append(order.id)
        return order.id

    @rule(
        order_id=orders,
        actor=st.sampled_from(ACTORS),
        to_status=st.sampled_from(sorted(TRANSITIONS)),
        give_reason=st.booleans(),
    )
    def move(self, order_id, actor, to_status, give_reason=True):
        if order_id is None:
            return
        order = self._order(order_id)
        before, history = order.status, len(self._history(order_id))
        role_moves = TRANSITIONS[before].get(to_status, ())
        allowed = actor in role_moves and actor != "operator"  # an operator is no party to an order
        if to_status == "in_transit" and before == "ready_for_pickup":
            reserved = sum(
                (a.quantity for line in order.lines for a in line.allocations if a.state == "reserved"),
                Decimal("0"),
            )
        try:
            if actor == SYSTEM:
                orders.apply_move(order, to_status, None, "platform")
                db.session.commit()
            else:
                reason = "checked" if give_reason else ""
                allowed = allowed and bool(reason or (actor, to_status) not in REASON_REQUIRED)
                orders.transition(self.users[actor], order_id, to_status, reason)
        except AppError:
            db.session.rollback()
            assert not allowed, f"{actor} could not move {before} → {to_status}"
            order = self._order(order_id)
            assert order.status == before and len(self._history(order_id)) == history
            return
        assert allowed, f"{actor} moved {before} → {to_status}"
        order = self._order(order_id)
        assert order.status == to_status and len(self._history(order_id)) == history + 1
        if to_status == "in_transit":
            self.consumed += reserved

    @rule(
        order_id=orders,
        steps=st.lists(
            st.tuples(st.integers(0, 3), st.integers(0, 10**6), st.integers(0, 7)), min_size=1, max_size=6
        ),
    )
    def advance(self, order_id, steps):
        """Up to six moves the lifecycle offers, by roles it allows, mostly along the happy path
        (so runs reach the late states). Drawn up front: what is drawn never depends on the
        database, which Hypothesis could not replay."""
        if order_id is None:
            return
        for bias, pick, reason in steps:
            status = self._order(order_id).status
            offered = [(to, role) for to, roles in TRANSITIONS[status].items() for role in roles]
            if not offered:
                return
            forward = [(to, role) for to, role in offered if to == _next_on_pipeline(status)]
            pool = forward if forward and bias else offered  # three times in four, forward
            to_status, actor = pool[pick % len(pool)]
            event(f"{status} → {to_status}")
            self.move(order_id, actor, to_status, give_reason=reason > 0)

    @rule(order_id=orders, part=st.sampled_from(("some", "all", "more")), cents=st.integers(1, 5000))
    def pay_by_bank_transfer(self, order_id, part, cents):
        if order_id is None:
            return
        order = self._order(order_id)
        buyer, admin = self.users["buyer"], self.users["admin"]
        try:
            reference = intake.pay_order(buyer, order_id, "bank_transfer")["reference"]
        except AppError as error:
            assert error.status == 409 and order.status != "pending_payment"
            return
        payment = db.session.scalar(select(Payment).where(Payment.reference == reference))
        received_before = payment.amount_received
        remaining = payment.amount - received_before
        amount = {
            "some": min(Decimal(cents) / 100, remaining - Decimal("0.01")),
            "all": remaining,
            "more": remaining + Decimal(cents) / 100,
        }[part]
        if amount <= 0:
            return
        settlement.record_bank_transfer(admin, reference, amount)
        order = self._order(order_id)
        assert (order.status == "paid") == (received_before + amount >= payment.amount)

    @rule(
        order_id=orders,
        resolution=st.sampled_from(("release", "partial_refund", "full_refund")),
        share=st.integers(1, 99),
    )
    def resolve_dispute(self, order_id, resolution, share):
        if order_id is None:
            return
        order = self._order(order_id)
        before = order.status
        amount = round_money(order.total * share / 100) if resolution == "partial_refund" else None
        try:
            orders.resolve_dispute(self.users["admin"], order_id, resolution, amount, "ruled")
        except AppError:
            db.session.rollback()
            assert before != "disputed" or amount is not None and not 0 < amount < order.total
            assert self._order(order_id).status == before
            return
        assert before == "disputed" and self._order(order_id).status == "completed"

    @rule()
    def send_payouts(self):
        due = db.session.scalars(select(Payout).where(Payout.status == "due")).all()
        for payout in due:
            if payout.order_id in self.order_ids:
                payouts.mark_payout_sent(self.users["admin"], payout.id, f"BANK-{payout.id}")

    # ---- what must always hold -------------------------------------------------------------------

    @invariant()
    def history_is_a_chain_of_allowed_moves(self):
        for order_id in self.order_ids:
            order = self._order(order_id)
            steps = [(c.from_status, c.to_status) for c in self._history(order_id)]
            assert steps[0] == (None, "pending_payment")
            for (_a, to), (frm, nxt) in zip(steps, steps[1:], strict=False):
                assert frm == to and nxt in TRANSITIONS[frm]
            assert steps[-1][1] == order.status

    @invariant()
    def every_yuan_of_an_order_is_accounted_for(self):
        rate = ledger.commission_rate()
        for order_id in self.order_ids:
            order = self._order(order_id)
            received = db.session.scalar(
                select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
                    LedgerEntry.account == "escrow",
                    LedgerEntry.order_id == order_id,
                    LedgerEntry.refund_id.is_(None),
                    LedgerEntry.amount > 0,
                )
            )
            held = _sum("escrow", order_id=order_id)
            refunded = _sum("refund", order_id=order_id)
            commission = _sum("commission", order_id=order_id)
            due, paid_out = _sum("producer_payable", order_id=order_id), _sum("payout", order_id=order_id)
            assert Decimal(received) == held + refunded + commission + due + paid_out
            assert min(held, refunded, commission, due, paid_out) >= 0
            if order.status in ("completed", "cancelled"):
                assert held == 0
            if commission:
                assert commission == round_money((commission + due + paid_out) * rate)
            assert refunded <= order.total

    @invariant()
    def every_receipt_of_a_payment_is_accounted_for(self):
        """Part of a transfer waits on the payment; once settled or returned, all of it is booked."""
        buyer = self.users["buyer"]
        for payment in db.session.scalars(select(Payment).where(Payment.buyer_id == buyer.id)).all():
            into_escrow = db.session.scalar(
                select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
                    LedgerEntry.account == "escrow",
                    LedgerEntry.payment_id == payment.id,
                    LedgerEntry.refund_id.is_(None),
                    LedgerEntry.amount > 0,
                )
            )
            booked = Decimal(into_escrow) + _sum("overpayment", payment_id=payment.id)
            if payment.status in ("pending", "partially_received"):
                assert booked == 0 and payment.amount_received < payment.amount
            else:
                assert payment.amount_received == booked

    @invariant()
    def reserved_stock_is_what_live_orders_hold(self):
        product = db.session.get(Product, self.product.id)
        holding = db.session.scalar(
            select(func.coalesce(func.sum(StockAllocation.quantity), 0)).where(
                StockAllocation.product_id == product.id, StockAllocation.state == "reserved"
            )
        )
        assert product.stock_reserved == Decimal(holding)
        assert product.stock_on_hand == STOCK - self.consumed
        assert 0 <= product.stock_reserved <= product.stock_on_hand
        for order_id in self.order_ids:
            order = self._order(order_id)
            states = {a.state for line in order.lines for a in line.allocations}
            if order.status == "cancelled":
                assert states <= {"released", "consumed"}


def test_no_sequence_of_moves_breaks_the_order_rules(app):
    # Fewer, longer runs than the profile's default: each step is a committed transaction.
    run_state_machine_as_test(
        OrderLifecycle,
        settings=settings(
            settings.default, max_examples=settings.default.max_examples // 2, stateful_step_count=20
        ),
    )
