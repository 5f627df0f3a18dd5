"""Catalog JSON shapes: what goes in (strict) and what comes out, per viewer where it matters."""

import re
from decimal import Decimal

import marshmallow as ma
from flask import url_for
from flask_babel import lazy_gettext as _l

from catalog.data import (
    CERTIFICATE_KINDS,
    NUTRITION_BASES,
    PACKAGE_KINDS,
    PACKAGE_SIZE_MAX,
    PACKAGE_SIZE_UNITS,
    PRODUCER_STATUSES,
    PRODUCT_STATUSES,
    SORTS_DOC,
    UNITS,
)
from catalog.incoterms import INCOTERMS
from catalog.queries import available_stock
from core.auth import api_user
from core.fields import ID_RANGE, DecimalString, StrictInteger, Translated
from core.pagination import MAX_PER_PAGE


class QueryInteger(ma.fields.Integer):
    """An integer in a query string: digits only ("2.5", "1e3" and "" are refused)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            if not re.fullmatch(r"[0-9]{1,10}", value.strip()):
                raise self.make_error("invalid")
            value = int(value.strip())
        elif isinstance(value, bool) or not isinstance(value, int):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


def _text(max_length, **kwargs):
    return ma.fields.String(validate=ma.validate.Length(max=max_length), **kwargs)


def _quantity(**kwargs):
    return DecimalString(places=3, **kwargs)


def _money(**kwargs):
    return DecimalString(places=2, **kwargs)


class ReadOnlyKeys(ma.Schema):
    """Output fields (``READ_ONLY``) sent back on POST/PATCH are refused, each named (422):
    the spec marks them readOnly, and silently ignoring them would let a client believe it
    changed an id, a status it may not set or a timestamp."""

    READ_ONLY: tuple[str, ...] = ()

    @ma.pre_load
    def refuse_read_only(self, data, **kwargs):
        if isinstance(data, dict):
            sent = sorted(k for k in data if k in self.READ_ONLY)
            if sent:
                raise ma.ValidationError({k: [str(_l("This field is read-only."))] for k in sent})
        return data


# ---------------------------------------------------------------- shared pieces


class PhotoSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    url = ma.fields.Method("get_url", metadata={"type": "string"})
    thumbnail_url = ma.fields.Method("get_thumb", metadata={"type": "string"})
    #: 160 px on the long side (cart, orders, gallery strip).
    mini_url = ma.fields.Method("get_mini", metadata={"type": "string"})
    position = ma.fields.Integer()
    width = ma.fields.Integer()
    height = ma.fields.Integer()

    def get_url(self, photo):
        return url_for("catalog.photo_file", photo_id=photo.id, variant="full")

    def get_thumb(self, photo):
        return url_for("catalog.photo_file", photo_id=photo.id, variant="thumb")

    def get_mini(self, photo):
        return url_for("catalog.photo_file", photo_id=photo.id, variant="mini")


class PhotoOrderSchema(ma.Schema):
    #: Every photo of the product once, the first being the one the catalog shows.
    photo_ids = ma.fields.List(
        StrictInteger(validate=ID_RANGE), required=True, validate=ma.validate.Length(min=1, max=12)
    )


class TemperatureSchema(ma.Schema):
    min = StrictInteger(allow_none=True, validate=ma.validate.Range(min=-60, max=60))
    max = StrictInteger(allow_none=True, validate=ma.validate.Range(min=-60, max=60))


class TierSchema(ma.Schema):
    min_quantity = _quantity(required=True, minimum=0, exclusive_minimum=True, maximum="999999999")
    unit_price = _money(required=True, minimum=0, exclusive_minimum=True, maximum="9999999999")


# ---------------------------------------------------------------- producers


class CertificateSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(list(CERTIFICATE_KINDS)))
    number = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=100))
    issuer = _text(200, load_default="")
    valid_from = ma.fields.Date(required=True)
    valid_until = ma.fields.Date(required=True)
    valid = ma.fields.Method("get_valid", dump_only=True, metadata={"type": "boolean"})
    file_url = ma.fields.Method("get_file_url", dump_only=True, metadata={"type": "string", "nullable": True})

    def get_valid(self, certificate):
        return certificate.is_valid()

    def get_file_url(self, certificate):
        if not certificate.file_name:
            return None
        return url_for("catalog.certificate_file", certificate_id=certificate.id)


class ContactsSchema(ma.Schema):
    contact_name = ma.fields.String()
    contact_phone = ma.fields.String()
    contact_email = ma.fields.String()
    website = ma.fields.String()


class RuEnSchema(ma.Schema):
    ru = _text(400)
    en = _text(400)


class BankSchema(ma.Schema):
    name = _text(200)
    bik = _text(20, metadata={"description": "9 digits"})
    account = _text(30, metadata={"description": "20 digits, keyed to the BIK"})
    correspondent_account = _text(30, metadata={"description": "20 digits, keyed to the BIK"})
    swift = _text(11)


class SignatorySchema(ma.Schema):
    name = _text(200)
    position = _text(200)


class LegalInSchema(ma.Schema):
    """Any subset of the producer's legal data; ``complete`` and ``missing`` are ignored."""

    name = ma.fields.Nested(RuEnSchema)
    inn = _text(20, metadata={"description": "10 digits (company) or 12 (sole trader)"})
    kpp = _text(20, metadata={"description": "9 characters; companies only"})
    ogrn = _text(20, metadata={"description": "OGRN 13 digits or OGRNIP 15"})
    address = ma.fields.Nested(RuEnSchema)
    bank = ma.fields.Nested(BankSchema)
    signatory = ma.fields.Nested(SignatorySchema)

    @ma.pre_load
    def drop_read_only(self, data, **kwargs):
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if k not in ("complete", "missing")}
        return data


