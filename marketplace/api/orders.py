"""/api/v1/orders, cart and checkout, RFQs and quotes."""

from flask import jsonify, request
from flask_smorest import Blueprint

from core.auth import api_auth, api_user
from core.pagination import paginate
from marketplace import schemas as s
from marketplace.services import cart as cart_service
from marketplace.services import idempotency
from marketplace.services import orders as order_service
from marketplace.services import rfq as rfq_service
from marketplace.services import terms as terms_service

blp = Blueprint("orders_api", __name__, url_prefix="/api/v1", description="Orders, cart, RFQs")
CREATE_SCOPE = "POST /api/v1/orders"


@blp.post("/orders")
@api_auth("buyer")
@blp.arguments(s.OrderCreateSchema)
@blp.response(201, s.OrderSchema)
@blp.alt_response(404, description="A product is unknown or not orderable")
@blp.alt_response(409, description="insufficient_stock (short_lines), or a retry still in flight")
@blp.alt_response(422, description="Validation, below_moq, multiple_producers, or an Idempotency-Key reused")
@blp.doc(
    parameters=[
        {
            "in": "header",
            "name": "Idempotency-Key",
            "required": False,
            "schema": {"type": "string", "maxLength": 255},
            "description": "Retries with the same key and body return the first answer",
        }
    ],
)
def create_order(data):
    """Place an order with the lines of one producer. Buyers only.

    :raise 403: not a buyer
    :raise 409: not enough stock; the same Idempotency-Key is still being processed
    :raise 422: bad lines, below MOQ, several producers, key reused with another body
    """
    user = api_user()
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return order_service.place_order(user, data)
    status, answer, replayed = idempotency.once(
        user,
        CREATE_SCOPE,
        key,
        request.get_json(silent=True),
        work=lambda: order_service.place_order(user, data, commit=False),
        dump=s.OrderSchema().dump,
    )
    response = jsonify(answer)  # already serialised: a Response passes the schema untouched
    response.status_code = status
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


@blp.get("/me/trade-terms")
@api_auth("buyer")
@blp.response(200, s.BuyerTermsSchema)
def get_trade_terms():
    """The caller's standing quota answer and required shelf life on arrival. Buyers."""
    return terms_service.view(api_user())


@blp.put("/me/trade-terms")
@api_auth("buyer")
@blp.arguments(s.BuyerTermsSchema)
@blp.response(200, s.BuyerTermsSchema)
def put_trade_terms(data):
    """Set the caller's standing quota answer (holds an import quota certificate or not) and the
    share of shelf life they require on arrival (null: the platform's default). Buyers.

    :raise 422: a share not in (0, 1]
    """
    return terms_service.save(api_user(), data)


@blp.get("/orders")
@api_auth("buyer", "farmer", "admin", "operator")
@blp.arguments(s.OrderQuerySchema, location="query")
@blp.response(200, s.OrderPageSchema)
def list_orders(args):
    """The caller's orders: a buyer's placed, a farmer's received, all for admin. Paginated."""
    from datetime import UTC, datetime, time, timedelta

    start = args.get("created_from")
    end = args.get("created_to")
    stmt = order_service.orders_query(
        api_user(),
        status=args.get("status"),
        created_from=datetime.combine(start, time.min, UTC) if start else None,
        created_to=datetime.combine(end, time.min, UTC) + timedelta(days=1) if end else None,
    )
    return paginate(stmt, args["page"], args["per_page"])


@blp.get("/orders/<id:order_id>")
@api_auth()
@blp.response(200, s.OrderSchema)
@blp.alt_response(404, description="Unknown, or not a party to it")
def get_order(order_id):
    """One order with lines and history. Its buyer, its producer, admins and operators; 404 to others."""
    return order_service.order_for(api_user(), order_id)


def _move(order_id, to_status, reason=""):
    return order_service.transition(api_user(), order_id, to_status, reason)


@blp.post("/orders/<id:order_id>/confirm")
@api_auth("farmer")
@blp.response(200, s.OrderSchema)
@blp.alt_response(409, description="Illegal transition (current_status given)")
def confirm_order(order_id):
    """The producer confirms a paid order. The order's farmer."""
    return _move(order_id, "confirmed")


@blp.post("/orders/<id:order_id>/ready")
@api_auth("farmer")
@blp.response(200, s.OrderSchema)
@blp.alt_response(409, description="Illegal transition")
def ready_order(order_id):
    """Goods are packed and ready for pickup. The order's farmer."""
    return _move(order_id, "ready_for_pickup")


@blp.post("/orders/<id:order_id>/cancel")
@api_auth("buyer", "farmer", "admin")
@blp.arguments(s.ReasonSchema)
@blp.response(200, s.OrderSchema)
@blp.alt_response(409, description="Illegal transition")
def cancel_order(data, order_id):
    """Cancel: the buyer before confirmation; the farmer (with a reason) before pickup; an admin."""
    return _move(order_id, "cancelled", data["reason"])


@blp.post("/orders/<id:order_id>/receive")
@api_auth("buyer")
@blp.response(200, s.OrderSchema)
@blp.alt_response(409, description="Illegal transition")
def receive_order(order_id):
    """The buyer confirms receipt of delivered goods: the order completes. The order's buyer."""
    return _move(order_id, "completed")


