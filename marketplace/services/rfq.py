"""Requests for quotation: a buyer asks, producers quote, the buyer accepts one → an order."""

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from catalog.models import Category, Producer, Product
from core.errors import AppError, Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.mail import queue_email
from core.timeutil import utcnow
from marketplace.models import Quote, Rfq
from marketplace.services import orders as order_service

#: A request for quotes is about a coming harvest or shipment, not a far future: a deadline
#: beyond this is a typo (year 2062 for 2026), not a plan.
MAX_DEADLINE_DAYS = 366


def _today() -> date:
    return utcnow().date()


def own_producer(user) -> Producer:
    producer = db.session.scalar(select(Producer).where(Producer.owner_id == user.id))
    if producer is None or not producer.verified:
        raise Forbidden(_l("Only verified producers can quote."))
    return producer


def create_rfq(buyer, data: dict) -> Rfq:
    if buyer.role != "buyer":
        raise Forbidden(_l("Only buyers post requests for quotation."))
    producer_id, category_code, product_id = (
        data.get("producer_id"),
        data.get("category"),
        data.get("product_id"),
    )
    product = None
    if product_id is not None:
        product = order_service.orderable_product(product_id, buyer)
        producer_id = producer_id or product.producer_id
        category_code = category_code or product.category_code
    if producer_id is not None:
        producer = db.session.get(Producer, producer_id)
        if producer is None or not producer.verified:
            raise NotFound(_l("Producer not found."))
    if category_code is not None and db.session.get(Category, category_code) is None:
        raise ValidationFailed(_l("Unknown category."), fields={"category": [_l("Unknown category.")]})
    if producer_id is None and category_code is None:
        message = _l("Choose a producer, a product or a category.")
        raise ValidationFailed(message, fields={"producer_id": [message]})
    if data["deadline"] < _today():
        message = _l("The deadline is in the past.")
        raise ValidationFailed(message, fields={"deadline": [message]})
    if data["deadline"] > _today() + timedelta(days=MAX_DEADLINE_DAYS):
        message = _l("The deadline can be at most %(n)d days ahead.", n=MAX_DEADLINE_DAYS)
        raise ValidationFailed(message, fields={"deadline": [message]})
    terms = order_service.trade_terms(
        {"incoterm": data.get("incoterm") or "DAP", "named_place": data.get("named_place")}, None, buyer
    )
    rfq = Rfq(
        buyer_id=buyer.id,
        producer_id=producer_id,
        category_code=category_code,
        product_id=product.id if product else None,
        description=data["description"].strip(),
        quantity=data["quantity"],
        unit=data.get("unit") or (product.unit if product else "kg"),
        target_price=data.get("target_price"),
        incoterm=terms["incoterm"],
        named_place=terms["named_place"],
        deadline=data["deadline"],
    )
    db.session.add(rfq)
    db.session.flush()
    for owner in audience_owners(rfq):
        queue_email(
            owner.email,
            owner.language,
            "marketplace/email/rfq_new",
            time_zone=owner.time_zone,
            rfq_id=rfq.id,
            description=rfq.description,
            quantity=str(rfq.quantity),
            unit=rfq.unit,
        )
    db.session.commit()
    return rfq


def audience_owners(rfq: Rfq):
    """The farmers an RFQ is addressed to (its producer's, or every verified one of its category)."""
    stmt = select(Producer).options(selectinload(Producer.owner)).where(Producer.status == "verified")
    if rfq.producer_id:
        stmt = stmt.where(Producer.id == rfq.producer_id)
    else:
        stmt = stmt.where(Producer.products.any(Product.category_code == rfq.category_code))
    return [p.owner for p in db.session.scalars(stmt)]


def rfqs_for(user, status: str | None = "open"):
    """Buyer: their own. Farmer: open ones addressed to them or their categories. Admin: all."""
    stmt = select(Rfq).options(selectinload(Rfq.quotes)).order_by(Rfq.deadline, Rfq.id)
    if user.role == "buyer":
        stmt = stmt.where(Rfq.buyer_id == user.id)
    elif user.role == "farmer":
        producer = db.session.scalar(select(Producer).where(Producer.owner_id == user.id))
        if producer is None:
            return []
        categories = select(Product.category_code).where(Product.producer_id == producer.id)
        stmt = stmt.where(
            or_(
                Rfq.producer_id == producer.id,
                (Rfq.producer_id.is_(None)) & Rfq.category_code.in_(categories),
            )
        )
    elif user.role != "admin":
        raise Forbidden()
    if status:
        stmt = stmt.where(Rfq.status == status)
    return db.session.scalars(stmt).all()


def rfq_for(user, rfq_id: int) -> Rfq:
    rfq = db.session.get(Rfq, rfq_id)
    if rfq is None:
        raise NotFound(_l("Request not found."))
    if user.role == "admin" or rfq.buyer_id == user.id:
        return rfq
    if user.role == "farmer" and any(r.id == rfq.id for r in rfqs_for(user, status=None)):
        return rfq
    raise NotFound(_l("Request not found."))


def submit_quote(farmer, rfq_id: int, data: dict) -> Quote:
    producer = own_producer(farmer)
    rfq = rfq_for(farmer, rfq_id)
    if rfq.status != "open" or rfq.deadline < _today():
        raise Conflict(_l("This request no longer takes quotes."))
    product = db.session.get(Product, data["product_id"])
    if product is None or product.producer_id != producer.id or product.status != "active":
        message = _l("Quote one of your active products.")
        raise ValidationFailed(message, fields={"product_id": [message]})
    if data["valid_until"] < _today():
        message = _l("The quote would already be expired.")
        raise ValidationFailed(message, fields={"valid_until": [message]})
    if db.session.scalar(select(Quote).where(Quote.rfq_id == rfq.id, Quote.producer_id == producer.id)):
        raise Conflict(_l("You have already quoted on this request."), code="already_quoted")
    quote = Quote(
        rfq_id=rfq.id,
        producer_id=producer.id,
        product_id=product.id,
        unit_price=data["unit_price"],
        valid_until=data["valid_until"],
        lead_time_days=data.get("lead_time_days") or 0,
        note=(data.get("note") or "").strip(),
    )
    db.session.add(quote)
    buyer = rfq.buyer
    queue_email(
        buyer.email,
        buyer.language,
        "marketplace/email/quote_new",
        time_zone=buyer.time_zone,
        rfq_id=rfq.id,
        producer=producer.name_zh or producer.name_ru,
        unit_price=str(quote.unit_price),
    )
    db.session.commit()
    return quote


def accept_quote(buyer, quote_id: int, details: dict | None = None):
    """The buyer takes a quote: an order at its price; the request closes.

    :raise 404: not the buyer's; :raise 409: expired, not open, or not enough stock
    """
    quote = db.session.get(Quote, quote_id)
    if quote is None or quote.rfq.buyer_id != buyer.id:
        raise NotFound(_l("Quote not found."))
    if quote.status != "open" or quote.rfq.status != "open":
        raise Conflict(_l("This quote can no longer be accepted."), code="quote_not_open")
    if quote.expired():
        raise Conflict(_l("This quote has expired."), code="quote_expired")
    rfq = quote.rfq
    details = {"incoterm": rfq.incoterm, "named_place": rfq.named_place, **(details or {})}
    try:
        order = order_service.order_from_quote(buyer, quote, details)
        quote.status = "accepted"
        rfq.status = "accepted"
        for other in rfq.quotes:
            if other.id != quote.id and other.status == "open":
                other.status = "declined"
        db.session.commit()
    except AppError:
        db.session.rollback()
        raise
    return order
