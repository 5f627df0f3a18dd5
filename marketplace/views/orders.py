"""Marketplace pages: cart, checkout, orders with their timeline, RFQ board."""

from decimal import Decimal
from functools import partial

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from catalog import queries as catalog_queries
from catalog import uploads
from catalog.data import UNIT_LABELS
from catalog.services import products as catalog_products
from core.auth import roles_required
from core.errors import AppError, NotFound
from core.extensions import db
from core.fields import ID_MAX
from core.forms import flash_error, flash_form_errors, service_call, show_errors
from core.i18n import safe_next
from core.numbers import LocalNumberError, parse_local_decimal
from core.pagination import paginate
from core.security import no_store
from core.uploads import storage
from marketplace import bp
from marketplace.forms import (
    AddToCartForm,
    CartQuantityForm,
    CheckoutForm,
    QuoteForm,
    ReasonForm,
    ResolveForm,
    RfqForm,
)
from marketplace.models import ORDER_STATUSES
from marketplace.services import cart as cart_service
from marketplace.services import orders as order_service
from marketplace.services import rfq as rfq_service
from marketplace.services.lifecycle import PIPELINE, allowed_moves
from marketplace.services.payments import intake

ACTIONS = {  # URL word → target status
    "confirm": "confirmed",
    "ready": "ready_for_pickup",
    "cancel": "cancelled",
    "receive": "completed",
    "dispute": "disputed",
}


#: Steps that cannot be undone, asked twice: URL word → the button on the confirmation page.
CONFIRM_FIRST = {
    "cancel": _l("Cancel the order"),
    "receive": _l("Confirm receipt and release the payment"),
}


def _details(form) -> dict:
    return {
        name: getattr(form, name).data
        for name in ("incoterm", "named_place", "quota", "delivery_contact", "buyer_reference", "note")
    }


def product_order(product, quantity_text) -> str:
    """The product page's ordering part: add to cart, ask for a quote (catalog's hook
    'product-order')."""
    return render_template("marketplace/_product_order.html", product=product, quantity_text=quantity_text)


@bp.get("/cart")
@roles_required("buyer")
def cart():
    """The cart grouped by producer with tier and MOQ hints. Buyers."""
    groups = cart_service.view(current_user)
    return render_template(
        "marketplace/cart.html",
        groups=groups,
        total=cart_service.total(groups),
        form=CheckoutForm(),
        qty_form=CartQuantityForm(),
        unit_labels=UNIT_LABELS,
    )


@bp.post("/cart/add")
@roles_required("buyer")
def cart_add():
    """Add a product from its page. Buyers; a quantity below the MOQ is refused with a message."""
    form = AddToCartForm()
    back = safe_next(form.next.data, url_for("marketplace.cart"))
    if not form.validate_on_submit() or not form.product_id.data.isdigit():
        flash(_("Enter a quantity."), "error")
        return redirect(back)
    with service_call(show=_flash_cart_error):
        cart_service.add(current_user, int(form.product_id.data), form.quantity.data, localized=True)
        flash(_("Added to your cart."), "success")
        return redirect(url_for("marketplace.cart"))
    return redirect(back)


@bp.post("/cart/items/<id:item_id>")
@roles_required("buyer")
def cart_update(item_id):
    """Change a line's quantity. Buyers (own cart)."""
    form = CartQuantityForm()
    if form.validate_on_submit():
        with service_call(show=_flash_cart_error):
            cart_service.set_quantity(current_user, item_id, form.quantity.data, localized=True)
    else:
        flash_form_errors(form)
    return redirect(url_for("marketplace.cart"))


def _flash_cart_error(exc: AppError) -> None:
    """The service's reason (the MOQ or the stock, with the quantity and the unit)."""
    flash_error(exc)


@bp.post("/cart/items/<id:item_id>/remove")
@roles_required("buyer")
def cart_remove(item_id):
    """Remove a line. Buyers (own cart)."""
    if ReasonForm().validate_on_submit():
        with service_call(silent=True):  # a line already gone needs no message
            cart_service.remove(current_user, item_id)
    return redirect(url_for("marketplace.cart"))


@bp.post("/checkout")
@roles_required("buyer")
def checkout():
    """Check out: one order per producer. Buyers."""
    form = CheckoutForm()
    if not form.validate_on_submit():
        groups = cart_service.view(current_user)
        return render_template(
            "marketplace/cart.html",
            groups=groups,
            total=cart_service.total(groups),
            form=form,
            qty_form=CartQuantityForm(),
            unit_labels=UNIT_LABELS,
        ), 422
    with service_call(show=partial(_show_checkout_error, form)) as call:
        created = cart_service.checkout(current_user, _details(form))
        flash(_("Thank you! %(n)d order(s) placed.", n=len(created.orders)), "success")
        return redirect(url_for("marketplace.checkout_done", checkout_id=created.id))
    if call.error is not None and call.error.code == "company_incomplete":
        # The buyer's company comes first: its page, then back to the cart.
        return redirect(url_for("accounts.company_page", next=url_for("marketplace.cart")))
    return redirect(url_for("marketplace.cart"))


