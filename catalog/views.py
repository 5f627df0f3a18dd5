"""Catalog pages: browse and search, product and producer pages, the farmer's listings,
bulk import/export, and the admin's verification queue. Thin: parse → authorise → service."""

import marshmallow as ma
from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounts.forms import ConfirmForm
from catalog import bp, queries, search, transfer, uploads
from catalog.data import (
    CERTIFICATE_KINDS,
    PRODUCT_STATUS_LABELS,
    UNIT_LABELS,
    quantity_text,
    temperature_text,
)
from catalog.forms import (
    PRODUCER_FIELD_MAP,
    PRODUCT_FIELD_MAP,
    CertificateForm,
    ImportForm,
    LotForm,
    PhotoForm,
    ProducerForm,
    ProductForm,
    RejectForm,
)
from catalog.models import Certificate, ImportJob, Photo, Product
from catalog.queries import available_stock
from catalog.reminders import producer_warnings
from catalog.schemas import ProductQuerySchema
from catalog.services import certificates, lots, photos, producers, products
from core.auth import api_user, roles_required
from core.cache import public_response
from core.errors import AppError
from core.extensions import db
from core.forms import service_call
from core.numbers import LocalNumberError, parse_local_decimal
from core.security import no_store
from core.uploads import storage


def page_user():
    return current_user._get_current_object() if current_user.is_authenticated else None


def _flash_each(exc: AppError) -> None:
    for messages in (exc.fields or {"": [exc.message]}).values():
        for message in messages:
            flash(str(message), "error")


def _choices(rows):
    from core.i18n import pick_translation

    return [(row.code, pick_translation(row.names)[0]) for row in rows]


def template_context():
    return {
        "unit_label": lambda code: UNIT_LABELS.get(code, code),
        "quantity_with_unit": quantity_text,
        "storage_text": temperature_text,
        "status_label": lambda code: PRODUCT_STATUS_LABELS.get(code, code),
        "certificate_label": lambda code: CERTIFICATE_KINDS.get(code, code),
        "available_stock": available_stock,
        "place_name": _place_name,
        "scan_visible": lambda certificate: certificates.scan_visible_to(certificate, api_user()),
    }


def _place_name(code_or_text: str) -> str:
    """A named place in the viewer's language (free text from older orders as it is)."""
    from catalog.incoterms import place_for
    from core.i18n import current_language

    place = place_for(code_or_text or "")
    return place.name(current_language()) if place else (code_or_text or "")


bp.app_context_processor(template_context)


# ---------------------------------------------------------------- public pages


@bp.get("/catalog")
@public_response()
def browse():
    """Search and browse with filters, facets, sort and pages. Anyone (bad filters are ignored, with a note)."""  # noqa: E501
    raw = {k: v for k, v in request.args.items() if v != ""}
    raw.pop("facets", None)
    try:
        args = ProductQuerySchema().load(raw)
    except ma.ValidationError as exc:
        flash(_("Some filters were not understood and were ignored."), "warning")
        args = ProductQuerySchema().load({k: v for k, v in raw.items() if k not in exc.messages})
    errors = search.check_filters(args)
    for key in errors:
        args.pop(key, None)
    if errors:
        flash(_("Some filters were not understood and were ignored."), "warning")
    args.pop("status", None)
    result = search.search_products(page_user(), args, with_facets=True)
    query_args = {k: v for k, v in raw.items() if k != "page"}
    if result["page"] > result["pages"]:
        # Past the last page (an old link, a hand-edited URL): the last page, never "page 9
        # of 3" with a count above and "nothing found" below.
        last = result["pages"]
        return redirect(url_for("catalog.browse", **query_args, **({"page": last} if last > 1 else {})))
    categories = queries.categories()
    districts = queries.districts()
    understood = result["understood"]
    return render_template(
        "catalog/browse.html",
        result=result,
        args=args,
        categories=categories,
        districts=districts,
        category_names={c.code: c.names for c in categories},
        district_names={d.code: d.names for d in districts},
        pages=result["pages"],
        query_args=query_args,
        quantities=search.quantities_in_units(result["items"], understood),
    )


