"""/api/v1: landed cost, duty rates, freight tariffs and document PDFs."""

from flask import make_response, url_for
from flask_smorest import Blueprint

from core.auth import api_auth, api_user
from trade import contracts, issuing, landed_cost, services, tariff_book
from trade import schemas as s

blp = Blueprint(
    "trade_api",
    __name__,
    url_prefix="/api/v1",
    description="Landed cost, duty rates, freight tariffs, documents",
)
PDF_RESPONSE = {"content_type": "application/pdf", "description": "A PDF in Chinese and Russian"}


def pdf_response(document):
    """An issued document's kept bytes, the same for every viewer."""
    response = make_response(issuing.file_bytes(document))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{document.number}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["ETag"] = f'"{document.sha256}"'
    return response


def document_json(document) -> dict:
    return {
        "kind": document.kind,
        "number": document.number,
        "revision": document.revision,
        "replaces": document.replaces.number if document.replaces is not None else None,
        "issued_at": document.issued_at,
        "sha256": document.sha256,
        "url": url_for("trade_api.document_pdf", number=document.number),
    }


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
        return pdf_response(services.packing_lists_for_order(user, order_id)[-1])
    document, _order = services.order_document(user, order_id, kind)
    return pdf_response(document)


@blp.get("/shipments/<id:shipment_id>/documents/packing_list.pdf")
@api_auth()
@blp.response(200, **PDF_RESPONSE)
@blp.alt_response(404, description="Unknown shipment, or not visible to the caller")
def shipment_packing_list_pdf(shipment_id):
    """A shipment's packing list: operators and admins get the whole shipment's; the parties of
    an order on board get their order's. 404 to anyone else."""
    return pdf_response(services.packing_list_for_shipment(api_user(), shipment_id))


@blp.get("/products/<id:product_id>/label-sheet.pdf")
@api_auth()
@blp.response(200, **PDF_RESPONSE)
@blp.alt_response(404, description="Not the product's farmer, an admin or a buyer who ordered it")
def label_sheet_pdf(product_id):
    """The Chinese label data sheet (GB 7718, GB 28050 nutrition) of a product, flagged
    incomplete when items are missing. Its farmer, admins, and buyers who ordered it; 404 to
    anyone else."""
    document, _product = services.label_sheet(api_user(), product_id)
    return pdf_response(document)


@blp.get("/orders/<id:order_id>/documents")
@api_auth()
@blp.response(200, s.IssuedDocumentSchema(many=True))
@blp.alt_response(404, description="Not a party to the order")
def list_order_documents(order_id):
    """The order's issued documents, every revision: proforma, commercial invoice, packing
    lists, and the label sheets of its products. Its parties and admins (operators: its
    packing lists).

    :raise 404: not visible to the caller
    """
    _order, documents = services.documents_of_order(api_user(), order_id)
    return [document_json(d) for d in documents]


@blp.get("/documents/<string(minlength=10, maxlength=20):number>.pdf")
@api_auth()
@blp.response(200, **PDF_RESPONSE)
@blp.alt_response(404, description="Unknown, or not the caller's to see")
def document_pdf(number):
    """One issued document by its number: the kept bytes, whoever asks.

    :raise 404: unknown, or not the caller's to see
    """
    return pdf_response(services.document_by_number(api_user(), number))


@blp.route("/documents/<string(minlength=10, maxlength=20):number>", methods=["PUT", "PATCH", "DELETE"])
@api_auth()
@blp.response(409, description="document_issued: an issued document is never changed")
@blp.alt_response(404, description="Unknown, or not the caller's to see")
def change_document(number):
    """Issued documents are kept as issued: changing or deleting one is refused; an admin
    issues a revision instead (POST …/revisions).

    :raise 404: unknown, or not the caller's to see
    :raise 409: always, for a document the caller may see
    """
    issuing.refuse_change(services.document_by_number(api_user(), number))


@blp.post("/orders/<id:order_id>/documents/<any(proforma, commercial_invoice):kind>/revisions")
@api_auth("admin")
@blp.arguments(s.RevisionInSchema)
@blp.response(201, s.IssuedDocumentSchema)
@blp.alt_response(409, description="document_not_issued: nothing to revise yet")
def revise_order_document(data, order_id, kind):
    """Re-issue a proforma or commercial invoice after a correction: a new number, revision + 1,
    naming the one it replaces (whose file is kept as it was). Admins.

    :raise 404: unknown order; :raise 409: not issued yet; :raise 422: no reason
    """
    return document_json(services.revise_order_document(api_user(), order_id, kind, data["reason"]))


# ---- export contracts ----------------------------------------------------------------------------


@blp.get("/contracts")
@api_auth()
@blp.response(200, s.ContractSchema(many=True))
def list_contracts():
    """The caller's export contracts (a farmer's producer's, a buyer's; admins: all). One per
    producer and buyer, made on their first order."""
    return contracts.contracts_for(api_user())


@blp.patch("/contracts/<id:contract_id>")
@api_auth("farmer", "buyer")
@blp.arguments(s.ContractInSchema)
@blp.response(200, s.ContractSchema)
@blp.alt_response(404, description="Not a party to the contract")
def patch_contract(data, contract_id):
    """Enter the contract as signed: number, date, payment terms, Incoterm and place. Its
    parties.

    :raise 404: not a party; :raise 422: a number in use, a date in the future
    """
    return contracts.update_contract(api_user(), contract_id, data)