def _show_checkout_error(form, exc: AppError) -> None:
    if exc.code == "insufficient_stock":
        flash(_("Not enough stock for some lines; please lower the quantities."), "error")
    elif exc.code == "company_incomplete":
        flash(str(exc.message), "info")
    else:
        show_errors(form, exc)


@bp.get("/checkouts/<id:checkout_id>")
@roles_required("buyer")
def checkout_done(checkout_id):
    """What a checkout created, and how to pay. The checkout's buyer."""
    from marketplace.models import Checkout

    created = db.session.get(Checkout, checkout_id)
    if created is None or created.buyer_id != current_user.id:
        return render_template("core/error.html", status=404, message=_("Not found.")), 404
    return render_template(
        "marketplace/checkout_done.html",
        checkout=created,
        pay_form=ReasonForm(),
        methods=intake.available_methods(),
    )


@bp.get("/orders")
@roles_required("buyer", "farmer", "admin", "operator")
def orders():
    """The caller's orders, filtered by status. Buyers, farmers, admins (all), operators (all)."""
    status = request.args.get("status") or None
    if status not in ORDER_STATUSES:
        status = None
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and 0 < int(page) < 100000 else 1
    result = paginate(order_service.orders_query(current_user, status=status), page, 20)
    return render_template("marketplace/orders.html", result=result, status=status, statuses=ORDER_STATUSES)


@bp.get("/orders/<id:order_id>")
@login_required
def order_detail(order_id):
    """One order: lines, totals, timeline, history and the moves the viewer may make. Parties."""
    order = order_service.order_for(current_user, order_id)
    party = order.is_party(current_user) or current_user.role == "admin"
    return render_template(
        "marketplace/order.html",
        order=order,
        moves=allowed_moves(order, current_user) if party else [],
        pipeline=PIPELINE,
        reason_form=ReasonForm(),
        resolve_form=ResolveForm(),
        payments=intake.payments_of(current_user, order.id),
        methods=intake.available_methods(),
        pay_form=ReasonForm(),
    )


@bp.post("/orders/<id:order_id>/<any(confirm, ready, cancel, receive, dispute):action>")
@login_required
def order_action(order_id, action):
    """Confirm / ready / cancel / receive / dispute from the order page. The parties, by role.

    Cancelling and confirming receipt cannot be undone: without ``confirmed=1`` they answer
    with a page saying what will happen and asking again.
    """
    form = ReasonForm()
    if form.validate_on_submit():
        if action in CONFIRM_FIRST and request.form.get("confirmed") != "1":
            with service_call(show=flash_error):
                said = order_service.consequences(current_user, order_id, ACTIONS[action])
                return render_template(
                    "core/confirm.html",
                    title=CONFIRM_FIRST[action],
                    consequences=said,
                    action=url_for("marketplace.order_action", order_id=order_id, action=action),
                    fields={"reason": form.reason.data} if form.reason.data else {},
                    confirm_label=CONFIRM_FIRST[action],
                    back=url_for("marketplace.order_detail", order_id=order_id),
                    form=form,
                )
            return redirect(url_for("marketplace.order_detail", order_id=order_id))
        with service_call(show=flash_error):
            order_service.transition(current_user, order_id, ACTIONS[action], form.reason.data or "")
            if action == "dispute":
                for photo in request.files.getlist("photos"):
                    if photo and photo.filename:
                        order_service.add_dispute_photo(current_user, order_id, photo)
            flash(_("The order is updated."), "success")
    else:
        flash_form_errors(form)
    return redirect(url_for("marketplace.order_detail", order_id=order_id))


@bp.post("/orders/<id:order_id>/resolve")
@roles_required("admin")
def order_resolve(order_id):
    """Settle a dispute. Admins."""
    form = ResolveForm()
    if form.validate_on_submit():
        with service_call():
            order_service.resolve_dispute(
                current_user, order_id, form.resolution.data, form.refund_amount.data, form.note.data or ""
            )
            flash(_("The dispute is settled."), "success")
    else:
        flash_form_errors(form)
    return redirect(url_for("marketplace.order_detail", order_id=order_id))


# ---- RFQs -------------------------------------------------------------------------------------


def _rfq_form() -> RfqForm:
    form = RfqForm()
    form.category.choices = [("", _("—"))] + [
        (c.code, c.names.get(_lang(), c.name_en)) for c in catalog_queries.categories()
    ]
    form.unit.choices = [(code, str(label)) for code, label in UNIT_LABELS.items()]
    return form


def _lang():
    from core.i18n import current_language

    return current_language()


@bp.get("/rfqs")
@roles_required("buyer", "farmer", "admin")
def rfqs():
    """RFQ board: a buyer's own requests, a farmer's open requests to answer, all for admins."""
    items = rfq_service.rfqs_for(current_user, status=None if current_user.role != "farmer" else "open")
    return render_template("marketplace/rfqs.html", rfqs=items)


