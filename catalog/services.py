"""Catalog rules: producer profiles and their review, certificates, products, tiers, lots, photos.

Each public function takes the acting user, checks what that user may do, and owns the
transaction (commits, or raises an core.errors exception with nothing written).
"""

from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from catalog import search, uploads
from catalog.data import (
    CERTIFICATE_KINDS,
    GACC_RE,
    PRODUCER_STATUSES,
    PRODUCT_STATUSES,
    UNITS,
    quantity_decimals,
)
from catalog.models import Category, Certificate, District, Lot, Photo, Producer, Product, ProductPriceTier
from catalog.queries import available_stock, listing_options, visible_products_query  # noqa: F401
from catalog.trade_fields import code_values, price_basis_values
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.mail import queue_email
from core.timeutil import utcnow

LANGS = ("zh", "ru", "en")
#: Changing these on a verified profile sends it back to review.
CREDENTIAL_FIELDS = ("name_ru", "gacc_registration", "gacc_expires_at")


def invalid(field: str, message) -> ValidationFailed:
    return ValidationFailed(message, fields={field: [message]})


def _clean(value) -> str:
    return (value or "").strip()


# ---------------------------------------------------------------- producers


def producer_of(user) -> Producer | None:
    if user is None or user.role != "farmer":
        return None
    return db.session.scalar(select(Producer).where(Producer.owner_id == user.id))


def get_producer(user, producer_id: int) -> Producer:
    """:raise NotFound: no such producer, or ``user`` may not see it (unverified, not theirs)."""
    producer = db.session.get(Producer, producer_id)
    if producer is None or not producer.visible_to(user):
        raise NotFound(_l("No such producer."))
    return producer


def _check_owner(user, producer: Producer) -> None:
    if user is None or user.id != producer.owner_id:
        raise Forbidden(_l("Only the producer's own farmer may change this."))


def _producer_fields(data: dict, producer: Producer | None) -> dict:
    """Validated column values from ``data`` (API or form shape)."""
    values: dict = {}
    errors: dict = {}
    if "name" in data:
        names = data["name"] or {}
        for lang in LANGS:
            values[f"name_{lang}"] = _clean(names.get(lang))[:200]
        if not values["name_ru"]:
            errors["name"] = [_l("Enter the legal name in Russian.")]
    elif producer is None:
        errors["name"] = [_l("Enter the legal name in Russian.")]
    if "description" in data:
        descriptions = data["description"] or {}
        for lang in LANGS:
            values[f"description_{lang}"] = _clean(descriptions.get(lang))
    if "district" in data or producer is None:
        code = data.get("district")
        if not code or db.session.get(District, code) is None:
            errors["district"] = [_l("Choose a district of Chelyabinsk oblast.")]
        values["district_code"] = code
    for key, column, limit in (
        ("address", "address", 300),
        ("contact_name", "contact_name", 120),
        ("contact_phone", "contact_phone", 40),
        ("contact_email", "contact_email", 254),
        ("website", "website", 200),
    ):
        if key in data:
            values[column] = _clean(data[key])[:limit]
    if "gacc_registration" in data:
        number = _clean(data["gacc_registration"]).upper() or None
        if number and not GACC_RE.match(number):
            errors["gacc_registration"] = [
                _l(
                    "A GACC registration number looks like CRUS followed by 14 digits, e.g. CRUS12202201150001."  # noqa: E501
                )
            ]
        values["gacc_registration"] = number
    if "gacc_expires_at" in data:
        values["gacc_expires_at"] = data["gacc_expires_at"]
    if "price_basis" in data:
        basis = price_basis_values(
            data["price_basis"], lambda f, m: errors.setdefault(f, []).append(m), allow_none=False
        )
        if basis:
            values["price_incoterm"], values["price_place"] = basis["price_incoterm"], basis["price_place"]
    number = values.get("gacc_registration", producer.gacc_registration if producer else None)
    if number and number != (producer.gacc_registration if producer else None):
        clash = db.session.scalar(select(Producer.id).where(Producer.gacc_registration == number))
        if clash and (producer is None or clash != producer.id):
            errors["gacc_registration"] = [_l("Another producer has this GACC registration number.")]
    if errors:
        raise ValidationFailed(_l("Some fields are not valid."), fields=errors)
    return values