class PriceBasisSchema(ma.Schema):
    """What a price covers: an Incoterms 2020 term and its named place."""

    incoterm = ma.fields.String(required=True, metadata={"enum": list(INCOTERMS)})
    named_place = ma.fields.String(required=True, metadata={"example": "Chelyabinsk"})
    place_code = ma.fields.String(metadata={"example": "chelyabinsk"})


class PriceBasisInSchema(ma.Schema):
    incoterm = ma.fields.String(required=True, validate=ma.validate.OneOf(INCOTERMS))
    named_place = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    #: Accepted (and ignored) so what GET returns can be sent back.
    place_code = ma.fields.String(validate=ma.validate.Length(max=40))


class ProducerSummarySchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.Dict(attribute="names", required=True)
    district = ma.fields.String(attribute="district_code", required=True)
    verified = ma.fields.Boolean(required=True)
    gacc_registration = ma.fields.String(allow_none=True)


class ProducerSchema(ma.Schema):
    """A producer as anyone who may see it sees it; contacts and review notes for the owner and admins."""

    id = ma.fields.Integer(required=True)
    name = ma.fields.Dict(attribute="names", required=True, metadata={"description": "{zh, ru, en}"})
    description = ma.fields.Dict(attribute="descriptions", required=True)
    district = ma.fields.String(attribute="district_code", required=True)
    district_name = ma.fields.Function(lambda p: p.district.names, metadata={"type": "object"})
    address = ma.fields.String()
    gacc_registration = ma.fields.String(allow_none=True)
    gacc_expires_at = ma.fields.Date(allow_none=True)
    gacc_valid = ma.fields.Method("get_gacc_valid", metadata={"type": "boolean"})
    gacc_categories = ma.fields.Function(
        lambda p: [c for c in (p.gacc_categories or "").split(",") if c],
        metadata={"type": "array", "items": {"type": "string"}},
    )
    gs1_company_prefix = ma.fields.String(allow_none=True)
    legal = ma.fields.Method("get_legal", metadata={"type": "object"})

    price_basis = ma.fields.Nested(PriceBasisSchema, metadata={"description": "Default basis of its prices"})
    verified = ma.fields.Boolean(required=True)
    status = ma.fields.String(metadata={"enum": list(PRODUCER_STATUSES)})
    certificates = ma.fields.List(ma.fields.Nested(CertificateSchema))
    photos = ma.fields.List(ma.fields.Nested(PhotoSchema))
    contacts = ma.fields.Method("get_contacts", metadata={"type": "object", "nullable": True})
    rejection_reason = ma.fields.Method("get_reason", metadata={"type": "string", "nullable": True})
    created_at = ma.fields.AwareDateTime()

    def _private(self, producer) -> bool:
        user = api_user()
        return user is not None and (user.role == "admin" or user.id == producer.owner_id)

    def get_gacc_valid(self, producer):
        return producer.gacc_valid()

    def get_legal(self, producer):
        """Names, tax ids and address are public registers; bank details are private."""
        from catalog.legal import as_json

        return as_json(producer, with_bank=self._private(producer))

    def get_contacts(self, producer):
        return ContactsSchema().dump(producer) if self._private(producer) else None

    def get_reason(self, producer):
        return producer.rejection_reason if self._private(producer) else None


