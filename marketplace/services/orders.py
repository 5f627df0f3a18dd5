"""Placing orders, moving them through their lifecycle, and the sweeps that keep them honest."""

import uuid
from collections import OrderedDict
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from flask import current_app
from flask_babel import format_currency
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from accounts.company import require_complete_company
from catalog import incoterms
from catalog.models import PACKAGE_COLUMNS, Product
from core.errors import AppError, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.logs import audit
from core.money import round_money
from core.numbers import LocalNumberError, parse_local_decimal
from core.sequences import next_value
from core.timeutil import utcnow
from marketplace.models import (
    DEFAULT_CROSSING,
    DEFAULT_MODE,
    DEFAULT_NAMED_PLACE,
    QUOTA_STATUSES,
    TRANSPORT_MODES,
    Checkout,
    Order,
    OrderLine,
    Quote,
)
from marketplace.services import stock
from marketplace.services.lifecycle import PIPELINE, IllegalTransition, set_status
from marketplace.signals import order_paid, order_placed

MAX_QUANTITY = Decimal("100000000")


class BelowMoq(ValidationFailed):
    code = "below_moq"


class MultipleProducers(ValidationFailed):
    code = "multiple_producers"


#: Modules above (trade) tell the order which export contract it falls under.
_CONTRACT_LOOKUPS: list = []


def register_contract_lookup(func):
    """``func(order)`` → ``{"id", "number", "signed_on"}`` of the order's export contract, or
    None. Idempotent: every app built in one process registers the same function."""
    if func not in _CONTRACT_LOOKUPS:
        _CONTRACT_LOOKUPS.append(func)
    return func


def contract_of(order: Order) -> dict | None:
    """The export contract the order falls under (see ``register_contract_lookup``)."""
    for func in _CONTRACT_LOOKUPS:
        reference = func(order)
        if reference is not None:
            return reference
    return None


def parse_quantity(value, product: Product, field: str = "quantity", *, localized: bool = False) -> Decimal:
    """A positive quantity with no more decimals than the product's unit allows.

    ``localized``: typed on a page, so read in the page's language ("1,5" in Russian) and
    nothing else (no exponent, no other script's digits).
    """
    if localized and not isinstance(value, Decimal):
        try:
            value = parse_local_decimal(value)
        except LocalNumberError as exc:
            raise ValidationFailed(exc.message, fields={field: [exc.message]}) from None
    try:
        quantity = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        quantity = None
    if quantity is None or not quantity.is_finite():
        raise ValidationFailed(_l("Enter a number."), fields={field: [_l("Enter a number.")]})
    if quantity <= 0:
        message = _l("The quantity must be greater than zero.")
        raise ValidationFailed(message, fields={field: [message]})
    if quantity > MAX_QUANTITY:
        message = _l("The quantity is too large.")
        raise ValidationFailed(message, fields={field: [message]})
    places = product.quantity_decimals
    # By value, not by how it is written: "100.000" pieces is a whole number.
    if -quantity.normalize().as_tuple().exponent > places:
        if places == 0:
            message = _l("This product is sold in whole units.")
        else:
            message = _l("At most %(places)d decimal places for this unit.", places=places)
        raise ValidationFailed(message, fields={field: [message]})
    return quantity


#: What pricing and reserving read of a product, in one statement: its producer (verified? its
#: price basis) and its few tiers. Not the listing's photos, lots and certificates: an order
#: reads its lots under the lock, and four more queries were a fifth of an order's time.
_ORDERING = (joinedload(Product.producer), joinedload(Product.price_tiers))


def orderable_product(product_id, buyer) -> Product:
    """A product the buyer may order: visible to them, active, of a verified producer.

    :raise 404: unknown, archived, draft or of an unverified producer
    """
    product = db.session.get(Product, product_id, options=_ORDERING) if isinstance(product_id, int) else None
    if product is None or product.status != "active" or not product.producer.verified:
        raise NotFound(
            _l("Product %(id)s is not available.", id=product_id),
            code="product_not_available",
            extra={"product_id": product_id},
        )
    return product