@bp.get("/catalog/products/<id:product_id>")
@public_response()
def product_page(product_id):
    """A product: tiers, "your price", lots, certificates, producer. Whoever may see it (404 otherwise)."""
    product = products.read_product(page_user(), product_id)
    quantity_text = request.args.get("quantity", "").strip()[:40]
    quantity = price = None
    if quantity_text:
        try:
            quantity = parse_local_decimal(quantity_text)
            if quantity <= 0:
                raise LocalNumberError(_("Enter a quantity above zero."))
            price = product.unit_price_for(quantity)
        except LocalNumberError as exc:
            quantity = None
            flash(str(exc.message), "warning")
    return render_template(
        "catalog/product.html",
        product=product,
        quantity=quantity,
        quantity_text=quantity_text,
        price=price,
        stock=available_stock(product),
        certificates=product.producer.valid_certificates(),
    )


@bp.get("/catalog/producers/<id:producer_id>")
@public_response()
def producer_page(producer_id):
    """A producer: profile, credentials and products. Anyone for verified producers."""
    user = page_user()
    producer = producers.get_producer(user, producer_id)
    result = search.search_products(user, {"producer": producer.id, "sort": "newest", "per_page": 100})
    return render_template("catalog/producer.html", producer=producer, products=result["items"])


@bp.get("/catalog/photos/<id:photo_id>/<any(full, thumb, mini):variant>")
def photo_file(photo_id, variant):
    """A product's or producer's photo: ``full``, ``thumb`` (400 px) or ``mini`` (160 px).
    Whoever may see the product or producer (404 otherwise)."""
    photo = db.session.get(Photo, photo_id)
    if photo is None or not photos.photo_visible_to(photo, api_user()):
        abort(404)
    name = {"thumb": photo.thumb_name, "mini": photo.mini_name or photo.thumb_name}.get(
        variant, photo.file_name
    )
    response = storage().response(uploads.key("photos", name), mimetype=photo.content_type, max_age=86400)
    response.headers["X-Content-Type-Options"] = "nosniff"
    if not photos.photo_visible_to(photo, None):  # a draft's or an unverified producer's
        no_store(response)
    return response