class ProducerInSchema(ReadOnlyKeys):
    READ_ONLY = (
        "id",
        "verified",
        "status",
        "certificates",
        "photos",
        "district_name",
        "gacc_valid",
        "created_at",
        "rejection_reason",
        "contacts",
    )

    name = Translated(max_length=200)
    description = Translated(max_length=5000)
    district = ma.fields.String(validate=ma.validate.Length(max=32))
    address = _text(300)
    contact_name = _text(120)
    contact_phone = _text(40)
    contact_email = ma.fields.Email(validate=ma.validate.Length(max=254))
    website = _text(200)
    gacc_registration = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=18))
    gacc_expires_at = ma.fields.Date(allow_none=True)
    gacc_categories = ma.fields.List(ma.fields.String(validate=ma.validate.Length(max=32)))
    gs1_company_prefix = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=12))
    legal = ma.fields.Nested(LegalInSchema)

    price_basis = ma.fields.Nested(PriceBasisInSchema)


class ProducerCreateSchema(ProducerInSchema):
    name = Translated(max_length=200, required=True)
    district = ma.fields.String(required=True, validate=ma.validate.Length(max=32))


class ProducerQuerySchema(ma.Schema):
    status = ma.fields.String(validate=ma.validate.OneOf(list(PRODUCER_STATUSES)))
    page = QueryInteger(load_default=1, validate=ma.validate.Range(min=1, max=100000))
    per_page = QueryInteger(load_default=20, validate=ma.validate.Range(min=1, max=MAX_PER_PAGE))


class RejectSchema(ma.Schema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=2000))


# ---------------------------------------------------------------- products


class LotSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    lot_number = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=64))
    produced_on = ma.fields.Date(required=True)
    best_before = ma.fields.Date(required=True)
    quantity = _quantity(required=True, minimum=0, exclusive_minimum=True, maximum="999999999")
    quantity_available = _quantity(attribute="available", dump_only=True)
    expired = ma.fields.Method("get_expired", dump_only=True, metadata={"type": "boolean"})
    archived_at = ma.fields.AwareDateTime(
        dump_only=True, allow_none=True, metadata={"description": "When the lot was taken off sale for good"}
    )

    def get_expired(self, lot):
        return lot.expired()


class LotPatchSchema(ma.Schema):
    lot_number = ma.fields.String(validate=ma.validate.Length(min=1, max=64))
    produced_on = ma.fields.Date()
    best_before = ma.fields.Date()
    quantity = _quantity(minimum=0, exclusive_minimum=True, maximum="999999999")


class PackageSizeSchema(ma.Schema):
    amount = _quantity(required=True, metadata={"description": "What one package holds, in ``unit``"})
    unit = ma.fields.String(required=True, metadata={"enum": list(PACKAGE_SIZE_UNITS)})


class PackageSizeInSchema(ma.Schema):
    amount = _quantity(required=True, minimum=0, exclusive_minimum=True, maximum=str(PACKAGE_SIZE_MAX))
    unit = ma.fields.String(required=True, validate=ma.validate.OneOf(list(PACKAGE_SIZE_UNITS)))


class ProductPackageSchema(ma.Schema):
    kind = ma.fields.String(required=True, metadata={"enum": list(PACKAGE_KINDS)})
    units_per_package = _quantity(
        required=True,
        allow_none=True,
        metadata={"description": "Units of sale in one package; null for goods in bulk"},
    )
    tare_kg = _quantity(allow_none=True)
    per_pallet = ma.fields.Integer(allow_none=True, metadata={"description": "Packages on one pallet"})
    size = ma.fields.Nested(
        PackageSizeSchema,
        allow_none=True,
        metadata={
            "description": "What one package holds: as given, else the units per package when the "
            "unit of sale is a measure (kg, tonne, litre); null for goods in bulk"
        },
    )
    label = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.String(),
        metadata={
            "description": "The package in words, {zh, ru, en}: 25 千克/袋, мешки, 25 кг, bags of 25 kg"
        },
    )


