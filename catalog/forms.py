"""Catalog forms (Flask-WTF: CSRF on every one). Services do the business checks."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from catalog.data import (
    CERTIFICATE_KINDS,
    NRV,
    PACKAGE_KINDS,
    PACKAGE_SIZE_UNITS,
    PRODUCT_STATUS_LABELS,
    UNIT_LABELS,
)
from catalog.incoterms import INCOTERMS
from catalog.legal import FIELD_NAMES as LEGAL_FIELD_NAMES
from catalog.legal import FLAT as LEGAL_FLAT
from catalog.legal import NESTED as LEGAL_NESTED
from core.numbers import LocalDecimalField

TIER_ROWS = 5


class TierForm(Form):
    min_quantity = DecimalField(_l("From quantity"), validators=[Optional()])
    unit_price = DecimalField(_l("Unit price, CNY"), validators=[Optional()])


class ProductForm(FlaskForm):
    name_zh = StringField(_l("Name in Chinese"), validators=[Length(max=200)])
    name_ru = StringField(_l("Name in Russian"), validators=[Length(max=200)])
    name_en = StringField(_l("Name in English"), validators=[Length(max=200)])
    description_zh = TextAreaField(_l("Description in Chinese"), validators=[Length(max=5000)])
    description_ru = TextAreaField(_l("Description in Russian"), validators=[Length(max=5000)])
    description_en = TextAreaField(_l("Description in English"), validators=[Length(max=5000)])
    category = SelectField(_l("Category"), choices=[])
    hs_code = StringField(_l("Chinese tariff code (10 digits)"), validators=[DataRequired(), Length(max=13)])
    tnved_code = StringField(_l("TN VED EAEU code (10 digits)"), validators=[Optional(), Length(max=13)])
    price_incoterm = SelectField(
        _l("Price basis"),
        choices=[("", _l("The producer's default")), *((t, t) for t in INCOTERMS)],
        default="",
    )
    price_place = StringField(_l("Named place of the price"), validators=[Optional(), Length(max=200)])
    unit = SelectField(_l("Unit of sale"), choices=list(UNIT_LABELS.items()))
    net_weight_kg = DecimalField(_l("Net weight per unit, kg"), validators=[DataRequired()])
    gross_weight_kg = DecimalField(_l("Gross weight per unit, kg"), validators=[Optional()])
    packaging = StringField(_l("Note on the packing"), validators=[Length(max=300)])
    origin = StringField(_l("Origin"), validators=[Length(max=200)])
    ingredients_zh = TextAreaField(
        _l("Ingredients in Chinese (for the label)"), validators=[Length(max=2000)]
    )
    allergens_zh = StringField(_l("Allergens in Chinese (for the label)"), validators=[Length(max=500)])
    gtin = StringField(_l("GTIN (barcode)"), validators=[Optional(), Length(max=20)])
    package_kind = SelectField(
        _l("Package"), choices=[("", "—"), *PACKAGE_KINDS.items()], default="", validate_choice=False
    )
    package_size = LocalDecimalField(_l("Size of one package"), places=3)
    package_size_unit = SelectField(
        _l("Size unit"),
        choices=[("", "—"), *((code, UNIT_LABELS[code]) for code in PACKAGE_SIZE_UNITS)],
        default="",
        validate_choice=False,
    )
    units_per_package = DecimalField(_l("Units of sale per package"), validators=[Optional()])
    package_tare_kg = DecimalField(_l("Tare of one package, kg"), validators=[Optional()])
    packages_per_pallet = IntegerField(
        _l("Packages per pallet"), validators=[Optional(), NumberRange(1, 100000)]
    )
    nutrition_basis = SelectField(
        _l("Nutrition (GB 28050) per"),
        choices=[("", "—"), ("100g", "100 g"), ("100ml", "100 ml")],
        default="",
        validate_choice=False,
    )
    energy_kj = DecimalField(_l("Energy, kJ"), validators=[Optional()])
    protein_g = DecimalField(_l("Protein, g"), validators=[Optional()])
    fat_g = DecimalField(_l("Fat, g"), validators=[Optional()])
    carbohydrate_g = DecimalField(_l("Carbohydrate, g"), validators=[Optional()])
    sodium_mg = DecimalField(_l("Sodium, mg"), validators=[Optional()])
    organic_claim = BooleanField(_l("Sold as organic (shown only with a valid certificate)"))
    storage_temp_min_c = IntegerField(_l("Storage from, °C"), validators=[Optional(), NumberRange(-60, 60)])
    storage_temp_max_c = IntegerField(_l("Storage to, °C"), validators=[Optional(), NumberRange(-60, 60)])
    shelf_life_days = IntegerField(_l("Shelf life, days"), validators=[Optional(), NumberRange(1, 3650)])
    stock_quantity = DecimalField(_l("Stock on hand (products without lots)"), validators=[Optional()])
    status = SelectField(_l("Status"), choices=list(PRODUCT_STATUS_LABELS.items()))
    tiers = FieldList(FormField(TierForm), min_entries=TIER_ROWS, max_entries=TIER_ROWS)
    submit = SubmitField(_l("Save"))

    def to_data(self, include_stock: bool = True) -> dict:
        data = {
            "name": {lang: getattr(self, f"name_{lang}").data for lang in ("zh", "ru", "en")},
            "description": {lang: getattr(self, f"description_{lang}").data for lang in ("zh", "ru", "en")},
            "category": self.category.data,
            "hs_code": self.hs_code.data,
            "tnved_code": self.tnved_code.data or None,
            "price_basis": (
                {"incoterm": self.price_incoterm.data, "named_place": self.price_place.data}
                if self.price_incoterm.data
                else None
            ),
            "unit": self.unit.data,
            "net_weight_kg": self.net_weight_kg.data,
            "gross_weight_kg": self.gross_weight_kg.data,
            "packaging": self.packaging.data,
            "origin": self.origin.data,
            "ingredients_zh": self.ingredients_zh.data,
            "allergens_zh": self.allergens_zh.data,
            "organic_claim": self.organic_claim.data,
            "storage_temp_c": {"min": self.storage_temp_min_c.data, "max": self.storage_temp_max_c.data},
            "shelf_life_days": self.shelf_life_days.data,
            "status": self.status.data,
            "price_tiers": [
                {"min_quantity": row.min_quantity.data, "unit_price": row.unit_price.data}
                for row in self.tiers
                if row.min_quantity.data is not None or row.unit_price.data is not None
            ],
        }
        data["gtin"] = self.gtin.data or None
        data["package"] = (
            {
                "kind": self.package_kind.data,
                "units_per_package": self.units_per_package.data,
                "tare_kg": self.package_tare_kg.data,
                "per_pallet": self.packages_per_pallet.data,
                "size": (
                    {"amount": self.package_size.data, "unit": self.package_size_unit.data or None}
                    if self.package_size.data is not None or self.package_size_unit.data
                    else None
                ),
            }
            if self.package_kind.data
            or self.package_size.data is not None
            or self.package_size_unit.data
            or self.units_per_package.data is not None
            else None
        )
        data["nutrition"] = (
            {"basis": self.nutrition_basis.data, **{key: getattr(self, key).data for key in NRV}}
            if self.nutrition_basis.data
            else None
        )
        if include_stock and self.stock_quantity.data is not None:
            data["stock_quantity"] = self.stock_quantity.data
        return data

    def fill(self, product) -> None:
        for lang in ("zh", "ru", "en"):
            getattr(self, f"name_{lang}").data = getattr(product, f"name_{lang}")
            getattr(self, f"description_{lang}").data = getattr(product, f"description_{lang}")
        self.category.data = product.category_code
        for key in (
            "hs_code",
            "tnved_code",
            "price_incoterm",
            "unit",
            "net_weight_kg",
            "gross_weight_kg",
            "packaging",
            "origin",
            "ingredients_zh",
            "allergens_zh",
            "organic_claim",
            "storage_temp_min_c",
            "storage_temp_max_c",
            "shelf_life_days",
            "status",
            "gtin",
            "units_per_package",
            "package_tare_kg",
            "packages_per_pallet",
            *NRV,
        ):
            getattr(self, key).data = getattr(product, key)
        self.package_kind.data = product.package_kind or ""
        self.package_size.data = product.package_size
        self.package_size_unit.data = product.package_size_unit or ""
        self.nutrition_basis.data = product.nutrition_basis or ""
        self.price_place.data = product.price_basis["named_place"] if product.price_incoterm else ""
        self.stock_quantity.data = product.stock_on_hand
        for row, tier in zip(self.tiers, product.price_tiers, strict=False):
            row.min_quantity.data = tier.min_quantity.normalize()
            row.unit_price.data = tier.unit_price


#: Service field → form field, to show a service's message next to the right input.
PRODUCT_FIELD_MAP = {
    "name": "name_zh",
    "description": "description_zh",
    "storage_temp_c": "storage_temp_min_c",
    "price_tiers": "tiers",
    "hs_code_cn": "hs_code",
    "price_basis": "price_incoterm",
    "package.kind": "package_kind",
    "package.units_per_package": "units_per_package",
    "package.tare_kg": "package_tare_kg",
    "package.per_pallet": "packages_per_pallet",
    "package.size": "package_size",
    "package.size.amount": "package_size",
    "package.size.unit": "package_size_unit",
    "nutrition.basis": "nutrition_basis",
    "nutrition": "nutrition_basis",
    **{f"nutrition.{key}": key for key in NRV},
    "price_basis.incoterm": "price_incoterm",
    "price_basis.named_place": "price_place",
}


class LotForm(FlaskForm):
    lot_number = StringField(_l("Lot number"), validators=[DataRequired(), Length(max=64)])
    produced_on = DateField(_l("Produced or harvested on"), validators=[DataRequired()])
    best_before = DateField(_l("Best before"), validators=[DataRequired()])
    quantity = DecimalField(_l("Quantity"), validators=[DataRequired()])
    submit = SubmitField(_l("Add lot"))


class PhotoForm(FlaskForm):
    file = FileField(_l("Photo (JPEG, PNG, WebP or GIF, up to 5 MB)"))
    submit = SubmitField(_l("Upload"))


class ProducerForm(FlaskForm):
    name_ru = StringField(_l("Legal name in Russian"), validators=[DataRequired(), Length(max=200)])
    name_zh = StringField(_l("Name in Chinese"), validators=[Length(max=200)])
    name_en = StringField(_l("Name in English"), validators=[Length(max=200)])
    description_zh = TextAreaField(_l("Description in Chinese"), validators=[Length(max=5000)])
    description_ru = TextAreaField(_l("Description in Russian"), validators=[Length(max=5000)])
    description_en = TextAreaField(_l("Description in English"), validators=[Length(max=5000)])
    district = SelectField(_l("District"), choices=[])
    address = StringField(_l("Address"), validators=[Length(max=300)])
    contact_name = StringField(_l("Contact person"), validators=[Length(max=120)])
    contact_phone = StringField(_l("Phone"), validators=[Length(max=40)])
    contact_email = StringField(_l("E-mail"), validators=[Length(max=254)])
    website = StringField(_l("Website"), validators=[Length(max=200)])
    gacc_registration = StringField(_l("GACC registration number"), validators=[Length(max=18)])
    gacc_expires_at = DateField(_l("GACC registration valid until"), validators=[Optional()])
    gacc_categories = SelectMultipleField(_l("Categories the GACC registration covers"), choices=[])
    gs1_company_prefix = StringField(_l("GS1 company prefix"), validators=[Length(max=12)])
    legal_name_ru = StringField(_l("Full legal name in Russian"), validators=[Length(max=300)])
    legal_name_en = StringField(_l("Full legal name in English"), validators=[Length(max=300)])
    inn = StringField(_l("INN"), validators=[Length(max=20)])
    kpp = StringField(_l("KPP (companies)"), validators=[Length(max=20)])
    ogrn = StringField(_l("OGRN or OGRNIP"), validators=[Length(max=20)])
    legal_address_ru = StringField(_l("Legal address in Russian"), validators=[Length(max=400)])
    legal_address_en = StringField(_l("Legal address in English"), validators=[Length(max=400)])
    bank_name = StringField(_l("Bank"), validators=[Length(max=200)])
    bik = StringField(_l("BIK"), validators=[Length(max=20)])
    bank_account = StringField(_l("Settlement account"), validators=[Length(max=30)])
    correspondent_account = StringField(_l("Correspondent account"), validators=[Length(max=30)])
    swift = StringField(_l("SWIFT code"), validators=[Length(max=11)])
    signatory_name = StringField(_l("Signatory's name"), validators=[Length(max=200)])
    signatory_position = StringField(_l("Signatory's position"), validators=[Length(max=200)])
    submit = SubmitField(_l("Save"))

    LEGAL = tuple(LEGAL_FIELD_NAMES)

    def to_data(self) -> dict:
        legal = {}
        for outer, parts in LEGAL_NESTED.items():
            legal[outer] = {inner: getattr(self, column).data or "" for inner, column in parts.items()}
        for key in LEGAL_FLAT:
            legal[key] = getattr(self, key).data or ""
        return {
            "gacc_categories": self.gacc_categories.data or [],
            "gs1_company_prefix": self.gs1_company_prefix.data,
            "legal": legal,
            "name": {lang: getattr(self, f"name_{lang}").data for lang in ("zh", "ru", "en")},
            "description": {lang: getattr(self, f"description_{lang}").data for lang in ("zh", "ru", "en")},
            "district": self.district.data,
            "address": self.address.data,
            "contact_name": self.contact_name.data,
            "contact_phone": self.contact_phone.data,
            "contact_email": self.contact_email.data,
            "website": self.website.data,
            "gacc_registration": self.gacc_registration.data,
            "gacc_expires_at": self.gacc_expires_at.data,
        }

    def fill(self, producer) -> None:
        for name in (
            "name_ru",
            "name_zh",
            "name_en",
            "description_zh",
            "description_ru",
            "description_en",
            "address",
            "contact_name",
            "contact_phone",
            "contact_email",
            "website",
            "gacc_registration",
            "gacc_expires_at",
            "gs1_company_prefix",
            *self.LEGAL,
        ):
            getattr(self, name).data = getattr(producer, name)
        self.district.data = producer.district_code
        self.gacc_categories.data = [c for c in (producer.gacc_categories or "").split(",") if c]


PRODUCER_FIELD_MAP = {
    "name": "name_ru",
    "description": "description_zh",
    **{api: column for column, api in LEGAL_FIELD_NAMES.items()},
}


class CertificateForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=list(CERTIFICATE_KINDS.items()))
    number = StringField(_l("Number"), validators=[DataRequired(), Length(max=100)])
    issuer = StringField(_l("Issued by"), validators=[Length(max=200)])
    valid_from = DateField(_l("Valid from"), validators=[DataRequired()])
    valid_until = DateField(_l("Valid until"), validators=[DataRequired()])
    file = FileField(_l("Scan (PDF or image, up to 10 MB)"))
    submit = SubmitField(_l("Add certificate"))


class RejectForm(FlaskForm):
    reason = TextAreaField(_l("Reason for the farmer"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Reject"))


class ImportForm(FlaskForm):
    file = FileField(_l("XLSX or CSV file"))
    submit = SubmitField(_l("Check and import"))