def create_producer(user, data: dict) -> Producer:
    """A farmer's own producer profile, once; it waits for an admin's review."""
    if user is None or user.role != "farmer":
        raise Forbidden(_l("Only farmers have producer profiles."))
    if producer_of(user) is not None:
        raise Conflict(_l("You already have a producer profile."), code="producer_exists")
    producer = Producer(owner_id=user.id, status="pending", **_producer_fields(data, None))
    db.session.add(producer)
    db.session.commit()
    return producer


def update_producer(user, producer: Producer, data: dict) -> Producer:
    """The owner edits the profile; new credentials on a verified one go back to review."""
    _check_owner(user, producer)
    values = _producer_fields(data, producer)
    credentials_changed = any(
        key in values and values[key] != getattr(producer, key) for key in CREDENTIAL_FIELDS
    )
    for key, value in values.items():
        setattr(producer, key, value)
    if credentials_changed and producer.status == "verified":
        producer.status = "pending"
        producer.reviewed_at = None
    if producer.status == "rejected":
        producer.status = "pending"  # a corrected profile asks for review again
    db.session.commit()
    return producer


def list_producers(user, status: str | None = None):
    """Verified producers; an admin sees all, filtered by ``status``."""
    stmt = select(Producer).order_by(Producer.created_at.desc(), Producer.id.desc())
    if user is not None and user.role == "admin":
        if status in PRODUCER_STATUSES:
            stmt = stmt.where(Producer.status == status)
    else:
        stmt = stmt.where(Producer.status == "verified")
    return stmt


def verify_producer(admin, producer: Producer) -> Producer:
    """Admin: the profile and credentials are checked; the products become visible.

    :raise Conflict: no GACC registration, or it has expired
    """
    if not producer.gacc_valid():
        raise Conflict(
            _l("A producer needs a current GACC registration before it can be verified."),
            code="gacc_missing",
        )
    producer.status = "verified"
    producer.rejection_reason = ""
    producer.reviewed_at = utcnow()
    producer.reviewed_by_id = admin.id
    _notify_review(producer)
    db.session.commit()
    return producer


def reject_producer(admin, producer: Producer, reason: str) -> Producer:
    """Admin: send the profile back with a reason the farmer sees."""
    reason = _clean(reason)
    if not reason:
        raise invalid("reason", _l("Give the farmer a reason."))
    producer.status = "rejected"
    producer.rejection_reason = reason[:2000]
    producer.reviewed_at = utcnow()
    producer.reviewed_by_id = admin.id
    _notify_review(producer)
    db.session.commit()
    return producer


def _notify_review(producer: Producer) -> None:
    owner = producer.owner
    queue_email(
        owner.email,
        owner.language,
        "catalog/email/producer_reviewed",
        name=owner.name,
        producer=producer.name_ru,
        verified=producer.verified,
        reason=producer.rejection_reason,
    )


def verification_queue():
    return db.session.scalars(
        select(Producer).where(Producer.status == "pending").order_by(Producer.created_at, Producer.id)
    ).all()


# ---------------------------------------------------------------- certificates


def add_certificate(user, producer: Producer, data: dict, file=None) -> Certificate:
    _check_owner(user, producer)
    errors = {}
    if data.get("kind") not in CERTIFICATE_KINDS:
        errors["kind"] = [_l("Choose a certificate kind.")]
    if not _clean(data.get("number")):
        errors["number"] = [_l("Enter the certificate number.")]
    valid_from, valid_until = data.get("valid_from"), data.get("valid_until")
    if not isinstance(valid_from, date):
        errors["valid_from"] = [_l("Enter a date.")]
    if not isinstance(valid_until, date):
        errors["valid_until"] = [_l("Enter a date.")]
    elif isinstance(valid_from, date) and valid_until < valid_from:
        errors["valid_until"] = [_l("The certificate cannot expire before it starts.")]
    if errors:
        raise ValidationFailed(_l("Some fields are not valid."), fields=errors)
    certificate = Certificate(
        producer=producer,
        kind=data["kind"],
        number=_clean(data["number"])[:100],
        issuer=_clean(data.get("issuer"))[:200],
        valid_from=valid_from,
        valid_until=valid_until,
    )
    if file is not None and getattr(file, "filename", None):
        certificate.file_name, certificate.file_type = uploads.save_certificate_file(file)
    db.session.add(certificate)
    db.session.commit()
    return certificate


