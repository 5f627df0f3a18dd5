"""/api/v1/producers, /api/v1/products, /api/v1/categories: thin handlers over catalog.services."""

from flask_babel import lazy_gettext as _l
from flask_smorest import Blueprint

from catalog import queries, search
from catalog.models import Photo
from catalog.schemas import (
    CategorySchema,
    CertificateSchema,
    DistrictSchema,
    FileSchema,
    LotPatchSchema,
    LotSchema,
    PhotoOrderSchema,
    PhotoSchema,
    ProducerCreateSchema,
    ProducerInSchema,
    ProducerPageSchema,
    ProducerQuerySchema,
    ProducerSchema,
    ProductCreateSchema,
    ProductDetailSchema,
    ProductInSchema,
    ProductPageSchema,
    ProductQuerySchema,
    RejectSchema,
)
from catalog.services import certificates, lots, photos, producers, products
from core.auth import api_auth, api_user
from core.cache import public_response
from core.errors import NotFound, ValidationFailed
from core.extensions import db
from core.pagination import paginate

producers_bp = Blueprint(
    "producers_api", __name__, url_prefix="/api/v1/producers", description="Producers and certificates"
)
products_bp = Blueprint(
    "products_api", __name__, url_prefix="/api/v1", description="Products, lots and search"
)


# ---------------------------------------------------------------- producers


@producers_bp.get("")
@public_response(api=True)
@producers_bp.alt_response(304, description="Not modified: the ETag sent in If-None-Match is current")
@producers_bp.arguments(ProducerQuerySchema, location="query")
@producers_bp.response(200, ProducerPageSchema)
@producers_bp.alt_response(422, description="Invalid filter")
def list_producers(args):
    """Verified producers, newest first. Anyone; an admin sees all and may filter by ``status``."""
    return paginate(producers.list_producers(api_user(), args.get("status")), args["page"], args["per_page"])


@producers_bp.post("")
@api_auth("farmer")
@producers_bp.arguments(ProducerCreateSchema)
@producers_bp.response(201, ProducerSchema)
@producers_bp.alt_response(401, description="Not authenticated")
@producers_bp.alt_response(403, description="Not a farmer")
@producers_bp.alt_response(409, description="The farmer already has a profile")
@producers_bp.alt_response(422, description="Invalid input")
def create_producer(data):
    """Create the caller's producer profile (once); it waits for an admin's review. Farmers.

    :raise 409: the farmer already has a producer profile
    """
    return producers.create_producer(api_user(), data)


@producers_bp.get("/<id:producer_id>")
@public_response(api=True)
@producers_bp.alt_response(304, description="Not modified: the ETag sent in If-None-Match is current")
@producers_bp.response(200, ProducerSchema)
@producers_bp.alt_response(404, description="No such producer, or not verified and not yours")
def get_producer(producer_id):
    """One producer. Anyone for verified ones; the owner and admins for any.

    :raise 404: unknown or not visible to the caller
    """
    return producers.get_producer(api_user(), producer_id)


@producers_bp.patch("/<id:producer_id>")
@api_auth()
@producers_bp.arguments(ProducerInSchema)
@producers_bp.response(200, ProducerSchema)
@producers_bp.alt_response(401, description="Not authenticated")
@producers_bp.alt_response(403, description="Not the owner")
@producers_bp.alt_response(404, description="Not visible to the caller")
@producers_bp.alt_response(422, description="Invalid input")
def update_producer(data, producer_id):
    """Change the profile. The owner only; new credentials send a verified profile back to review.

    :raise 403: not the owner
    """
    user = api_user()
    return producers.update_producer(user, producers.get_producer(user, producer_id), data)


@producers_bp.post("/<id:producer_id>/verify")
@api_auth("admin")
@producers_bp.response(200, ProducerSchema)
@producers_bp.alt_response(401, description="Not authenticated")
@producers_bp.alt_response(403, description="Not an admin")
@producers_bp.alt_response(404, description="No such producer")
@producers_bp.alt_response(409, description="No current GACC registration")
def verify_producer(producer_id):
    """Mark the producer verified: its active products become visible. Admins.

    :raise 409: the producer has no current GACC registration
    """
    user = api_user()
    return producers.verify_producer(user, producers.get_producer(user, producer_id))


