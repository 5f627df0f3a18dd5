"""Pages: document PDFs for signed-in parties, the landed-cost calculator, and the admin page
for exchange rates, duty/VAT rates and freight tariffs."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from catalog.models import Product
from core.auth import roles_required
from core.errors import NotFound
from core.extensions import db
from core.forms import service_call
from fx import services as fx
from fx.views import admin_page
from logistics.models import BorderCrossing
from trade import bp, drawing, landed_cost, services
from trade.api import pdf_response
from trade.forms import DutyRateForm, TariffForm


@bp.get("/orders/<id:order_id>/documents/<any(proforma, commercial_invoice, packing_list):kind>.pdf")
@login_required
def order_document(order_id, kind):
    """An order's PDF for the page's links. Same rules as the API (404 / 409 as a page)."""
    if kind == "packing_list":
        items = services.packing_lists_for_order(current_user, order_id)
        return pdf_response(drawing.packing_list(items), items[0][0].number)
    document, order = services.order_document(current_user, order_id, kind)
    render = drawing.proforma if kind == "proforma" else drawing.commercial_invoice
    return pdf_response(render(document, order), document.number)


@bp.get("/shipments/<id:shipment_id>/documents/packing_list.pdf")
@login_required
def shipment_packing_list(shipment_id):
    """A shipment's packing list. Operators, admins; parties see their packages only."""
    document, shipment, shown = services.packing_list_for_shipment(current_user, shipment_id)
    return pdf_response(drawing.packing_list([(document, shipment, shown)]), document.number)


@bp.get("/catalog/products/<id:product_id>/label-sheet.pdf")
@login_required
def label_sheet(product_id):
    """A product's GB 7718 label data sheet. Its farmer, admins, buyers who ordered it."""
    document, product, importer_order = services.label_sheet(current_user, product_id)
    return pdf_response(drawing.label_sheet(document, product, importer_order), document.number)


@bp.get("/landed-cost")
def landed_cost_page():
    """The landed-cost calculator for a product and quantity. Whoever may see the product."""
    product_id = request.args.get("product_id", "")
    product = None
    if product_id.isdigit():
        product = db.session.get(Product, int(product_id))
    user = current_user if current_user.is_authenticated else None
    if product is None or not product.visible_to(user):
        raise NotFound(_("Product not found."))
    estimate = page_estimate(user, product, request.args)
    return render_template("trade/landed_cost.html", product=product, **estimate)


def route_choices() -> dict:
    """Modes and crossings that have a tariff, for the partial's route selector."""
    crossings = db.session.query(BorderCrossing).order_by(BorderCrossing.position).all()
    return {
        "modes": [("rail", _("Rail")), ("road", _("Road")), ("multimodal", _("Multimodal"))],
        "crossings": [(c.code, c.names) for c in crossings],
    }


def _route(args) -> tuple[str, str]:
    return (
        args.get("mode") or landed_cost.DEFAULT_MODE,
        args.get("border_crossing") or landed_cost.DEFAULT_CROSSING,
    )


def page_estimate(user, product, args) -> dict:
    """Template variables for ``_landed_cost.html`` on a product page: ``landed``,
    ``landed_error``, ``landed_route``, ``landed_quantity``, ``landed_choices``, ``landed_rub``."""
    mode, crossing = _route(args)
    quantity = (args.get("quantity") or "").strip().replace(",", ".")
    landed = error = None
    if quantity:
        landed, error = landed_cost.safe(landed_cost.for_product, user, product.id, quantity, mode, crossing)
    return _context(landed, error, mode, crossing, quantity)


def order_estimate(user, order, args) -> dict:
    """Template variables for ``_landed_cost.html`` on the order page."""
    mode, crossing = _route(args)
    landed, error = landed_cost.safe(landed_cost.for_order_object, order, mode, crossing)
    return _context(landed, error, mode, crossing, None)