def attach_certificate_file(user, certificate: Certificate, file) -> Certificate:
    _check_owner(user, certificate.producer)
    old = certificate.file_name
    certificate.file_name, certificate.file_type = uploads.save_certificate_file(file)
    db.session.commit()
    uploads.remove_files("certificates", old)
    return certificate


def delete_certificate(user, certificate: Certificate) -> None:
    _check_owner(user, certificate.producer)
    name = certificate.file_name
    db.session.delete(certificate)
    db.session.commit()
    uploads.remove_files("certificates", name)


def get_certificate(user, producer: Producer, certificate_id: int) -> Certificate:
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or certificate.producer_id != producer.id:
        raise NotFound(_l("No such certificate."))
    return certificate


# ---------------------------------------------------------------- products


def get_product(user, product_id: int) -> Product:
    """:raise NotFound: no such product, or ``user`` may not see it."""
    product = db.session.scalar(select(Product).where(Product.id == product_id).options(*listing_options()))
    if product is None or not product.visible_to(user):
        raise NotFound(_l("No such product."))
    return product


def get_product_for_edit(user, product_id: int) -> Product:
    """The owner's product. :raise NotFound: invisible to ``user``; :raise Forbidden: not theirs."""
    product = get_product(user, product_id)
    if not product.owned_by(user):
        raise Forbidden(_l("Only the producer who lists this product may change it."))
    return product


def _require_producer(user) -> Producer:
    producer = producer_of(user)
    if producer is None:
        raise Forbidden(_l("Create your producer profile first."), code="producer_required")
    return producer


def _require_verified(producer: Producer) -> None:
    if not producer.verified:
        raise Forbidden(
            _l("Your producer profile is not verified yet: products can be published after the review."),
            code="producer_not_verified",
        )


def _quantity_ok(value: Decimal, unit: str) -> bool:
    return -value.normalize().as_tuple().exponent <= quantity_decimals(unit)  # by value: "100.000" is whole


def check_tiers(tiers: list, unit: str) -> list[tuple[Decimal, Decimal]]:
    """Tiers as (min_quantity, unit_price), thresholds increasing, prices positive and not rising."""
    if not tiers:
        raise invalid("price_tiers", _l("Give at least one price tier; its quantity is the minimum order."))
    pairs = []
    for tier in tiers:
        quantity, price = tier.get("min_quantity"), tier.get("unit_price")
        if not isinstance(quantity, Decimal) or quantity <= 0:
            raise invalid("price_tiers", _l("Every tier needs a quantity above zero."))
        if not isinstance(price, Decimal) or price <= 0:
            raise invalid("price_tiers", _l("Every tier needs a price above zero."))
        if not _quantity_ok(quantity, unit):
            raise invalid("price_tiers", _l("This unit is sold in whole numbers."))
        if -price.as_tuple().exponent > 2:
            raise invalid("price_tiers", _l("Prices have at most 2 decimal places."))
        pairs.append((quantity, price))
    for (q1, p1), (q2, p2) in zip(pairs, pairs[1:], strict=False):
        if q2 <= q1:
            raise invalid("price_tiers", _l("Tier quantities must strictly increase."))
        if p2 > p1:
            raise invalid("price_tiers", _l("A larger quantity cannot cost more per unit."))
    return pairs