@bp.route("/rfqs/new", methods=["GET", "POST"])
@roles_required("buyer")
def rfq_new():
    """Post a request for quotation. Buyers."""
    form = _rfq_form()
    product = None
    if request.method == "GET":
        form.product_id.data = request.args.get("product_id", "")
        form.producer_id.data = request.args.get("producer_id", "")
        product = _rfq_product(form.product_id.data)
        if product is not None:  # started from a product page: its unit, the quantity typed there
            form.producer_id.data = str(product.producer_id)
            form.unit.data = product.unit
            form.category.data = product.category_code
            form.quantity.data = _typed_quantity(request.args.get("quantity")) or product.moq
    else:
        product = _rfq_product(form.product_id.data)
    if form.validate_on_submit():
        data = {
            "description": form.description.data,
            "quantity": form.quantity.data,
            "unit": form.unit.data,
            "target_price": form.target_price.data,
            "incoterm": form.incoterm.data,
            "named_place": form.named_place.data,
            "deadline": form.deadline.data,
            "category": form.category.data or None,
            "product_id": int(form.product_id.data) if (form.product_id.data or "").isdigit() else None,
            "producer_id": int(form.producer_id.data) if (form.producer_id.data or "").isdigit() else None,
        }
        # "Choose a producer, a product or a category" belongs to the category box the buyer sees.
        with service_call(form, field_map={"producer_id": "category", "product_id": "category"}):
            rfq = rfq_service.create_rfq(current_user, data)
            flash(_("Your request is posted."), "success")
            return redirect(url_for("marketplace.rfq_detail", rfq_id=rfq.id))
    return render_template(
        "marketplace/rfq_new.html", form=form, product=product
    ), 422 if form.errors else 200


def _rfq_product(product_id):
    """The product an RFQ is about, when the buyer may see it (else the request is a free one)."""
    if not (product_id or "").isdigit() or not 0 < int(product_id) <= ID_MAX:
        return None
    try:
        return catalog_products.get_product(current_user, int(product_id))
    except NotFound:
        return None


def _typed_quantity(text):
    try:
        quantity = parse_local_decimal(text) if text else None
    except LocalNumberError:
        return None
    return quantity if quantity and quantity > 0 else None


@bp.get("/rfqs/<id:rfq_id>")
@roles_required("buyer", "farmer", "admin")
def rfq_detail(rfq_id):
    """A request with its quotes; farmers see a quote form. Those it is addressed to."""
    rfq = rfq_service.rfq_for(current_user, rfq_id)
    quote_form = None
    if current_user.role == "farmer":
        quote_form = QuoteForm()
        quote_form.product_id.choices = _own_product_choices()
    quotes = (
        rfq.quotes
        if current_user.role != "farmer"
        else [q for q in rfq.quotes if q.producer.owner_id == current_user.id]
    )
    return render_template(
        "marketplace/rfq.html", rfq=rfq, quotes=quotes, quote_form=quote_form, accept_form=ReasonForm()
    )


def _own_product_choices():
    return [
        (p.id, p.names.get(_lang()) or p.name_ru or p.name_zh or p.name_en)
        for p in catalog_products.my_products(current_user, "active")
    ]


@bp.post("/rfqs/<id:rfq_id>/quote")
@roles_required("farmer")
def rfq_quote(rfq_id):
    """Answer a request with a quote. Verified farmers it is addressed to."""
    form = QuoteForm()
    form.product_id.choices = _own_product_choices()
    if form.validate_on_submit():
        with service_call():
            rfq_service.submit_quote(
                current_user,
                rfq_id,
                {
                    "product_id": form.product_id.data,
                    "unit_price": Decimal(form.unit_price.data),
                    "valid_until": form.valid_until.data,
                    "lead_time_days": form.lead_time_days.data or 0,
                    "note": form.note.data or "",
                },
            )
            flash(_("Your quote is sent."), "success")
    else:
        for errors in form.errors.values():
            flash(" ".join(str(e) for e in errors), "error")
    return redirect(url_for("marketplace.rfq_detail", rfq_id=rfq_id))


@bp.post("/quotes/<id:quote_id>/accept")
@roles_required("buyer")
def quote_accept(quote_id):
    """Accept a quote: an order at its price. The request's buyer."""
    if ReasonForm().validate_on_submit():
        with service_call():
            order = rfq_service.accept_quote(current_user, quote_id)
            flash(_("Quote accepted: order %(number)s is placed.", number=order.number), "success")
            return redirect(url_for("marketplace.order_detail", order_id=order.id))
    return redirect(url_for("marketplace.rfqs"))


@bp.get("/orders/<id:order_id>/dispute-photos/<id:photo_id>")
@login_required
def dispute_photo(order_id, photo_id):
    """A dispute photo. The order's parties and admins (404 to others)."""
    photo = order_service.dispute_photo_for(current_user, order_id, photo_id)
    name = photo.thumb_name if request.args.get("size") == "thumb" else photo.file_name
    return no_store(storage().response(uploads.key("photos", name), mimetype="image/jpeg"))