def price_lines(raw_lines, buyer, *, enforce_moq=True) -> list[tuple[Product, Decimal, Decimal]]:
    """Validate ``[{"product_id", "quantity"}]`` → ``[(product, quantity, unit_price)]``.

    Raises one error naming every line below its MOQ.
    """
    if not raw_lines:
        message = _l("Add at least one line.")
        raise ValidationFailed(message, fields={"lines": [message]})
    merged: OrderedDict[int, Decimal] = OrderedDict()
    products: dict[int, Product] = {}
    for index, raw in enumerate(raw_lines):
        product = orderable_product(raw["product_id"], buyer)
        quantity = parse_quantity(raw["quantity"], product, field=f"lines.{index}.quantity")
        products[product.id] = product
        merged[product.id] = merged.get(product.id, Decimal("0")) + quantity
    below = []
    priced = []
    for product_id, quantity in merged.items():
        product = products[product_id]
        price = product.unit_price_for(quantity)
        if price is None:
            below.append({"product_id": product_id, "quantity": str(quantity), "moq": str(product.moq)})
            continue
        priced.append((product, quantity, price))
    if enforce_moq and below:
        raise BelowMoq(
            _l("Some quantities are below the minimum order quantity."),
            extra={"below_moq": below},
            fields={"lines": [_l("Below the minimum order quantity.")]},
        )
    return priced


def trade_terms(details: dict, basis: dict | None, buyer=None) -> dict:
    """The term, place, quota and route of an order or estimate, checked together.

    Without a term the price basis (the product's, else the producer's) applies; without a
    quota the buyer's standing default.

    :raise 422: an unknown term, mode or quota value, a place that does not fit the term or
        lies on another crossing (the field is named)
    """
    incoterm = details.get("incoterm") or (basis or {}).get("incoterm") or "DAP"
    if details.get("incoterm"):
        place_text = details.get("named_place") or DEFAULT_NAMED_PLACE
    else:
        place_text = details.get("named_place") or (basis or {}).get("place_code") or DEFAULT_NAMED_PLACE
    mode = details.get("mode") or DEFAULT_MODE
    if mode not in TRANSPORT_MODES:
        message = _l("Unknown mode of transport.")
        raise ValidationFailed(message, fields={"mode": [message]})
    quota = details.get("quota") or buyer_quota(buyer)
    if quota not in QUOTA_STATUSES:
        message = _l("Quota is one of: in, out, unknown.")
        raise ValidationFailed(message, fields={"quota": [message]})
    try:
        term, place = incoterms.check(incoterm, place_text)
        crossing = incoterms.crossing_for(place, details.get("border_crossing")) or DEFAULT_CROSSING
    except incoterms.TermError as exc:
        raise ValidationFailed(
            exc.message, code="term_place_mismatch", fields={exc.field: [exc.message]}
        ) from None
    return {
        "incoterm": term,
        "place": place,
        "named_place": place.name("en"),
        "quota": quota,
        "mode": mode,
        "border_crossing": crossing,
    }


def buyer_quota(buyer) -> str:
    """The buyer's standing quota answer (``unknown`` until they say)."""
    from marketplace.models import BuyerTerms

    if buyer is None or getattr(buyer, "id", None) is None:
        return "unknown"
    terms = db.session.get(BuyerTerms, buyer.id)
    return terms.quota if terms is not None else "unknown"


def _new_order(buyer, producer_id: int, details: dict, basis: dict | None = None) -> Order:
    # The buyer's company is the importer of record on every document the order will issue.
    require_complete_company(buyer)
    now = utcnow()
    terms = trade_terms(details, basis, buyer)
    hours = current_app.config["ORDER_PAYMENT_TIMEOUT_HOURS"]
    return Order(
        # Until ``_open`` numbers it (see there): unique, never committed.
        number=f"new-{uuid.uuid4().hex[:16]}",
        buyer_id=buyer.id,
        producer_id=producer_id,
        status="pending_payment",
        incoterm=terms["incoterm"],
        named_place=terms["named_place"],
        quota=terms["quota"],
        transport_mode=terms["mode"],
        border_crossing_code=terms["border_crossing"],
        delivery_contact=(details.get("delivery_contact") or "").strip()[:300],
        buyer_reference=(details.get("buyer_reference") or "").strip()[:100],
        note=(details.get("note") or "").strip()[:4000],
        payment_due_at=now + timedelta(hours=hours),
        subtotal=Decimal("0.00"),
    )


def _add_line(order: Order, product: Product, quantity: Decimal, unit_price: Decimal) -> OrderLine:
    line = OrderLine(
        product_id=product.id,
        name_zh=product.name_zh,
        name_ru=product.name_ru,
        name_en=product.name_en,
        unit=product.unit,
        net_weight_kg=product.net_weight_kg,
        hs_code=product.hs_code,
        tnved_code=product.tnved_code,
        quantity=quantity,
        unit_price=unit_price,
        line_total=round_money(quantity * unit_price),
        # A new line holds nothing yet: known empty, not read back when the reservation adds.
        allocations=[],
        **{column: getattr(product, column) for column in PACKAGE_COLUMNS},
    )
    order.lines.append(line)
    order.subtotal = round_money(sum((ln.line_total for ln in order.lines), Decimal("0")))
    return line