@bp.get("/catalog/certificates/<id:certificate_id>/file")
def certificate_file(certificate_id):
    """A certificate's scan: its producer, staff, and buyers who may see the producer (404
    otherwise, visitors included)."""
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or not certificates.scan_visible_to(certificate, api_user()):
        abort(404)
    response = storage().response(
        uploads.key("certificates", certificate.file_name),
        mimetype=certificate.file_type,
        as_attachment=certificate.file_type == "application/pdf",
        download_name=f"certificate-{certificate.id}.{certificate.file_name.rsplit('.', 1)[-1]}",
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return no_store(response)


# ---------------------------------------------------------------- the farmer's producer profile


@bp.route("/catalog/my/producer", methods=["GET", "POST"])
@roles_required("farmer")
def my_producer():
    """Create or edit one's producer profile; certificates; expiry warnings. Farmers."""
    producer = producers.producer_of(current_user)
    form = ProducerForm(prefix="producer")
    form.district.choices = _choices(queries.districts())
    form.gacc_categories.choices = _choices(queries.categories())
    if request.method == "GET" and producer is not None:
        form.fill(producer)
    if form.validate_on_submit():
        with service_call(form, field_map=PRODUCER_FIELD_MAP):
            if producer is None:
                producer = producers.create_producer(current_user, form.to_data())
                flash(_("Your producer profile is saved and waits for review."), "success")
            else:
                producers.update_producer(current_user, producer, form.to_data())
                flash(_("Your producer profile is saved."), "success")
            return redirect(url_for("catalog.my_producer"))
    status = 422 if form.errors else 200
    return render_template(
        "catalog/my_producer.html",
        producer=producer,
        form=form,
        certificate_form=CertificateForm(prefix="cert"),
        photo_form=PhotoForm(prefix="photo"),
        confirm_form=ConfirmForm(),
        warnings=producer_warnings(producer) if producer else [],
    ), status


@bp.post("/catalog/my/producer/certificates")
@roles_required("farmer")
def add_certificate():
    """Add a certificate with its scan. Farmers, to their own profile."""
    producer = producers.producer_of(current_user)
    if producer is None:
        return redirect(url_for("catalog.my_producer"))
    form = CertificateForm(prefix="cert")
    if form.validate_on_submit():
        with service_call(form):
            certificates.add_certificate(
                current_user,
                producer,
                {k: getattr(form, k).data for k in ("kind", "number", "issuer", "valid_from", "valid_until")},
                file=form.file.data,
            )
            flash(_("Certificate added."), "success")
            return redirect(url_for("catalog.my_producer"))
    for field_errors in form.errors.values():
        for message in field_errors:
            flash(str(message), "error")
    return redirect(url_for("catalog.my_producer"))


@bp.post("/catalog/my/producer/certificates/<id:certificate_id>/delete")
@roles_required("farmer")
def delete_certificate(certificate_id):
    """Remove one's certificate. Farmers (403 for another's). It cannot be undone: without
    ``confirmed=1`` the answer is a page saying what will happen and asking again."""
    form = ConfirmForm()
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None:
        abort(404)
    if form.validate_on_submit() and request.form.get("confirmed") != "1":
        producers.check_owner(current_user, certificate.producer)
        label = CERTIFICATE_KINDS.get(certificate.kind, certificate.kind)
        return render_template(
            "core/confirm.html",
            title=_("Remove the certificate"),
            consequences=[
                _(
                    "Certificate %(kind)s № %(number)s and its scan are deleted.",
                    kind=label,
                    number=certificate.number,
                ),
                _("Buyers no longer see it, nor its badges, on your products and producer page."),
                _("To show it again you will have to upload it anew."),
            ],
            action=url_for("catalog.delete_certificate", certificate_id=certificate.id),
            fields={},
            confirm_label=_("Remove the certificate"),
            back=url_for("catalog.my_producer"),
            form=form,
        )
    if form.validate_on_submit():
        certificates.delete_certificate(current_user, certificate)
        flash(_("Certificate removed."), "success")
    return redirect(url_for("catalog.my_producer"))


@bp.post("/catalog/my/producer/photos")
@roles_required("farmer")
def add_producer_photo():
    """Upload a farm photo. Farmers."""
    producer = producers.producer_of(current_user)
    form = PhotoForm(prefix="photo")
    if producer is not None and form.validate_on_submit():
        with service_call():
            photos.add_producer_photo(current_user, producer, form.file.data)
            flash(_("Photo added."), "success")
    return redirect(url_for("catalog.my_producer"))


# ---------------------------------------------------------------- the farmer's products


@bp.get("/catalog/my/products")
@roles_required("farmer")
def my_products():
    """One's own products in every status, with warnings about expiring credentials. Farmers."""
    producer = producers.producer_of(current_user)
    status = request.args.get("status")
    return render_template(
        "catalog/my_products.html",
        producer=producer,
        products=products.my_products(current_user, status),
        status=status,
        statuses=PRODUCT_STATUS_LABELS,
        warnings=producer_warnings(producer) if producer else [],
        confirm_form=ConfirmForm(),
    )


def _product_form(product=None):
    form = ProductForm(prefix="product")
    form.category.choices = _choices(queries.categories())
    if request.method == "GET" and product is not None:
        form.fill(product)
    return form


@bp.route("/catalog/my/products/new", methods=["GET", "POST"])
@roles_required("farmer")
def new_product():
    """List a new product. Farmers with a verified producer profile."""
    producer = producers.producer_of(current_user)
    if producer is None:
        flash(_("Create your producer profile first."), "info")
        return redirect(url_for("catalog.my_producer"))
    form = _product_form()
    status = 200
    if request.method == "GET":
        form.status.data = "draft"
    if form.validate_on_submit():
        with service_call(form, field_map=PRODUCT_FIELD_MAP) as call:
            product = products.create_product(current_user, form.to_data())
            flash(_("Product saved."), "success")
            return redirect(url_for("catalog.edit_product", product_id=product.id))
        status = call.error.status
    return render_template(
        "catalog/product_form.html", form=form, product=None, producer=producer
    ), 422 if form.errors else status


@bp.route("/catalog/my/products/<id:product_id>/edit", methods=["GET", "POST"])
@roles_required("farmer")
def edit_product(product_id):
    """Edit one's product, its lots and photos. The owner (403 for another's visible product, else 404)."""
    product = products.get_product_for_edit(current_user, product_id)
    form = _product_form(product)
    status = 200
    if form.validate_on_submit():
        with service_call(form, field_map=PRODUCT_FIELD_MAP) as call:
            products.update_product(
                current_user, product, form.to_data(include_stock=not product.tracks_lots)
            )
            flash(_("Product saved."), "success")
            return redirect(url_for("catalog.edit_product", product_id=product.id))
        status = call.error.status
        product = products.get_product_for_edit(current_user, product_id)
    return render_template(
        "catalog/product_form.html",
        form=form,
        product=product,
        producer=product.producer,
        lot_form=LotForm(prefix="lot"),
        photo_form=PhotoForm(prefix="photo"),
        confirm_form=ConfirmForm(),
        stock=available_stock(product),
    ), 422 if form.errors else status


@bp.post("/catalog/my/products/<id:product_id>/archive")
@roles_required("farmer")
def archive_product(product_id):
    """Archive one's product. The owner."""
    product = products.get_product_for_edit(current_user, product_id)
    if ConfirmForm().validate_on_submit():
        products.archive_product(current_user, product)
        flash(_("Product archived: buyers no longer see it."), "success")
    return redirect(url_for("catalog.my_products"))


@bp.post("/catalog/my/products/<id:product_id>/lots")
@roles_required("farmer")
def add_lot(product_id):
    """Add a lot to one's product. The owner."""
    product = products.get_product_for_edit(current_user, product_id)
    form = LotForm(prefix="lot")
    if form.validate_on_submit():
        with service_call(show=_flash_each):
            lots.add_lot(
                current_user,
                product,
                {k: getattr(form, k).data for k in ("lot_number", "produced_on", "best_before", "quantity")},
            )
            flash(_("Lot added."), "success")
    else:
        for messages in form.errors.values():
            for message in messages:
                flash(str(message), "error")
    return redirect(url_for("catalog.edit_product", product_id=product.id) + "#lots")


@bp.post("/catalog/my/products/<id:product_id>/lots/<id:lot_id>/delete")
@roles_required("farmer")
def delete_lot(product_id, lot_id):
    """Remove a lot nobody reserved from. The owner."""
    product = products.get_product_for_edit(current_user, product_id)
    if ConfirmForm().validate_on_submit():
        with service_call():
            lots.delete_lot(current_user, lots.get_lot(product, lot_id))
            flash(_("Lot removed."), "success")
    return redirect(url_for("catalog.edit_product", product_id=product.id) + "#lots")


@bp.post("/catalog/my/products/<id:product_id>/lots/<id:lot_id>/archive")
@roles_required("farmer")
def archive_lot(product_id, lot_id):
    """Take a lot off sale for good (it stays on record for its orders). The owner."""
    product = products.get_product_for_edit(current_user, product_id)
    if ConfirmForm().validate_on_submit():
        with service_call():
            lots.archive_lot(current_user, lots.get_lot(product, lot_id))
            flash(_("Lot archived: it is no longer on sale."), "success")
    return redirect(url_for("catalog.edit_product", product_id=product.id) + "#lots")


@bp.post("/catalog/my/products/<id:product_id>/photos")
@roles_required("farmer")
def add_product_photo(product_id):
    """Upload a product photo (checked, re-encoded, thumbnailed). The owner; 413 past 5 MB."""
    product = products.get_product_for_edit(current_user, product_id)
    form = PhotoForm(prefix="photo")
    if form.validate_on_submit():
        with service_call(silent=True) as call:
            photos.add_product_photo(current_user, product, form.file.data)
            flash(_("Photo added."), "success")
        if call.failed:
            if call.error.status == 413:
                return render_template("core/error.html", status=413, message=call.error.message), 413
            flash(str(call.error.message), "error")
    return redirect(url_for("catalog.edit_product", product_id=product.id) + "#photos")


@bp.post("/catalog/my/products/<id:product_id>/photos/<id:photo_id>/<any(up, down):direction>")
@roles_required("farmer")
def move_product_photo(product_id, photo_id, direction):
    """Move a photo one place up (the first is the one the catalog shows) or down. The owner."""
    product = products.get_product_for_edit(current_user, product_id)
    photo = db.session.get(Photo, photo_id)
    if photo is None or photo.product_id != product.id:
        abort(404)
    if ConfirmForm().validate_on_submit():
        photos.move_photo(current_user, product, photo, direction)
        flash(_("The photos are in their new order."), "success")
    return redirect(url_for("catalog.edit_product", product_id=product.id) + "#photos")


@bp.post("/catalog/my/products/<id:product_id>/photos/<id:photo_id>/delete")
@roles_required("farmer")
def delete_product_photo(product_id, photo_id):
    """Remove a product photo. The owner."""
    product = products.get_product_for_edit(current_user, product_id)
    photo = db.session.get(Photo, photo_id)
    if photo is None or photo.product_id != product.id:
        abort(404)
    if ConfirmForm().validate_on_submit():
        photos.delete_photo(current_user, photo)
        flash(_("Photo removed."), "success")
    return redirect(url_for("catalog.edit_product", product_id=product.id) + "#photos")


@bp.route("/catalog/my/products/import", methods=["GET", "POST"])
@roles_required("farmer")
def import_products():
    """Bulk create/update from XLSX or CSV: all rows or none, with a per-row report. Farmers."""
    form = ImportForm()
    result = None
    status = 200
    if form.validate_on_submit():
        with service_call() as call:
            result = transfer.import_products(current_user, form.file.data)
        if call.failed:
            status = call.error.status if call.error.status in (403, 413) else 422
        elif isinstance(result, ImportJob):
            return redirect(url_for("catalog.import_job", job_id=result.id))
        elif result.ok:
            flash(
                _(
                    "Imported: %(created)d new, %(updated)d updated.",
                    created=result.created,
                    updated=result.updated,
                ),
                "success",
            )
            return redirect(url_for("catalog.my_products"))
        else:
            status = 422
    return (
        render_template(
            "catalog/import.html",
            form=form,
            result=result,
            columns=transfer.COLUMNS,
            package_kinds=transfer.PACKAGE_KINDS,
        ),
        status,
    )


@bp.get("/catalog/my/products/import/<id:job_id>")
@roles_required("farmer")
def import_job(job_id):
    """A background import's progress, then its report. The farmer who started it (404 else)."""
    job = transfer.import_job_for(current_user, job_id)
    return render_template("catalog/import_job.html", job=job)


@bp.get("/catalog/my/products/export.<any(csv, xlsx):fmt>")
@roles_required("farmer")
def export_products(fmt):
    """Download one's products as CSV or XLSX (the import's format). Farmers."""
    import io

    if fmt == "csv":
        data, mimetype = transfer.export_csv(current_user), "text/csv; charset=utf-8"
    else:
        data = transfer.export_xlsx(current_user)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=f"products.{fmt}")