def validate_product(producer: Producer, data: dict, product: Product | None = None) -> dict:
    """Column values and tiers from ``data``; raises ValidationFailed with every field error."""
    values: dict = {}
    errors: dict = {}

    def error(field, message):
        errors.setdefault(field, []).append(message)

    if "name" in data or product is None:
        names = data.get("name") or {}
        for lang in LANGS:
            values[f"name_{lang}"] = _clean(names.get(lang))[:200]
        if not any(values[f"name_{lang}"] for lang in LANGS):
            error("name", _l("Give the product a name in at least one language."))
    if "description" in data:
        descriptions = data.get("description") or {}
        for lang in LANGS:
            values[f"description_{lang}"] = _clean(descriptions.get(lang))[:5000]
    if "category" in data or product is None:
        code = data.get("category")
        category = db.session.get(Category, code) if code else None
        if category is None:
            error("category", _l("Unknown category."))
        values["category_code"] = code
    values.update(code_values(data, product, error))
    if "price_basis" in data:
        values.update(price_basis_values(data["price_basis"], error))
    unit = data.get("unit", product.unit if product else None)
    if "unit" in data or product is None:
        if unit not in UNITS:
            error("unit", _l("Unknown unit of sale."))
        values["unit"] = unit
    for key in ("net_weight_kg", "gross_weight_kg"):
        if key in data or (product is None and key == "net_weight_kg"):
            value = data.get(key)
            if value is not None and (not isinstance(value, Decimal) or value <= 0):
                error(key, _l("Must be greater than zero."))
            values[key] = value
    if product is None and values.get("net_weight_kg") is None and "net_weight_kg" not in errors:
        error("net_weight_kg", _l("Enter the net weight of one unit."))
    net = values.get("net_weight_kg", product.net_weight_kg if product else None)
    gross = values.get("gross_weight_kg", product.gross_weight_kg if product else None)
    if net and gross and gross < net and not errors.get("gross_weight_kg"):
        error("gross_weight_kg", _l("The gross weight cannot be below the net weight."))
    for key, limit in (("packaging", 300), ("origin", 200), ("ingredients_zh", 2000), ("allergens_zh", 500)):
        if key in data:
            values[key] = _clean(data.get(key))[:limit]
    if "organic_claim" in data:
        values["organic_claim"] = bool(data["organic_claim"])
    if "storage_temp_c" in data:
        temp = data.get("storage_temp_c") or {}
        low, high = temp.get("min"), temp.get("max")
        if low is not None and high is not None and low > high:
            error("storage_temp_c", _l("The lowest storage temperature is above the highest."))
        values["storage_temp_min_c"], values["storage_temp_max_c"] = low, high
    if "shelf_life_days" in data:
        days = data.get("shelf_life_days")
        if days is not None and days <= 0:
            error("shelf_life_days", _l("Must be greater than zero."))
        values["shelf_life_days"] = days
    if "status" in data or product is None:
        status = data.get("status") or "draft"
        if status not in PRODUCT_STATUSES:
            error("status", _l("Unknown status."))
        values["status"] = status
    if "stock_quantity" in data and data["stock_quantity"] is not None:
        stock = data["stock_quantity"]
        if not isinstance(stock, Decimal) or stock < 0:
            error("stock_quantity", _l("Stock cannot be negative."))
        elif unit in UNITS and not _quantity_ok(stock, unit):
            error("stock_quantity", _l("This unit is sold in whole numbers."))
        elif product is not None and product.tracks_lots:
            error("stock_quantity", _l("This product keeps its stock in lots: add or change a lot instead."))
        elif product is not None and stock < product.stock_reserved:
            error("stock_quantity", _l("Open orders hold more than this."))
        values["stock_on_hand"] = stock
    tiers = None
    if "price_tiers" in data or product is None:
        try:
            tiers = check_tiers(data.get("price_tiers") or [], unit if unit in UNITS else "kg")
        except ValidationFailed as exc:
            errors.update(exc.fields)
    elif "unit" in data and product is not None:
        try:
            check_tiers(
                [
                    {"min_quantity": t.min_quantity.normalize(), "unit_price": t.unit_price}
                    for t in product.price_tiers
                ],
                unit,
            )
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if values.get("category_code") and values.get("hs_code") and not errors:
        category = db.session.get(Category, values["category_code"])
        if category is not None and not category.hs_code_plausible(values["hs_code"]):
            error(
                "hs_code",
                _l(
                    "This HS heading does not fit the category (expected one of %(prefixes)s).",
                    prefixes=category.hs_prefixes.replace(",", ", "),
                ),
            )
    if errors:
        raise ValidationFailed(_l("Some fields are not valid."), fields=errors)
    if values.get("status") == "active" and (product is None or product.status != "active"):
        _require_verified(producer)
    return {"values": values, "tiers": tiers}