@blp.post("/orders/<id:order_id>/dispute")
@api_auth("buyer")
@blp.arguments(s.ReasonSchema)
@blp.response(200, s.OrderSchema)
@blp.alt_response(409, description="Illegal transition or window closed")
def dispute_order(data, order_id):
    """Dispute a delivered order within the confirmation window, with a reason. The order's buyer."""
    return _move(order_id, "disputed", data["reason"])


@blp.post("/orders/<id:order_id>/dispute/photos")
@api_auth("buyer")
@blp.arguments(s.UploadSchema, location="files")
@blp.response(201, s.DisputePhotoSchema)
@blp.alt_response(409, description="The order is not disputed, or has 10 photos already")
@blp.alt_response(413, description="File too large")
@blp.alt_response(422, description="Not an image")
def add_dispute_photo(files, order_id):
    """Attach a photo (JPEG, PNG, WebP or GIF) to the dispute. The order's buyer."""
    return order_service.add_dispute_photo(api_user(), order_id, files.get("file"))


@blp.post("/orders/<id:order_id>/resolve")
@api_auth("admin")
@blp.arguments(s.ResolveSchema)
@blp.response(200, s.OrderSchema)
@blp.alt_response(409, description="The order is not disputed")
def resolve_order(data, order_id):
    """Settle a dispute: release, partial_refund (refund_amount) or full_refund. Admins."""
    return order_service.resolve_dispute(
        api_user(), order_id, data["resolution"], data.get("refund_amount"), data["note"]
    )


# ---- cart and checkout ------------------------------------------------------------------------


def _cart_body(user):
    groups = cart_service.view(user)
    return {"groups": groups, "total": cart_service.total(groups), "currency": "CNY"}


@blp.get("/cart")
@api_auth("buyer")
@blp.response(200, s.CartSchema)
def get_cart():
    """The buyer's cart grouped by producer, with tier prices and MOQ flags. Buyers."""
    return _cart_body(api_user())


@blp.post("/cart/items")
@api_auth("buyer")
@blp.arguments(s.CartItemInSchema)
@blp.response(200, s.CartSchema)
@blp.alt_response(409, description="More than is in stock (``insufficient_stock``, with ``shortfalls``)")
def add_cart_item(data):
    """Add a product (or set its quantity with ``replace``); the MOQ and the stock apply. Buyers."""
    cart_service.add(api_user(), data["product_id"], data["quantity"], replace=data["replace"])
    return _cart_body(api_user())


@blp.delete("/cart/items/<id:item_id>")
@api_auth("buyer")
@blp.response(200, s.CartSchema)
def remove_cart_item(item_id):
    """Remove a line from the cart. Buyers (own cart)."""
    cart_service.remove(api_user(), item_id)
    return _cart_body(api_user())


@blp.post("/checkouts")
@api_auth("buyer")
@blp.arguments(s.OrderDetailsSchema)
@blp.response(201, s.CheckoutSchema)
@blp.alt_response(409, description="insufficient_stock")
def create_checkout(data):
    """Check out the cart: one order per producer, paid together. Buyers."""
    return cart_service.checkout(api_user(), data)


# ---- RFQs ---------------------------------------------------------------------------------------


@blp.post("/rfqs")
@api_auth("buyer")
@blp.arguments(s.RfqInSchema)
@blp.response(201, s.RfqSchema)
def create_rfq(data):
    """Post a request for quotation to a producer, a product's producer, or a category. Buyers."""
    return rfq_service.create_rfq(api_user(), data)


@blp.get("/rfqs")
@api_auth("buyer", "farmer", "admin")
@blp.arguments(s.RfqQuerySchema, location="query")
@blp.response(200, s.RfqSchema(many=True))
def list_rfqs(args):
    """Buyer: own requests; farmer: open requests addressed to them; admin: all."""
    status = args.get("status", "open")
    return rfq_service.rfqs_for(api_user(), None if status == "all" else status)


@blp.get("/rfqs/<id:rfq_id>")
@api_auth("buyer", "farmer", "admin")
@blp.response(200, s.RfqSchema)
def get_rfq(rfq_id):
    """One request with its quotes; 404 to those it is not addressed to."""
    return rfq_service.rfq_for(api_user(), rfq_id)


@blp.get("/rfqs/<id:rfq_id>/quotes")
@api_auth("buyer", "farmer", "admin")
@blp.response(200, s.QuoteSchema(many=True))
def list_quotes(rfq_id):
    """The quotes on a request: all for its buyer and admins, a farmer's own for a farmer."""
    user = api_user()
    rfq = rfq_service.rfq_for(user, rfq_id)
    if user.role == "farmer":
        return [q for q in rfq.quotes if q.producer.owner_id == user.id]
    return rfq.quotes


@blp.post("/rfqs/<id:rfq_id>/quotes")
@api_auth("farmer")
@blp.arguments(s.QuoteInSchema)
@blp.response(201, s.QuoteSchema)
def create_quote(data, rfq_id):
    """Quote on an open request with one of your active products. Verified farmers."""
    return rfq_service.submit_quote(api_user(), rfq_id, data)


@blp.post("/quotes/<id:quote_id>/accept")
@api_auth("buyer")
@blp.arguments(s.AcceptSchema)
@blp.response(201, s.OrderSchema)
@blp.alt_response(409, description="Expired or closed quote, or not enough stock")
def accept_quote(data, quote_id):
    """Accept a quote: an order at the quoted price. The request's buyer."""
    return rfq_service.accept_quote(api_user(), quote_id, data)