def _require_buyer(user) -> None:
    if user is None or user.role != "buyer":
        raise Forbidden(_l("Only buyers place orders."))


def place_order(buyer, data: dict, checkout: Checkout | None = None, commit: bool = True) -> Order:
    """One buyer, one producer: validate, price by tier, reserve stock, all or nothing.

    :raise 403: the caller is not a buyer
    :raise 404: a product is unknown or not orderable
    :raise 422: bad quantity, below MOQ, lines of several producers
    :raise 409: not enough stock (every short line named); the buyer's company is incomplete
    """
    _require_buyer(buyer)
    priced = price_lines(data.get("lines") or [], buyer)
    producers = {product.producer_id for product, _q, _p in priced}
    if len(producers) > 1:
        raise MultipleProducers(
            _l("An order holds the products of one producer; the cart splits the rest."),
            fields={"lines": [_l("Lines of several producers.")]},
        )
    try:
        order = _new_order(buyer, producers.pop(), data, priced[0][0].price_basis)
        order.checkout = checkout
        for product, quantity, price in priced:
            _add_line(order, product, quantity, price)
        _open(order, buyer)
        if commit:
            order_id = order.id  # before the commit expires it
            db.session.commit()
            # Read back whole for the caller's answer in one statement (a new order has a few
            # lines and one status), where the commit's expiry would read each relation alone.
            order = (
                db.session.scalars(
                    select(Order)
                    .where(Order.id == order_id)
                    .options(
                        joinedload(Order.buyer),
                        joinedload(Order.producer),
                        joinedload(Order.lines),
                        joinedload(Order.history),
                    )
                )
                .unique()
                .one()
            )
    except Exception:
        if commit:  # inside a checkout the caller owns the transaction
            db.session.rollback()
        raise
    return order


def _open(order: Order, buyer) -> None:
    """Store a new order with its lines, number it and reserve its stock.

    Two locks are held from where they are taken until the commit: the gapless number's
    counter row, which every order queues for, and the stock rows of its products, which
    every order of a hot product queues for. Taken last, after everything else the order
    writes (its rate, contract, jobs), they are held for the few statements before the
    commit, not for the whole transaction: one hot product's orders per second depend on it.
    """
    db.session.add(order)
    rule = order_shelf_life_rule(order)
    db.session.flush()
    order_placed.send(order)
    order.number = f"AB-{order.created_at.year}-{next_value('order', order.created_at.year):06d}"
    stock.reserve(order.lines, rule)
    set_status_initial(order, buyer)


def order_shelf_life_rule(order: Order) -> stock.ShelfLifeRule:
    return stock.shelf_life_rule(order.buyer_id, order.transport_mode, order.border_crossing_code)


def set_status_initial(order: Order, buyer) -> None:
    from marketplace.models import OrderStatusChange

    db.session.add(
        OrderStatusChange(order=order, from_status=None, to_status="pending_payment", actor_id=buyer.id)
    )
    audit(
        "order.status",
        buyer,
        order_id=order.id,
        producer_id=order.producer_id,
        from_status=None,
        to_status="pending_payment",
        amount=order.subtotal,
        currency=order.currency,
    )


def order_from_quote(buyer, quote: Quote, details: dict) -> Order:
    """An order at the quoted price (stock rules apply; the quote replaces the tiers)."""
    rfq = quote.rfq
    product = orderable_product(quote.product_id, buyer)
    quantity = parse_quantity(rfq.quantity, product)
    order = _new_order(buyer, product.producer_id, details, product.price_basis)
    order.quote_id = quote.id
    _add_line(order, product, quantity, quote.unit_price)
    _open(order, buyer)
    return order


# ---- access ---------------------------------------------------------------------------------


def order_for(user, order_id: int, lock: bool = False) -> Order:
    """The order if ``user`` is party to it (or admin/operator); 404 otherwise."""
    stmt = (
        select(Order)
        .where(Order.id == order_id)
        .options(selectinload(Order.lines).selectinload(OrderLine.allocations), selectinload(Order.history))
    )
    if lock:
        stmt = stmt.with_for_update(of=Order)
    order = db.session.scalar(stmt)
    if order is None or not order.visible_to(user):
        raise NotFound(_l("Order not found."))
    return order