@producers_bp.post("/<id:producer_id>/reject")
@api_auth("admin")
@producers_bp.arguments(RejectSchema)
@producers_bp.response(200, ProducerSchema)
@producers_bp.alt_response(401, description="Not authenticated")
@producers_bp.alt_response(403, description="Not an admin")
@producers_bp.alt_response(404, description="No such producer")
@producers_bp.alt_response(422, description="No reason given")
def reject_producer(data, producer_id):
    """Reject with a reason the farmer sees. Admins."""
    user = api_user()
    return producers.reject_producer(user, producers.get_producer(user, producer_id), data["reason"])


@producers_bp.get("/<id:producer_id>/certificates")
@producers_bp.response(200, CertificateSchema(many=True))
@producers_bp.alt_response(404, description="Producer not visible")
def list_certificates(producer_id):
    """The producer's certificates, valid or not. Whoever may see the producer."""
    return producers.get_producer(api_user(), producer_id).certificates


@producers_bp.post("/<id:producer_id>/certificates")
@api_auth("farmer")
@producers_bp.arguments(CertificateSchema)
@producers_bp.response(201, CertificateSchema)
@producers_bp.alt_response(401, description="Not authenticated")
@producers_bp.alt_response(403, description="Not the owner")
@producers_bp.alt_response(404, description="Producer not visible")
@producers_bp.alt_response(422, description="Invalid input")
def add_certificate(data, producer_id):
    """Add a certificate (upload its scan with PUT …/file). The owner."""
    user = api_user()
    return certificates.add_certificate(user, producers.get_producer(user, producer_id), data)


@producers_bp.put("/<id:producer_id>/certificates/<id:certificate_id>/file")
@api_auth("farmer")
@producers_bp.arguments(FileSchema, location="files")
@producers_bp.response(200, CertificateSchema)
@producers_bp.alt_response(401, description="Not authenticated")
@producers_bp.alt_response(403, description="Not the owner")
@producers_bp.alt_response(404, description="Not found")
@producers_bp.alt_response(413, description="File too large")
@producers_bp.alt_response(422, description="Not a PDF or an image")
def upload_certificate_file(files, producer_id, certificate_id):
    """Upload the certificate's scan: a PDF or an image, 10 MB at most. The owner.

    :raise 413: the file is too large
    :raise 422: the file is neither a PDF nor an image
    """
    user = api_user()
    producer = producers.get_producer(user, producer_id)
    certificate = certificates.get_certificate(user, producer, certificate_id)
    return certificates.attach_certificate_file(user, certificate, files.get("file"))


@producers_bp.delete("/<id:producer_id>/certificates/<id:certificate_id>")
@api_auth("farmer")
@producers_bp.response(204)
@producers_bp.alt_response(401, description="Not authenticated")
@producers_bp.alt_response(403, description="Not the owner")
@producers_bp.alt_response(404, description="Not found")
def delete_certificate(producer_id, certificate_id):
    """Remove a certificate. The owner."""
    user = api_user()
    producer = producers.get_producer(user, producer_id)
    certificates.delete_certificate(user, certificates.get_certificate(user, producer, certificate_id))


@producers_bp.post("/<id:producer_id>/photos")
@api_auth("farmer")
@producers_bp.arguments(FileSchema, location="files")
@producers_bp.response(201, PhotoSchema)
@producers_bp.alt_response(401, description="Not authenticated")
@producers_bp.alt_response(403, description="Not the owner")
@producers_bp.alt_response(404, description="Not found")
@producers_bp.alt_response(409, description="Too many photos")
@producers_bp.alt_response(413, description="File too large")
@producers_bp.alt_response(422, description="Not an image")
def add_producer_photo(files, producer_id):
    """Add a photo of the farm (JPEG, PNG, WebP or GIF; 5 MB at most). The owner."""
    user = api_user()
    return photos.add_producer_photo(user, producers.get_producer(user, producer_id), files.get("file"))


# ---------------------------------------------------------------- products