class ProductPackageInSchema(ma.Schema):
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(list(PACKAGE_KINDS)))
    #: Optional when the size measures like the unit of sale (then derived from it) or in bulk.
    units_per_package = _quantity(allow_none=True, minimum=0, exclusive_minimum=True, maximum="100000")
    size = ma.fields.Nested(PackageSizeInSchema, allow_none=True)

    @ma.pre_load
    def drop_label(self, data, **kwargs):
        """``label`` is written from kind and size: a package read back from GET may carry it."""
        if isinstance(data, dict) and "label" in data:
            data = {k: v for k, v in data.items() if k != "label"}
        return data

    tare_kg = _quantity(allow_none=True, minimum=0, maximum="10000")
    per_pallet = StrictInteger(allow_none=True, validate=ma.validate.Range(min=1, max=100000))


def _nutrient(**kwargs):
    return DecimalString(places=2, minimum=0, maximum="40000", **kwargs)


class NutritionInSchema(ma.Schema):
    """GB 28050: per 100 g or 100 ml."""

    basis = ma.fields.String(required=True, validate=ma.validate.OneOf(NUTRITION_BASES))
    energy_kj = _nutrient(required=True)
    protein_g = _nutrient(required=True)
    fat_g = _nutrient(required=True)
    carbohydrate_g = _nutrient(required=True)
    sodium_mg = _nutrient(required=True)


class NutritionSchema(NutritionInSchema):
    energy_kj_nrv_percent = ma.fields.Integer(required=True)
    protein_g_nrv_percent = ma.fields.Integer(required=True)
    fat_g_nrv_percent = ma.fields.Integer(required=True)
    carbohydrate_g_nrv_percent = ma.fields.Integer(required=True)
    sodium_mg_nrv_percent = ma.fields.Integer(required=True)


class ProductSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.Dict(
        attribute="names", required=True, metadata={"description": "{zh, ru, en}; null where missing"}
    )
    description = ma.fields.Dict(attribute="descriptions", required=True)
    category = ma.fields.String(attribute="category_code", required=True)
    category_name = ma.fields.Function(lambda p: p.category.names, metadata={"type": "object"})
    hs_code = ma.fields.String(
        required=True, metadata={"description": "The Chinese tariff code (= hs_code_cn)"}
    )
    hs_code_cn = ma.fields.String(required=True, metadata={"description": "China's tariff code, 10 digits"})
    tnved_code = ma.fields.String(
        allow_none=True, metadata={"description": "TN VED EAEU export code, 10 digits"}
    )
    price_basis = ma.fields.Nested(PriceBasisSchema, required=True)
    unit = ma.fields.String(required=True, metadata={"enum": list(UNITS)})
    quantity_decimals = ma.fields.Integer(
        metadata={"description": "Decimals a quantity of this unit may have"}
    )
    net_weight_kg = _quantity(required=True)
    gross_weight_kg = _quantity(allow_none=True)
    packaging = ma.fields.String(
        metadata={"description": "A free note on the packing beyond package.kind and size, as written"}
    )
    packaging_lang = ma.fields.String(
        allow_none=True,
        metadata={
            "enum": ["zh", "ru", "en", "mul", None],
            "description": "The language packaging is written in (mul: bilingual); null when empty",
        },
    )
    origin = ma.fields.String()
    ingredients_zh = ma.fields.String(metadata={"description": "Ingredients in Chinese (GB 7718 label)"})
    allergens_zh = ma.fields.String(metadata={"description": "Allergens in Chinese (GB 7718 label)"})
    gtin = ma.fields.String(allow_none=True, metadata={"description": "GS1 GTIN, check digit validated"})
    package = ma.fields.Nested(ProductPackageSchema, attribute="package_json", allow_none=True)
    nutrition = ma.fields.Nested(NutritionSchema, allow_none=True, metadata={"description": "GB 28050"})
    price_tiers = ma.fields.List(ma.fields.Nested(TierSchema), required=True)
    currency = ma.fields.Constant("CNY", metadata={"type": "string", "enum": ["CNY"]})
    moq = _quantity(allow_none=True, metadata={"description": "Minimum order quantity: the first tier"})
    stock_quantity = ma.fields.Method("get_stock", metadata={"type": "string", "format": "decimal"})
    tracks_lots = ma.fields.Boolean()
    organic_claim = ma.fields.Boolean()
    organic = ma.fields.Dict(
        metadata={"description": "Claims backed by a valid certificate: cn = GB/T 19630, ru = GOST 33980"}
    )
    storage_temp_c = ma.fields.Nested(TemperatureSchema, allow_none=True)
    shelf_life_days = ma.fields.Integer(allow_none=True)
    producer = ma.fields.Nested(ProducerSummarySchema, required=True)
    photos = ma.fields.List(ma.fields.Nested(PhotoSchema))
    status = ma.fields.String(required=True, metadata={"enum": list(PRODUCT_STATUSES)})
    created_at = ma.fields.AwareDateTime(required=True)
    updated_at = ma.fields.AwareDateTime()

    def get_stock(self, product):
        return str(available_stock(product).quantize(Decimal("0.001")))