def orders_query(user, status=None, created_from=None, created_to=None):
    stmt = select(Order).options(selectinload(Order.lines), selectinload(Order.history))
    if user.role == "buyer":
        stmt = stmt.where(Order.buyer_id == user.id)
    elif user.role == "farmer":
        from catalog.models import Producer

        stmt = stmt.join(Producer, Producer.id == Order.producer_id).where(Producer.owner_id == user.id)
    elif user.role not in ("admin", "operator"):
        raise Forbidden()
    if status:
        stmt = stmt.where(Order.status.in_(status if isinstance(status, list | tuple) else [status]))
    if created_from:
        stmt = stmt.where(Order.created_at >= created_from)
    if created_to:
        stmt = stmt.where(Order.created_at < created_to)
    return stmt.order_by(Order.created_at.desc(), Order.id.desc())


# ---- moves ----------------------------------------------------------------------------------


def _owned_by_farmer(order: Order, user) -> bool:
    return user.role == "farmer" and order.producer.owner_id == user.id


def _check_party(order: Order, user) -> None:
    if user.role == "admin":
        return
    if user.role == "buyer" and order.buyer_id == user.id:
        return
    if _owned_by_farmer(order, user):
        return
    raise Forbidden(_l("You cannot make this change to the order."))


def transition(user, order_id: int, to_status: str, reason: str = "") -> Order:
    """The one entry for user-driven moves (confirm, ready, cancel, receive, dispute)."""
    try:
        order = order_for(user, order_id, lock=True)
        _check_party(order, user)
        apply_move(order, to_status, user, reason)
        db.session.commit()
    except AppError:
        db.session.rollback()
        raise
    return order


def apply_move(order: Order, to_status: str, actor, reason: str = "") -> None:
    """set_status plus what each move does to stock and dates. Does not commit."""
    if to_status == "disputed":
        window = timedelta(days=current_app.config["ORDER_AUTO_COMPLETE_DAYS"])
        if order.delivered_at and utcnow() > order.delivered_at + window:
            raise IllegalDispute()
    set_status(order, to_status, actor, reason)
    now = utcnow()
    if to_status == "cancelled":
        order.cancel_reason = reason.strip()
        stock.release(order)
    elif to_status == "paid":
        order.paid_at = order.paid_at or now
        order_paid.send(order)
    elif to_status == "in_transit":
        stock.consume(order)
    elif to_status == "delivered":
        order.delivered_at = now
    elif to_status == "completed":
        order.completed_at = now
    elif to_status == "disputed":
        order.dispute_reason = reason.strip()


class IllegalDispute(AppError):
    status, code = 409, "dispute_window_closed"

    def __init__(self):
        super().__init__(_l("The time to dispute this order has passed."))


def resolve_dispute(admin, order_id: int, resolution: str, refund_amount: Decimal | None, note: str) -> Order:
    """Admin settles a dispute: release to the producer, or refund part or all."""
    if admin.role != "admin":
        raise Forbidden()
    order = order_for(admin, order_id, lock=True)
    if order.status != "disputed":
        # Without this a delivered order could be "resolved" (admins may complete it).
        raise IllegalTransition(
            _l("Only a disputed order can be resolved."), extra={"current_status": order.status}
        )
    if resolution not in ("release", "partial_refund", "full_refund"):
        raise ValidationFailed(_l("Unknown resolution."), fields={"resolution": [_l("Unknown resolution.")]})
    if resolution == "full_refund":
        refund_amount = order.total
    elif resolution == "partial_refund":
        if refund_amount is None or refund_amount <= 0 or refund_amount >= order.total:
            message = _l("A partial refund is more than zero and less than the order total.")
            raise ValidationFailed(message, fields={"refund_amount": [message]})
    else:
        refund_amount = None
    try:
        # Set before the move: the payments side refunds and releases on "completed".
        order.dispute_resolution = resolution
        order.refund_amount = round_money(refund_amount) if refund_amount is not None else None
        order.completed_at = utcnow()
        set_status(order, "completed", admin, note or resolution)
        db.session.commit()
    except AppError:
        db.session.rollback()
        raise
    return order