@products_bp.get("/products")
@public_response(api=True)
@products_bp.alt_response(304, description="Not modified: the ETag sent in If-None-Match is current")
@products_bp.arguments(ProductQuerySchema, location="query")
@products_bp.response(200, ProductPageSchema)
@products_bp.alt_response(422, description="Invalid filter, sort or page")
def list_products(args):
    """Search and browse: active products of verified producers (the owner's and an admin's
    own view with ``status``). Anyone. ``q`` finds Chinese (words, Traditional script,
    pinyin), Russian and English word forms, their synonyms and Latin-typed Russian; names
    first, then categories, then descriptions. A quantity in ``q`` ("荞麦 20吨") is reported
    in ``understood``, not searched for; when nothing matches, ``suggestion`` is a close query
    that does. ``pages`` counts the pages; a page past it is empty.

    :raise 422: a bad filter value (unknown category or district, per_page over 100, …)
    """
    errors = search.check_filters(args)
    if errors:
        raise ValidationFailed(_l("Some fields are not valid."), fields=errors)
    return search.search_products(api_user(), args, with_facets=args.get("facets", False))


@products_bp.post("/products")
@api_auth("farmer")
@products_bp.arguments(ProductCreateSchema)
@products_bp.response(201, ProductDetailSchema)
@products_bp.alt_response(401, description="Not authenticated")
@products_bp.alt_response(403, description="Not a farmer, no producer profile, or not verified")
@products_bp.alt_response(422, description="Invalid input")
def create_product(data):
    """List a product. Farmers whose producer is verified; ``status`` defaults to draft.

    :raise 403: no producer profile (``producer_required``) or not verified (``producer_not_verified``)
    :raise 422: invalid fields; nothing is written
    """
    product = products.create_product(api_user(), data)
    return products.get_product(api_user(), product.id)


@products_bp.get("/products/<id:product_id>")
@public_response(api=True)
@products_bp.alt_response(304, description="Not modified: the ETag sent in If-None-Match is current")
@products_bp.response(200, ProductDetailSchema)
@products_bp.alt_response(404, description="No such product, or not visible to the caller")
def get_product(product_id):
    """One product with its lots and valid certificates. Anyone who may see it.

    :raise 404: unknown or not visible
    """
    return products.read_product(api_user(), product_id)


@products_bp.patch("/products/<id:product_id>")
@api_auth()
@products_bp.arguments(ProductInSchema)
@products_bp.response(200, ProductDetailSchema)
@products_bp.alt_response(401, description="Not authenticated")
@products_bp.alt_response(403, description="Not the owner, or publishing without verification")
@products_bp.alt_response(404, description="Not visible to the caller")
@products_bp.alt_response(422, description="Invalid input")
def update_product(data, product_id):
    """Change a product; ``stock_quantity`` sets stock on hand (products without lots). The owner only.

    :raise 403: visible but not the caller's
    :raise 404: not visible to the caller
    """
    user = api_user()
    products.update_product(user, products.get_product_for_edit(user, product_id), data)
    return products.get_product(user, product_id)


@products_bp.delete("/products/<id:product_id>")
@api_auth()
@products_bp.response(200, ProductDetailSchema)
@products_bp.alt_response(401, description="Not authenticated")
@products_bp.alt_response(403, description="Not the owner")
@products_bp.alt_response(404, description="Not visible to the caller")
def archive_product(product_id):
    """Archive (never delete: orders refer to it). The owner, or an admin taking it down."""
    user = api_user()
    return products.archive_product(user, products.get_product(user, product_id))


@products_bp.get("/products/<id:product_id>/lots")
@products_bp.response(200, LotSchema(many=True))
@products_bp.alt_response(404, description="Not visible")
def list_lots(product_id):
    """The product's lots, by best-before date. Anyone who may see the product."""
    return products.get_product(api_user(), product_id).lots


@products_bp.post("/products/<id:product_id>/lots")
@api_auth("farmer")
@products_bp.arguments(LotSchema)
@products_bp.response(201, LotSchema)
@products_bp.alt_response(401, description="Not authenticated")
@products_bp.alt_response(403, description="Not the owner")
@products_bp.alt_response(404, description="Not visible")
@products_bp.alt_response(409, description="Open orders hold stock kept without lots")
@products_bp.alt_response(422, description="Invalid input")
def add_lot(data, product_id):
    """Add a lot; from then on the product's stock is the sum of unexpired lots. The owner."""
    user = api_user()
    return lots.add_lot(user, products.get_product_for_edit(user, product_id), data)


@products_bp.patch("/products/<id:product_id>/lots/<id:lot_id>")
@api_auth("farmer")
@products_bp.arguments(LotPatchSchema)
@products_bp.response(200, LotSchema)
@products_bp.alt_response(401, description="Not authenticated")
@products_bp.alt_response(403, description="Not the owner")
@products_bp.alt_response(404, description="Not found")
@products_bp.alt_response(422, description="Invalid input")
def update_lot(data, product_id, lot_id):
    """Correct a lot. The owner."""
    user = api_user()
    product = products.get_product_for_edit(user, product_id)
    return lots.update_lot(user, lots.get_lot(product, lot_id), data)