class ProductDetailSchema(ProductSchema):
    lots = ma.fields.Method("get_lots", metadata={"type": "array", "items": {"type": "object"}})
    certificates = ma.fields.Method(
        "get_certificates", metadata={"type": "array", "items": {"type": "object"}}
    )

    def get_lots(self, product):
        return LotSchema(many=True).dump(product.lots)

    def get_certificates(self, product):
        return CertificateSchema(many=True).dump(product.producer.valid_certificates())


class ProductInSchema(ReadOnlyKeys):
    READ_ONLY = (
        "id",
        "currency",
        "moq",
        "producer",
        "photos",
        "created_at",
        "updated_at",
        "organic",
        "tracks_lots",
        "category_name",
        "quantity_decimals",
        "packaging_lang",
        "lots",
        "certificates",
    )

    name = Translated(max_length=200)
    description = Translated(max_length=5000)
    category = ma.fields.String(validate=ma.validate.Length(min=1, max=32))
    hs_code = ma.fields.String(
        validate=ma.validate.Regexp(r"^[0-9]{6,10}$", error=_l("An HS code has 6 to 10 digits."))
    )
    hs_code_cn = ma.fields.String(
        validate=ma.validate.Regexp(r"^[0-9]{6,10}$", error=_l("An HS code has 6 to 10 digits."))
    )
    tnved_code = ma.fields.String(
        allow_none=True,
        validate=ma.validate.Regexp(r"^[0-9]{10}$", error=_l("A TN VED code has 10 digits.")),
    )
    #: null: the producer's basis applies.
    price_basis = ma.fields.Nested(PriceBasisInSchema, allow_none=True)
    unit = ma.fields.String(validate=ma.validate.OneOf(list(UNITS)))
    net_weight_kg = _quantity(minimum=0, exclusive_minimum=True, maximum="100000")
    gross_weight_kg = _quantity(allow_none=True, minimum=0, exclusive_minimum=True, maximum="100000")
    packaging = _text(300)
    origin = _text(200)
    ingredients_zh = _text(2000)
    allergens_zh = _text(500)
    gtin = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=20))
    package = ma.fields.Nested(ProductPackageInSchema, allow_none=True)
    nutrition = ma.fields.Nested(NutritionInSchema, allow_none=True)
    price_tiers = ma.fields.List(ma.fields.Nested(TierSchema), validate=ma.validate.Length(min=1, max=10))
    stock_quantity = _quantity(allow_none=True, minimum=0, maximum="999999999")
    organic_claim = ma.fields.Boolean()
    storage_temp_c = ma.fields.Nested(TemperatureSchema, allow_none=True)
    shelf_life_days = StrictInteger(allow_none=True, validate=ma.validate.Range(min=1, max=3650))
    status = ma.fields.String(validate=ma.validate.OneOf(list(PRODUCT_STATUSES)))


class ProductCreateSchema(ProductInSchema):
    name = Translated(max_length=200, required=True)
    category = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=32))
    hs_code = ma.fields.String(
        validate=ma.validate.Regexp(r"^[0-9]{6,10}$", error=_l("An HS code has 6 to 10 digits."))
    )

    @ma.validates_schema(skip_on_field_errors=False)
    def one_chinese_code(self, data, **kwargs):
        if not (data.get("hs_code") or data.get("hs_code_cn")):
            raise ma.ValidationError(_l("Give the Chinese tariff code (hs_code or hs_code_cn)."), "hs_code")

    unit = ma.fields.String(required=True, validate=ma.validate.OneOf(list(UNITS)))
    net_weight_kg = _quantity(required=True, minimum=0, exclusive_minimum=True, maximum="100000")
    price_tiers = ma.fields.List(
        ma.fields.Nested(TierSchema), required=True, validate=ma.validate.Length(min=1, max=10)
    )