def cart_estimate(buyer, args) -> dict:
    """Template variables for ``_landed_cost.html`` in the cart."""
    mode, crossing = _route(args)
    landed, error = landed_cost.safe(landed_cost.for_cart, buyer, mode, crossing)
    return _context(landed, error, mode, crossing, None)


def _context(landed, error, mode, crossing, quantity) -> dict:
    rub = fx.convert(landed.total) if landed is not None and landed.total is not None else None
    return {
        "landed": landed,
        "landed_error": error,
        "landed_route": {"mode": mode, "border_crossing": crossing},
        "landed_quantity": quantity,
        "landed_choices": route_choices(),
        "landed_rub": rub,
    }


# ---- parts of lower modules' pages (template hooks, registered in trade.register) -----------


def product_sidebar(product) -> str:
    """The product page: the landed cost for the quantity asked, the label sheet link."""
    user = current_user._get_current_object() if current_user.is_authenticated else None
    estimate = page_estimate(user, product, request.args)
    return render_template("trade/_product_sidebar.html", product=product, **estimate)


def order_documents(order) -> str:
    """The order page: links to its PDFs and its landed cost."""
    estimate = order_estimate(current_user, order, request.args)
    return render_template("trade/_documents.html", order=order) + render_template(
        "trade/_landed_cost.html", **estimate
    )


def cart_summary(buyer) -> str:
    """The cart: the landed cost of what is in it."""
    return render_template("trade/_landed_cost.html", **cart_estimate(buyer, request.args))


def payment_documents(payment) -> str:
    """A bank-transfer payment: the proformas to pay against."""
    return render_template("trade/_payment_documents.html", payment=payment)


def shipment_documents(shipment_id) -> str:
    """A shipment's page: its packing list."""
    return render_template("trade/_shipment_documents.html", shipment_id=shipment_id)


# ---- admin ---------------------------------------------------------------------------------------


def _tariff_form(**kwargs) -> TariffForm:
    form = TariffForm(**kwargs)
    crossings = db.session.query(BorderCrossing).order_by(BorderCrossing.position).all()
    form.border_crossing.choices = [(c.code, c.name_en) for c in crossings]
    return form


def admin_sections(forms) -> str:
    """Duty/VAT rates and freight tariffs on the admin's "Rates and tariffs" page (fx's hook
    'admin-rates'); ``forms`` may carry a bound ``duty_form`` or ``tariff_form``."""
    return render_template(
        "trade/_admin_rates.html",
        duty_rates=landed_cost.duty_rates(),
        tariffs=landed_cost.tariffs(),
        duty_form=forms.get("duty_form") or DutyRateForm(),
        tariff_form=forms.get("tariff_form") or _tariff_form(),
    )


@bp.post("/admin/rates/duty")
@roles_required("admin")
def admin_save_duty():
    """Create or change a duty/VAT rate. Admins."""
    form = DutyRateForm()
    if not form.validate_on_submit():
        return admin_page(422, duty_form=form)
    with service_call(form) as call:
        landed_cost.save_duty_rate(
            current_user,
            form.hs_prefix.data,
            form.duty_percent.data,
            form.vat_percent.data,
            form.unconfirmed.data,
            form.note.data,
        )
        flash(_("The duty rate is saved."), "success")
        return redirect(url_for("fx.admin_rates"))
    return admin_page(call.error.status, duty_form=form)


@bp.post("/admin/rates/tariff")
@roles_required("admin")
def admin_save_tariff():
    """Create or change a freight tariff. Admins."""
    form = _tariff_form()
    if not form.validate_on_submit():
        return admin_page(422, tariff_form=form)
    with service_call(form) as call:
        landed_cost.save_tariff(
            current_user,
            form.mode.data,
            form.border_crossing.data,
            form.cny_per_kg.data,
            form.unconfirmed.data,
            form.note.data,
        )
        flash(_("The tariff is saved."), "success")
        return redirect(url_for("fx.admin_rates"))
    return admin_page(call.error.status, tariff_form=form)