def apply_product(product: Product, checked: dict) -> Product:
    """Write validated values (no commit): tiers, denormalised prices, search lexemes."""
    for key, value in checked["values"].items():
        setattr(product, key, value)
    if checked["tiers"] is not None:
        if product.id is not None and product.price_tiers:
            product.price_tiers.clear()
            db.session.flush()  # old tiers go before new ones take their (product, quantity) keys
        product.price_tiers = [ProductPriceTier(min_quantity=q, unit_price=p) for q, p in checked["tiers"]]
    prices = [t.unit_price for t in product.price_tiers]
    product.price_min_cny = min(prices) if prices else None
    product.price_max_cny = max(prices) if prices else None
    if product.category is None or product.category.code != product.category_code:
        product.category = db.session.get(Category, product.category_code)
    search.index_product(product)
    return product


def create_product(user, data: dict) -> Product:
    """A farmer lists a product. Before the producer is verified it can only be a draft,
    published (status active) after the review.

    :raise Forbidden: not a farmer, no producer profile, or publishing while unverified
    :raise ValidationFailed: any bad field (nothing is written)
    """
    if user is None or user.role != "farmer":
        raise Forbidden(_l("Only farmers list products."))
    producer = _require_producer(user)
    checked = validate_product(producer, data)
    product = Product(producer=producer, stock_on_hand=Decimal("0"), stock_reserved=Decimal("0"))
    db.session.add(product)
    apply_product(product, checked)
    db.session.commit()
    return product


def update_product(user, product: Product, data: dict) -> Product:
    """The owner changes a product; publishing needs a verified producer."""
    if not product.owned_by(user):
        raise Forbidden(_l("Only the producer who lists this product may change it."))
    checked = validate_product(product.producer, data, product)
    apply_product(product, checked)
    db.session.commit()
    return product


def archive_product(user, product: Product) -> Product:
    """The owner (or an admin, to take a listing down) archives; buyers no longer see it."""
    if not (product.owned_by(user) or (user is not None and user.role == "admin")):
        raise Forbidden(_l("Only the producer who lists this product may change it."))
    product.status = "archived"
    db.session.commit()
    return product


def my_products(user, status: str | None = None):
    producer = producer_of(user)
    if producer is None:
        return []
    stmt = (
        select(Product)
        .where(Product.producer_id == producer.id)
        .options(*listing_options())
        .order_by(Product.updated_at.desc(), Product.id.desc())
    )
    if status in PRODUCT_STATUSES:
        stmt = stmt.where(Product.status == status)
    return db.session.scalars(stmt).unique().all()


# ---------------------------------------------------------------- lots and stock