class ProductQuerySchema(ma.Schema):
    q = ma.fields.String(
        validate=ma.validate.Length(max=200), metadata={"description": "Words in zh, ru or en; pinyin"}
    )
    category = ma.fields.String(validate=ma.validate.Length(max=32))
    organic = ma.fields.String(
        validate=ma.validate.OneOf(["cn", "ru", "any", "true", "false"]),
        metadata={"description": "cn: GB/T 19630, ru: GOST 33980, any/true: either"},
    )
    producer = QueryInteger(validate=ID_RANGE)
    district = ma.fields.String(validate=ma.validate.Length(max=32))
    min_price = _money(minimum=0, metadata={"description": "CNY; products with a tier price at or above"})
    max_price = _money(minimum=0, metadata={"description": "CNY; products with a tier price at or below"})
    in_stock = ma.fields.Boolean()
    sort = ma.fields.String(load_default="relevance", validate=ma.validate.OneOf(SORTS_DOC))
    status = ma.fields.String(
        validate=ma.validate.OneOf(list(PRODUCT_STATUSES)),
        metadata={"description": "Default active; owners and admins may list their drafts or archive"},
    )
    facets = ma.fields.Boolean(load_default=False, metadata={"description": "Add facet counts"})
    page = QueryInteger(load_default=1, validate=ma.validate.Range(min=1, max=100000))
    per_page = QueryInteger(load_default=20, validate=ma.validate.Range(min=1, max=MAX_PER_PAGE))

    @ma.post_load
    def organic_flag(self, data, **kwargs):
        if data.get("organic") == "true":
            data["organic"] = "any"
        elif data.get("organic") == "false":
            data.pop("organic")
        return data


class FacetsSchema(ma.Schema):
    category = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    district = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    organic = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())


class UnderstoodSchema(ma.Schema):
    text = ma.fields.String(required=True, metadata={"description": "The words searched for"})
    quantity = ma.fields.String(
        allow_none=True,
        metadata={
            "description": 'A quantity named in q ("荞麦 20吨" → "20"), read as such and not searched for',
            "format": "decimal",
        },
    )
    unit = ma.fields.String(allow_none=True, metadata={"description": "Its unit, one of " + ", ".join(UNITS)})


class ProductPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(ProductSchema), required=True)
    total = StrictInteger(required=True)
    page = StrictInteger(required=True)
    per_page = StrictInteger(required=True)
    pages = StrictInteger(
        metadata={"description": "Pages of per_page for total (at least 1); a page past it is empty"}
    )
    total_capped = ma.fields.Boolean(
        metadata={
            "description": "true when the words were found only in descriptions, in more products than "
            "SEARCH_TEXT_CAP (default 500): the newest of them are ranked and total is that number"
        }
    )
    understood = ma.fields.Nested(
        UnderstoodSchema, allow_none=True, metadata={"description": "What q was read as; null without q"}
    )
    suggestion = ma.fields.String(
        allow_none=True,
        metadata={"description": "When nothing matched: a close query that finds something (did you mean)"},
    )
    facets = ma.fields.Nested(FacetsSchema)


class ProducerPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(ProducerSchema), required=True)
    total = StrictInteger(required=True)
    page = StrictInteger(required=True)
    per_page = StrictInteger(required=True)


class CategorySchema(ma.Schema):
    code = ma.fields.String(required=True)
    parent = ma.fields.String(attribute="parent_code", allow_none=True)
    name = ma.fields.Dict(attribute="names", required=True)
    animal_origin = ma.fields.Boolean()
    hs_prefixes = ma.fields.Function(
        lambda c: [p for p in c.hs_prefixes.split(",") if p],
        metadata={"type": "array", "items": {"type": "string"}},
    )


class DistrictSchema(ma.Schema):
    code = ma.fields.String(required=True)
    name = ma.fields.Dict(attribute="names", required=True)


class FileSchema(ma.Schema):
    file = ma.fields.Raw(metadata={"type": "string", "format": "binary"})