def expire_unpaid(now=None) -> int:
    """Cancel orders whose payment is overdue, giving their stock back. Returns the count."""
    now = now or utcnow()
    ids = db.session.scalars(
        select(Order.id)
        .where(Order.status == "pending_payment", Order.payment_due_at < now)
        .order_by(Order.id)
    ).all()
    done = 0
    for order_id in ids:
        order = db.session.scalar(select(Order).where(Order.id == order_id).with_for_update())
        if order is None or order.status != "pending_payment":  # paid meanwhile
            db.session.rollback()
            continue
        apply_move(order, "cancelled", None, "payment not received in time")
        db.session.commit()
        done += 1
    return done


def auto_complete(now=None) -> int:
    """Complete delivered orders whose buyer neither confirmed nor disputed in time."""
    now = now or utcnow()
    cutoff = now - timedelta(days=current_app.config["ORDER_AUTO_COMPLETE_DAYS"])
    ids = db.session.scalars(
        select(Order.id).where(Order.status == "delivered", Order.delivered_at < cutoff).order_by(Order.id)
    ).all()
    done = 0
    for order_id in ids:
        order = db.session.scalar(select(Order).where(Order.id == order_id).with_for_update())
        if order is None or order.status != "delivered":
            db.session.rollback()
            continue
        apply_move(order, "completed", None, "completed automatically after the confirmation window")
        db.session.commit()
        done += 1
    return done


def logistics_move(order: Order, to_status: str, actor=None, reason: str = "") -> bool:
    """Logistics moves an order along (``in_transit`` on pickup, ``delivered`` on delivery).

    Inside the caller's transaction; does not commit. Returns False when the order is already
    there or further along (a late milestone never moves it back).
    """
    if to_status not in ("in_transit", "delivered"):
        raise ValueError(to_status)
    rank = {status: index for index, status in enumerate(PIPELINE)}
    order_rank = rank.get(order.status, -1)
    if order_rank >= rank[to_status] or order.status in ("cancelled", "disputed"):
        return False
    if to_status == "delivered" and order.status == "ready_for_pickup":
        apply_move(order, "in_transit", actor, reason)
    apply_move(order, to_status, actor, reason)
    return True


MAX_DISPUTE_PHOTOS = 10


def add_dispute_photo(user, order_id: int, file):
    """The buyer adds a photo to the dispute of their order (content-checked image).

    :raise 404: not the buyer's order; :raise 409: the order is not disputed or has enough
    photos; :raise 413/422: too large, not an image
    """
    from catalog.uploads import save_photo
    from marketplace.models import DisputePhoto

    order = order_for(user, order_id, lock=True)
    if order.buyer_id != user.id:
        raise NotFound(_l("Order not found."))
    if order.status != "disputed":
        raise AppError(_l("Photos can be added to an open dispute only."), status=409, code="not_disputed")
    if len(order.dispute_photos) >= MAX_DISPUTE_PHOTOS:
        raise AppError(
            _l("A dispute holds at most %(n)d photos.", n=MAX_DISPUTE_PHOTOS),
            status=409,
            code="too_many_photos",
        )
    saved = save_photo(file)
    photo = DisputePhoto(
        order_id=order.id,
        file_name=saved["file_name"],
        thumb_name=saved["thumb_name"],
        uploaded_by_id=user.id,
    )
    db.session.add(photo)
    db.session.commit()
    return photo


def dispute_photo_for(user, order_id: int, photo_id: int):
    """A dispute photo the user may see (the order's parties, admins)."""
    from marketplace.models import DisputePhoto

    order = order_for(user, order_id)
    photo = db.session.get(DisputePhoto, photo_id)
    if photo is None or photo.order_id != order.id:
        raise NotFound()
    return photo


def consequences(user, order_id: int, to_status: str) -> list:
    """What moving the order to ``to_status`` will do, in the words of the person about to do
    it (shown on the confirmation page of an irreversible step).

    :raise 404: not an order the user may see
    """
    order = order_for(user, order_id)
    total = format_currency(order.total, order.currency)
    said = []
    if to_status == "cancelled":
        said.append(_l("Order %(number)s is cancelled for good; it cannot be reopened.", number=order.number))
        said.append(_l("The reserved goods go back on sale."))
        if order.payment_status in ("paid", "partially_paid"):
            said.append(_l("The money the buyer paid is refunded to them."))
        else:
            said.append(_l("Nothing has been paid, so nothing is refunded."))
        said.append(_l("Both parties are told by e-mail."))
    elif to_status == "completed":
        said.append(
            _l("You confirm that the goods of order %(number)s arrived as ordered.", number=order.number)
        )
        said.append(
            _l("The payment held in escrow (%(total)s) is released to the producer for payout.", total=total)
        )
        said.append(_l("After this you can no longer open a dispute about this order."))
    return said
