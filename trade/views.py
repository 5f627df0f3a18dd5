"""Pages: document PDFs for signed-in parties, the landed-cost calculator, and the admin page
for exchange rates, duty/VAT rates and freight tariffs."""

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from catalog import incoterms
from catalog.models import Product
from core.auth import roles_required
from core.errors import NotFound
from core.extensions import db
from core.forms import service_call
from fx import services as fx
from fx.views import admin_page
from logistics.models import BorderCrossing
from marketplace.forms import QUOTA_LABELS
from trade import bp, contracts, landed_cost, services, tariff_book
from trade.api import pdf_response
from trade.forms import DUTY_FIELD_MAP, ContractForm, DutyRateForm, TariffForm, TariffImportForm


@bp.get("/orders/<id:order_id>/documents/<any(proforma, commercial_invoice, packing_list):kind>.pdf")
@login_required
def order_document(order_id, kind):
    """An order's PDF for the page's links: the latest revision's kept bytes. Same rules as
    the API (404 / 409 as a page)."""
    if kind == "packing_list":
        return pdf_response(services.packing_lists_for_order(current_user, order_id)[-1])
    document, _order = services.order_document(current_user, order_id, kind)
    return pdf_response(document)


@bp.get("/shipments/<id:shipment_id>/documents/packing_list.pdf")
@login_required
def shipment_packing_list(shipment_id):
    """A shipment's packing list. Operators, admins: the whole shipment's; parties: their order's."""
    return pdf_response(services.packing_list_for_shipment(current_user, shipment_id))


@bp.get("/catalog/products/<id:product_id>/label-sheet.pdf")
@login_required
def label_sheet(product_id):
    """A product's GB 7718 label data sheet. Its farmer, admins, buyers who ordered it."""
    document, _product = services.label_sheet(current_user, product_id)
    return pdf_response(document)


@bp.get("/orders/<id:order_id>/label-sheets/<id:product_id>.pdf")
@login_required
def order_label_sheet(order_id, product_id):
    """The label sheet of an order's product, naming the buyer's company as importer. The
    order's parties and admins (404 otherwise)."""
    return pdf_response(services.order_label_sheet(current_user, order_id, product_id))


@bp.get("/documents/<string(minlength=10, maxlength=20):number>.pdf")
@login_required
def document_file(number):
    """One issued document by number, for whoever may see its subject (404 otherwise)."""
    return pdf_response(services.document_by_number(current_user, number))


@bp.get("/contracts")
@roles_required("farmer", "buyer", "admin")
def contract_list():
    """The caller's export contracts: a farmer's producer's, a buyer's; all for admins."""
    return render_template("trade/contracts.html", contracts=contracts.contracts_for(current_user))


@bp.route("/contracts/<id:contract_id>", methods=["GET", "POST"])
@roles_required("farmer", "buyer", "admin")
def contract_page(contract_id):
    """One export contract; its parties enter it as they signed it (number, date, terms).
    Its producer's farmer and its buyer; admins read it.

    :raise 404: not a party
    """
    contract = contracts.contract_for(current_user, contract_id)
    editable = contracts.may_edit(current_user, contract)
    form = ContractForm(obj=contract) if editable else None
    if editable and form.validate_on_submit():
        with service_call(form):
            contracts.update_contract(current_user, contract.id, form.to_data())
            flash(_("The contract is saved."), "success")
            return redirect(url_for("trade.contract_page", contract_id=contract.id))
    status = 422 if form is not None and form.errors else 200
    return render_template("trade/contract.html", contract=contract, form=form), status


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
        "incoterms": incoterms.INCOTERMS,
        "places": [(p.code, p.names) for p in incoterms.PLACES.values()],
        "quotas": [("", _("My standing answer")), *QUOTA_LABELS.items()],
    }


def _route(args) -> tuple[str | None, str | None]:
    return args.get("mode") or None, args.get("border_crossing") or None


def _terms(args) -> dict:
    return {k: args[k] for k in ("incoterm", "named_place", "quota") if args.get(k)}


def page_estimate(user, product, args) -> dict:
    """Template variables for ``_landed_cost.html`` on a product page: ``landed``,
    ``landed_error``, ``landed_route``, ``landed_quantity``, ``landed_choices``, ``landed_rub``."""
    mode, crossing = _route(args)
    quantity = (args.get("quantity") or "").strip().replace(",", ".")
    landed = error = None
    if quantity:
        landed, error = landed_cost.safe(
            landed_cost.for_product, user, product.id, quantity, mode, crossing, **_terms(args)
        )
    return _context(landed, error, mode, crossing, quantity, args)