def _check_lot(product: Product, data: dict, lot: Lot | None = None) -> dict:
    errors: dict = {}
    values: dict = {}
    if "lot_number" in data or lot is None:
        number = _clean(data.get("lot_number"))[:64]
        if not number:
            errors["lot_number"] = [_l("Enter the lot number.")]
        else:
            clash = db.session.scalar(
                select(Lot.id).where(Lot.product_id == product.id, Lot.lot_number == number)
            )
            if clash and (lot is None or clash != lot.id):
                errors["lot_number"] = [_l("This product already has a lot with this number.")]
        values["lot_number"] = number
    for key in ("produced_on", "best_before"):
        if key in data or lot is None:
            if not isinstance(data.get(key), date):
                errors[key] = [_l("Enter a date.")]
            values[key] = data.get(key)
    produced = values.get("produced_on", lot.produced_on if lot else None)
    best_before = values.get("best_before", lot.best_before if lot else None)
    if isinstance(produced, date) and isinstance(best_before, date) and best_before < produced:
        errors["best_before"] = [_l("The best-before date cannot precede the production date.")]
    if "quantity" in data or lot is None:
        quantity = data.get("quantity")
        if not isinstance(quantity, Decimal) or quantity <= 0:
            errors["quantity"] = [_l("Must be greater than zero.")]
        elif not _quantity_ok(quantity, product.unit):
            errors["quantity"] = [_l("This unit is sold in whole numbers.")]
        elif lot is not None and quantity < lot.quantity_reserved:
            errors["quantity"] = [_l("Open orders hold more than this.")]
        values["quantity"] = quantity
    if errors:
        raise ValidationFailed(_l("Some fields are not valid."), fields=errors)
    return values


def add_lot(user, product: Product, data: dict) -> Lot:
    """From its first lot on, a product's stock is the sum of its unexpired lots."""
    if not product.owned_by(user):
        raise Forbidden(_l("Only the producer who lists this product may change it."))
    lot = Lot(product=product, quantity_reserved=Decimal("0"), **_check_lot(product, data))
    if not product.tracks_lots:
        if product.stock_reserved > 0:
            raise Conflict(_l("Open orders hold stock of this product: lots can be added once they ship."))
        product.tracks_lots = True
        product.stock_on_hand = Decimal("0")
    db.session.add(lot)
    db.session.commit()
    return lot


def update_lot(user, lot: Lot, data: dict) -> Lot:
    if not lot.product.owned_by(user):
        raise Forbidden(_l("Only the producer who lists this product may change it."))
    for key, value in _check_lot(lot.product, data, lot).items():
        setattr(lot, key, value)
    db.session.commit()
    return lot


def delete_lot(user, lot: Lot) -> None:
    if not lot.product.owned_by(user):
        raise Forbidden(_l("Only the producer who lists this product may change it."))
    if lot.quantity_reserved > 0:
        raise Conflict(_l("Open orders hold stock from this lot."))
    db.session.delete(lot)
    db.session.commit()


def get_lot(product: Product, lot_id: int) -> Lot:
    lot = db.session.get(Lot, lot_id)
    if lot is None or lot.product_id != product.id:
        raise NotFound(_l("No such lot."))
    return lot


# ---------------------------------------------------------------- photos

MAX_PHOTOS = 12


def add_product_photo(user, product: Product, file) -> Photo:
    if not product.owned_by(user):
        raise Forbidden(_l("Only the producer who lists this product may change it."))
    return _add_photo(product.photos, file, product=product)


def add_producer_photo(user, producer: Producer, file) -> Photo:
    _check_owner(user, producer)
    return _add_photo(producer.photos, file, producer=producer)


def _add_photo(existing: list, file, **owner) -> Photo:
    if len(existing) >= MAX_PHOTOS:
        raise Conflict(_l("At most %(n)d photos.", n=MAX_PHOTOS))
    stored = uploads.save_photo(file)
    position = max((p.position for p in existing), default=-1) + 1
    photo = Photo(position=position, **stored, **owner)
    db.session.add(photo)
    db.session.commit()
    return photo


def delete_photo(user, photo: Photo) -> None:
    owner_id = photo.product.producer.owner_id if photo.product else photo.producer.owner_id
    if user is None or user.id != owner_id:
        raise Forbidden(_l("Only the producer who lists this product may change it."))
    names = (photo.file_name, photo.thumb_name)
    db.session.delete(photo)
    db.session.commit()
    uploads.remove_files("photos", *names)


def photo_visible_to(photo: Photo, user) -> bool:
    return photo.product.visible_to(user) if photo.product else photo.producer.visible_to(user)


def count_products(producer: Producer) -> int:
    return db.session.scalar(select(func.count(Product.id)).where(Product.producer_id == producer.id))