@products_bp.delete("/products/<id:product_id>/lots/<id:lot_id>")
@api_auth("farmer")
@products_bp.response(204)
@products_bp.alt_response(401, description="Not authenticated")
@products_bp.alt_response(403, description="Not the owner")
@products_bp.alt_response(404, description="Not found")
@products_bp.alt_response(409, description="Open orders hold stock from it, or orders took from it")
def delete_lot(product_id, lot_id):
    """Remove a lot no order ever took stock from (else archive it). The owner.

    :raise 409: ``lot_reserved`` or ``lot_has_orders``
    """
    user = api_user()
    product = products.get_product_for_edit(user, product_id)
    lots.delete_lot(user, lots.get_lot(product, lot_id))


@products_bp.post("/products/<id:product_id>/lots/<id:lot_id>/archive")
@api_auth("farmer")
@products_bp.response(200, LotSchema)
@products_bp.alt_response(401, description="Not authenticated")
@products_bp.alt_response(403, description="Not the owner")
@products_bp.alt_response(404, description="Not found")
@products_bp.alt_response(409, description="Open orders hold stock from the lot")
def archive_lot(product_id, lot_id):
    """Take a lot off sale for good; it stays on record for its orders. The owner."""
    user = api_user()
    product = products.get_product_for_edit(user, product_id)
    return lots.archive_lot(user, lots.get_lot(product, lot_id))


@products_bp.post("/products/<id:product_id>/photos")
@api_auth("farmer")
@products_bp.arguments(FileSchema, location="files")
@products_bp.response(201, PhotoSchema)
@products_bp.alt_response(401, description="Not authenticated")
@products_bp.alt_response(403, description="Not the owner")
@products_bp.alt_response(404, description="Not visible")
@products_bp.alt_response(409, description="Too many photos")
@products_bp.alt_response(413, description="File too large")
@products_bp.alt_response(422, description="Not an image")
def add_product_photo(files, product_id):
    """Upload a photo (JPEG, PNG, WebP or GIF, 5 MB at most; re-encoded, thumbnailed). The owner.

    :raise 413: larger than 5 MB
    :raise 422: not an image
    """
    user = api_user()
    return photos.add_product_photo(user, products.get_product_for_edit(user, product_id), files.get("file"))


@products_bp.delete("/products/<id:product_id>/photos/<id:photo_id>")
@api_auth("farmer")
@products_bp.response(204)
@products_bp.alt_response(401, description="Not authenticated")
@products_bp.alt_response(403, description="Not the owner")
@products_bp.alt_response(404, description="Not found")
def delete_product_photo(product_id, photo_id):
    """Remove a photo. The owner."""
    user = api_user()
    product = products.get_product_for_edit(user, product_id)
    photo = db.session.get(Photo, photo_id)
    if photo is None or photo.product_id != product.id:
        raise NotFound()
    photos.delete_photo(user, photo)


@products_bp.put("/products/<id:product_id>/photos/order")
@api_auth("farmer")
@products_bp.arguments(PhotoOrderSchema)
@products_bp.response(200, PhotoSchema(many=True))
@products_bp.alt_response(401, description="Not authenticated")
@products_bp.alt_response(403, description="Not the owner")
@products_bp.alt_response(404, description="Not visible")
@products_bp.alt_response(422, description="Not exactly the product's photos")
def reorder_product_photos(data, product_id):
    """Put the product's photos in a new order (the first is the one the catalog shows). The owner.

    :raise 422: ``photo_ids`` does not list each of the product's photos exactly once
    """
    user = api_user()
    return photos.reorder_photos(user, products.get_product_for_edit(user, product_id), data["photo_ids"])


@products_bp.get("/categories")
@products_bp.response(200, CategorySchema(many=True))
def list_categories():
    """The category tree, in display order. Anyone."""
    return queries.categories()


@products_bp.get("/districts")
@products_bp.response(200, DistrictSchema(many=True))
def list_districts():
    """Districts of Chelyabinsk oblast (the ``district`` codes). Anyone."""
    return queries.districts()