def order_estimate(user, order, args) -> dict:
    """Template variables for ``_landed_cost.html`` on the order page: the order's own terms."""
    mode, crossing = _route(args)
    landed, error = landed_cost.safe(landed_cost.for_order_object, order, mode, crossing)
    return _context(landed, error, mode, crossing, None, {})


def cart_estimate(buyer, args) -> dict:
    """Template variables for ``_landed_cost.html`` in the cart."""
    mode, crossing = _route(args)
    landed, error = landed_cost.safe(landed_cost.for_cart, buyer, mode, crossing, **_terms(args))
    return _context(landed, error, mode, crossing, None, args)


def _context(landed, error, mode, crossing, quantity, args) -> dict:
    rub = rub_warning = None
    if landed is not None and landed.total is not None:
        rub, rub_warning = fx.convert_fresh(landed.total)
    rates = landed.rates if landed is not None else {}
    return {
        "landed": landed,
        "landed_error": error,
        "landed_route": {
            "mode": rates.get("mode") or mode or landed_cost.DEFAULT_MODE,
            "border_crossing": rates.get("border_crossing") or crossing or landed_cost.DEFAULT_CROSSING,
        },
        "landed_terms": {k: args.get(k) or "" for k in ("incoterm", "named_place", "quota")},
        "landed_quantity": quantity,
        "landed_choices": route_choices(),
        "landed_rub": rub,
        "landed_rub_warning": rub_warning,
    }


# ---- parts of lower modules' pages (template hooks, registered in trade.register) -----------


def product_sidebar(product) -> str:
    """The product page: the landed cost for the quantity asked, the label sheet link."""
    user = current_user._get_current_object() if current_user.is_authenticated else None
    estimate = page_estimate(user, product, request.args)
    return render_template("trade/_product_sidebar.html", product=product, **estimate)


def order_documents(order) -> str:
    """The order page: links to its PDFs and its landed cost on the order's own terms."""
    estimate = order_estimate(current_user, order, request.args)
    contract = contracts.contract_between(order.producer_id, order.buyer_id)
    return render_template("trade/_documents.html", order=order, contract=contract) + render_template(
        "trade/_landed_cost.html", landed_order=order, **estimate
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
        import_form=forms.get("import_form") or TariffImportForm(),
    )


@bp.post("/admin/rates/duty")
@roles_required("admin")
def admin_save_duty():
    """Create or change a row of the tariff book. Admins."""
    form = DutyRateForm()
    if not form.validate_on_submit():
        return admin_page(422, duty_form=form)
    with service_call(form, field_map=DUTY_FIELD_MAP) as call:
        tariff_book.save_row(current_user, form.to_row())
        flash(_("The tariff row is saved."), "success")
        return redirect(url_for("fx.admin_rates"))
    return admin_page(call.error.status, duty_form=form)


@bp.post("/admin/rates/tariffs/import")
@roles_required("admin")
def admin_import_tariffs():
    """Import a tariff CSV, all rows or none. Admins."""
    form = TariffImportForm()
    if not form.validate_on_submit():
        return admin_page(422, import_form=form)
    try:
        text = form.file.data.read(2 * 1024 * 1024).decode("utf-8")
    except UnicodeDecodeError:
        form.file.errors = [_("The file is not UTF-8 text.")]
        return admin_page(422, import_form=form)
    with service_call(form, field_map={"file": "file"}) as call:
        count = tariff_book.import_csv(text, current_user.email)
        flash(_("%(count)d tariff row(s) imported.", count=count), "success")
        return redirect(url_for("fx.admin_rates"))
    return admin_page(call.error.status, import_form=form)


@bp.get("/admin/rates/tariffs.csv")
@roles_required("admin")
def admin_export_tariffs():
    """The tariff book as CSV (the import's format). Admins."""
    response = make_response(tariff_book.export_csv())
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="tariffs.csv"'
    return response


@bp.post("/admin/rates/tariff")
@roles_required("admin")
def admin_save_tariff():
    """Create or change a freight tariff leg. Admins."""
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
            leg=form.leg.data,
            min_charge_cny=form.min_charge_cny.data,
            unit_capacity_kg=form.unit_capacity_kg.data,
            reefer_surcharge_percent=form.reefer_surcharge_percent.data,
            transit_days=form.transit_days.data,
        )
        flash(_("The tariff is saved."), "success")
        return redirect(url_for("fx.admin_rates"))
    return admin_page(call.error.status, tariff_form=form)
