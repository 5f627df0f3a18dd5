"""/api/v1: landed cost, duty rates, freight tariffs and document PDFs."""

from flask import make_response
from flask_smorest import Blueprint

from core.auth import api_auth, api_user
from trade import drawing, landed_cost, services, tariff_book
from trade import schemas as s

blp = Blueprint(
    "trade_api",
    __name__,
    url_prefix="/api/v1",
    description="Landed cost, duty rates, freight tariffs, documents",
)
PDF_RESPONSE = {"content_type": "application/pdf", "description": "A PDF in Chinese and Russian"}


def pdf_response(body: bytes, number: str):
    response = make_response(body)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{number}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


# ---- landed cost ---------------------------------------------------------------------------------


@blp.get("/landed-cost")
@blp.arguments(s.LandedCostQuerySchema, location="query")
@blp.response(200, s.LandedCostSchema)
@blp.alt_response(404, description="Unknown product, or not visible to the caller")
@blp.alt_response(
    422,
    description="Bad quantity, below_moq, unknown mode, Incoterm or quota, a place that does not fit the"
    " term (term_place_mismatch), no_freight_tariff",
)
def get_landed_cost(args):
    """Estimated cost delivered to the Harbin Daowai warehouse, CNY, with China's customs value.

    The price is taken on ``incoterm`` + ``named_place`` (default: the product's price basis).
    ``customs_value`` = ``goods`` + ``freight_to_border`` + ``insurance`` − ``deductions`` (China
    values imports at the border port: freight and insurance to it are added when the price
    leaves them to the buyer; the Chinese leg, when the price carries it, comes off as a stated
    estimate); ``duty`` on the customs value; ``vat`` on customs value + duty; ``freight`` =
    ``freight_to_border`` + ``freight_in_china``; ``total`` = goods + freight + insurance + duty
    + VAT. Each amount is rounded to 0.01 half up. A code without a tariff row gives null
    ``duty``, ``vat`` and ``total`` and a ``duty_rate_unknown`` warning; a quota line with
    ``quota=unknown`` gives null and ``alternatives`` in and out of quota. Anyone who may see
    the product.
    """
    return landed_cost.for_product(
        api_user(),
        args["product_id"],
        args["quantity"],
        args["mode"],
        args["border_crossing"],
        **{k: args[k] for k in ("incoterm", "named_place", "quota") if k in args},
    ).as_json()


@blp.get("/orders/<id:order_id>/landed-cost")
@api_auth()
@blp.arguments(s.RouteQuerySchema, location="query")
@blp.response(200, s.LandedCostSchema)
@blp.alt_response(404, description="Unknown order, or not a party to it")
def get_order_landed_cost(args, order_id):
    """The landed-cost estimate of an order (the sum of its lines). Its parties, admins, operators."""
    return landed_cost.for_order(api_user(), order_id, args["mode"], args["border_crossing"]).as_json()


@blp.get("/cart/landed-cost")
@api_auth("buyer")
@blp.arguments(s.TermsQuerySchema, location="query")
@blp.response(200, s.LandedCostSchema)
def get_cart_landed_cost(args):
    """The landed-cost estimate of the caller's cart (lines below their MOQ left out), each
    producer's lines one consignment on its price basis unless ``incoterm`` says otherwise. Buyers."""
    return landed_cost.for_cart(
        api_user(),
        args["mode"],
        args["border_crossing"],
        **{k: args[k] for k in ("incoterm", "named_place", "quota") if k in args},
    ).as_json()


@blp.get("/tariffs")
@blp.arguments(s.TariffQuerySchema, location="query")
@blp.response(200, s.TariffLookupSchema)
def get_tariffs(args):
    """The tariff book: rows for a Chinese tariff code (its prefixes and the codes under it) and
    the row that applies on ``on`` (the most specific in force), each with its source. Anyone."""
    return tariff_book.lookup(args.get("code"), args.get("on"))