# ---------------------------------------------------------------- admin


@bp.get("/catalog/admin/verification")
@roles_required("admin")
def verification_queue():
    """Producers waiting for review, with their credentials. Admins."""
    return render_template(
        "catalog/verification.html",
        producers=producers.verification_queue(),
        confirm_form=ConfirmForm(),
        reject_form=RejectForm(),
    )


@bp.post("/catalog/admin/producers/<id:producer_id>/verify")
@roles_required("admin")
def verify_producer(producer_id):
    """Verify a producer. Admins."""
    producer = producers.get_producer(current_user, producer_id)
    if ConfirmForm().validate_on_submit():
        with service_call():
            producers.verify_producer(current_user, producer)
            flash(_("%(name)s is verified.", name=producer.name_ru), "success")
    return redirect(url_for("catalog.verification_queue"))


@bp.post("/catalog/admin/producers/<id:producer_id>/reject")
@roles_required("admin")
def reject_producer(producer_id):
    """Reject a producer with a reason. Admins."""
    producer = producers.get_producer(current_user, producer_id)
    form = RejectForm()
    if form.validate_on_submit():
        producers.reject_producer(current_user, producer, form.reason.data)
        flash(_("%(name)s is sent back to the farmer.", name=producer.name_ru), "success")
    else:
        flash(_("Give the farmer a reason."), "error")
    return redirect(url_for("catalog.verification_queue"))


def product_display_name(product_or_names) -> tuple[str, str | None]:
    from core.i18n import pick_translation

    names = product_or_names.names if isinstance(product_or_names, Product) else product_or_names
    return pick_translation(names)