@blp.put("/tariffs")
@api_auth("admin")
@blp.arguments(s.TariffRowInSchema)
@blp.response(200, s.TariffRowSchema)
def put_tariff_row(data):
    """Create or change a row of the tariff book (matched on code and first day). Admins.

    :raise 403: not an admin
    :raise 422: bad code or rate, a period overlapping another row of the code
    """
    return tariff_book.save_row(api_user(), data)


@blp.get("/duty-rates")
@blp.response(200, s.DutyRateSchema(many=True))
def list_duty_rates():
    """China's import duty and VAT by HS prefix (longest prefix wins). Anyone."""
    return landed_cost.duty_rates()


@blp.put("/duty-rates")
@api_auth("admin")
@blp.arguments(s.DutyRateInSchema)
@blp.response(200, s.DutyRateSchema)
def put_duty_rate(data):
    """Create or change the rates of an HS prefix. Admins.

    :raise 403: not an admin
    :raise 422: bad prefix or percentage
    """
    return landed_cost.save_duty_rate(api_user(), **data)


@blp.get("/freight-tariffs")
@blp.response(200, s.TariffSchema(many=True))
def list_tariffs():
    """Freight tariffs per kg by mode and border crossing. Anyone."""
    return landed_cost.tariffs()


@blp.put("/freight-tariffs")
@api_auth("admin")
@blp.arguments(s.TariffInSchema)
@blp.response(200, s.TariffSchema)
def put_tariff(data):
    """Create or change a freight tariff. Admins.

    :raise 403: not an admin
    :raise 422: unknown mode or crossing, a rate out of range
    """
    return landed_cost.save_tariff(
        api_user(),
        data.pop("mode"),
        data.pop("border_crossing"),
        data.pop("cny_per_kg"),
        data.pop("unconfirmed"),
        data.pop("note"),
        **data,
    )


# ---- documents --------------------------------------------------------------------------------------


@blp.get("/orders/<id:order_id>/documents/<any(proforma, commercial_invoice, packing_list):kind>.pdf")
@api_auth()
@blp.response(200, **PDF_RESPONSE)
@blp.alt_response(404, description="Not a party to the order; packing list: no shipment yet")
@blp.alt_response(409, description="document_not_available: e.g. the commercial invoice before pickup")
def order_document_pdf(order_id, kind):
    """A proforma invoice, commercial invoice or packing list of an order, numbered on first
    request. The order's buyer, its producer's farmer and admins; operators too for the packing
    list; 404 to anyone else.

    :raise 404: not visible; no shipment carries the order (packing list)
    :raise 409: the commercial invoice before the goods are picked up
    """
    user = api_user()
    if kind == "packing_list":
        items = services.packing_lists_for_order(user, order_id)
        return pdf_response(drawing.packing_list(items), items[0][0].number)
    document, order = services.order_document(user, order_id, kind)
    body = (
        drawing.proforma(document, order)
        if kind == "proforma"
        else drawing.commercial_invoice(document, order)
    )
    return pdf_response(body, document.number)


@blp.get("/shipments/<id:shipment_id>/documents/packing_list.pdf")
@api_auth()
@blp.response(200, **PDF_RESPONSE)
@blp.alt_response(404, description="Unknown shipment, or not visible to the caller")
def shipment_packing_list_pdf(shipment_id):
    """A shipment's packing list: operators and admins see every package; the parties of an
    order on board see their packages only. 404 to anyone else."""
    document, shipment, shown = services.packing_list_for_shipment(api_user(), shipment_id)
    return pdf_response(drawing.packing_list([(document, shipment, shown)]), document.number)


@blp.get("/products/<id:product_id>/label-sheet.pdf")
@api_auth()
@blp.response(200, **PDF_RESPONSE)
@blp.alt_response(404, description="Not the product's farmer, an admin or a buyer who ordered it")
def label_sheet_pdf(product_id):
    """The Chinese label data sheet (GB 7718) of a product, flagged incomplete when items are
    missing. Its farmer, admins, and buyers who ordered it (as importer); 404 to anyone else."""
    document, product, importer_order = services.label_sheet(api_user(), product_id)
    return pdf_response(drawing.label_sheet(document, product, importer_order), document.number)
