"""Producers, their export credentials, products with price tiers, lots and photos."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
    false,
    inspect,
    update,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, Session, deferred, mapped_column, relationship
from sqlalchemy.orm.attributes import flag_modified, set_committed_value
from sqlalchemy.sql import cast as sql_cast

from catalog.data import (
    CERTIFICATE_KINDS,
    NRV,
    NUTRITION_BASES,
    ORGANIC_KINDS,
    PACKAGE_KINDS,
    PACKAGE_SIZE_UNITS,
    PRODUCER_STATUSES,
    PRODUCT_STATUSES,
    UNITS,
    quantity_decimals,
)
from catalog.incoterms import INCOTERMS, PLACES
from core.db import TimestampMixin, UTCDateTime, migration_only_indexes, migration_only_tables, sql_in
from core.extensions import db
from core.timeutil import utcnow

MONEY = Numeric(12, 2)

# Search indexes the migrations create for PostgreSQL only (GIN on tsvector, pg_trgm, partial).
migration_only_indexes(
    "ix_catalog_products_search_vector",
    "ix_catalog_search_terms_trgm",
    "ix_catalog_products_active_newest",
    "ix_catalog_products_listed_search",
    "ix_catalog_products_listed_newest",
    "ix_catalog_products_listed_price",
    "ix_catalog_products_listed_price_desc",
    "ix_catalog_products_name_vector",
    "ix_catalog_products_listed_names",
)
# Listed products' name lexemes, kept by triggers (migration 0023; catalog.search reads it).
migration_only_tables("catalog_name_postings")
QUANTITY = Numeric(12, 3)


class SearchVector(TSVECTOR):
    """A tsvector written from the app's own lexeme string (see catalog.search)."""

    cache_ok = True

    def bind_expression(self, bindvalue):
        return sql_cast(bindvalue, TSVECTOR)


#: tsvector on PostgreSQL; on SQLite the same lexemes as " lexeme/W " text for LIKE.
SEARCH_VECTOR = Text().with_variant(SearchVector(), "postgresql")


def today() -> date:
    return utcnow().date()


def price_basis_json(incoterm: str, place_code: str) -> dict:
    place = PLACES.get(place_code)
    return {
        "incoterm": incoterm,
        "named_place": place.name("en") if place else place_code,
        "place_code": place_code,
    }


class Trilingual:
    """``names`` and ``descriptions`` as ``{"zh", "ru", "en"}`` (None where missing)."""

    @property
    def names(self) -> dict:
        return {"zh": self.name_zh or None, "ru": self.name_ru or None, "en": self.name_en or None}

    @property
    def descriptions(self) -> dict:
        return {
            "zh": self.description_zh or None,
            "ru": self.description_ru or None,
            "en": self.description_en or None,
        }


class District(db.Model):
    """A municipal district of Chelyabinsk oblast; seeded by the migration."""

    __tablename__ = "catalog_districts"

    #: Stable slug the API uses, e.g. ``uvelsky``.
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_ru: Mapped[str] = mapped_column(String(100))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))

    @property
    def names(self) -> dict:
        return {"zh": self.name_zh, "ru": self.name_ru, "en": self.name_en}


class Category(db.Model):
    """A product category; a tree (``parent_code``), seeded by the migration."""

    __tablename__ = "catalog_categories"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    parent_code: Mapped[str | None] = mapped_column(
        ForeignKey("catalog_categories.code", ondelete="RESTRICT"), index=True
    )
    name_ru: Mapped[str] = mapped_column(String(100))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    #: Honey, dairy, meat: a veterinary certificate ("Mercury") travels with every shipment.
    animal_origin: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Comma-separated 4-digit HS headings that fit the category ("" = anything goes).
    hs_prefixes: Mapped[str] = mapped_column(String(300), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def names(self) -> dict:
        return {"zh": self.name_zh, "ru": self.name_ru, "en": self.name_en}

    def hs_code_plausible(self, hs_code: str) -> bool:
        prefixes = [p for p in self.hs_prefixes.split(",") if p]
        return not prefixes or any(hs_code.startswith(p) for p in prefixes)


class Producer(Trilingual, TimestampMixin, db.Model):
    """A farm or food plant: one per farmer; an admin verifies it before buyers see it."""

    __tablename__ = "catalog_producers"
    __table_args__ = (
        CheckConstraint(sql_in("status", PRODUCER_STATUSES), name="status_known"),
        CheckConstraint("name_ru <> ''", name="name_ru_given"),
        CheckConstraint(sql_in("price_incoterm", INCOTERMS), name="incoterm_known"),
        Index("ix_catalog_producers_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The farmer who runs the profile (one profile per farmer).
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), unique=True)
    #: Legal name in Russian, as registered; Chinese and English for buyers.
    name_ru: Mapped[str] = mapped_column(String(200))
    name_zh: Mapped[str] = mapped_column(String(200), default="")
    name_en: Mapped[str] = mapped_column(String(200), default="")
    description_ru: Mapped[str] = mapped_column(Text, default="")
    description_zh: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    district_code: Mapped[str] = mapped_column(
        ForeignKey("catalog_districts.code", ondelete="RESTRICT"), index=True
    )
    address: Mapped[str] = mapped_column(String(300), default="")
    contact_name: Mapped[str] = mapped_column(String(120), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    website: Mapped[str] = mapped_column(String(200), default="")
    #: GACC overseas establishment registration number, ``C`` + ``RUS`` + 14 digits.
    gacc_registration: Mapped[str | None] = mapped_column(String(18), unique=True)
    gacc_expires_at: Mapped[date | None] = mapped_column(Date)
    #: The GACC expiry date the farmer was last reminded about (one reminder per date).
    gacc_reminded_for: Mapped[date | None] = mapped_column(Date)
    #: Category codes the GACC registration covers (comma-separated; "" = not stated yet).
    gacc_categories: Mapped[str] = mapped_column(String(300), default="", server_default="")
    #: GS1 company prefix (Russia: 460–469…), from which GTINs, SSCCs and GLNs are built.
    gs1_company_prefix: Mapped[str | None] = mapped_column(String(12))
    # Legal data for documents and verification (catalog.legal checks every key and check digit).
    legal_name_ru: Mapped[str] = mapped_column(String(300), default="", server_default="")
    legal_name_en: Mapped[str] = mapped_column(String(300), default="", server_default="")
    #: 10 digits for a company, 12 for a sole trader (who has no KPP and an OGRNIP).
    inn: Mapped[str] = mapped_column(String(12), default="", server_default="")
    kpp: Mapped[str] = mapped_column(String(9), default="", server_default="")
    #: OGRN (13 digits) or OGRNIP (15).
    ogrn: Mapped[str] = mapped_column(String(15), default="", server_default="")
    legal_address_ru: Mapped[str] = mapped_column(String(400), default="", server_default="")
    legal_address_en: Mapped[str] = mapped_column(String(400), default="", server_default="")
    bank_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    bik: Mapped[str] = mapped_column(String(9), default="", server_default="")
    #: Settlement account, keyed to the BIK; the bank's correspondent account likewise.
    bank_account: Mapped[str] = mapped_column(String(20), default="", server_default="")
    correspondent_account: Mapped[str] = mapped_column(String(20), default="", server_default="")
    swift: Mapped[str] = mapped_column(String(11), default="", server_default="")
    signatory_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    signatory_position: Mapped[str] = mapped_column(String(200), default="", server_default="")
    #: pending → verified | rejected; editing credentials sends a verified profile back.
    status: Mapped[str] = mapped_column(String(16), default="pending")
    rejection_reason: Mapped[str] = mapped_column(Text, default="")
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: The basis the producer's prices are quoted on unless a product says otherwise:
    #: an Incoterms 2020 term and a named place code (catalog.incoterms.PLACES).
    price_incoterm: Mapped[str] = mapped_column(String(3), default="FCA", server_default="FCA")
    price_place: Mapped[str] = mapped_column(String(40), default="chelyabinsk", server_default="chelyabinsk")

    owner = relationship("User", foreign_keys=[owner_id])
    district: Mapped[District] = relationship(lazy="joined", innerjoin=True)
    certificates: Mapped[list["Certificate"]] = relationship(
        back_populates="producer",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Certificate.valid_until",
    )
    photos: Mapped[list["Photo"]] = relationship(
        back_populates="producer",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Photo.position",
    )
    products: Mapped[list["Product"]] = relationship(back_populates="producer", passive_deletes=True)

    @property
    def verified(self) -> bool:
        return self.status == "verified"

    @property
    def sole_trader(self) -> bool:
        return len(self.inn or "") == 12

    @property
    def legal_missing(self) -> list[str]:
        """Legal fields documents need that are still empty (KPP only for companies)."""
        required = [
            "legal_name_ru",
            "legal_name_en",
            "inn",
            "ogrn",
            "legal_address_ru",
            "legal_address_en",
            "bank_name",
            "bik",
            "bank_account",
            "correspondent_account",
            "swift",
            "signatory_name",
            "signatory_position",
        ]
        if not self.sole_trader:
            required.insert(3, "kpp")
        return [key for key in required if not getattr(self, key)]

    @property
    def legal_complete(self) -> bool:
        return not self.legal_missing

    def gacc_covers(self, category: "Category") -> bool:
        """The GACC registration names the product's category (or the one above it)."""
        covered = {c for c in (self.gacc_categories or "").split(",") if c}
        return category.code in covered or (category.parent_code or "") in covered

    def gacc_valid(self, on: date | None = None) -> bool:
        return bool(self.gacc_registration) and (
            self.gacc_expires_at is None or self.gacc_expires_at >= (on or today())
        )

    def valid_certificates(self, on: date | None = None) -> list["Certificate"]:
        return [c for c in self.certificates if c.is_valid(on)]

    def organic(self, on: date | None = None) -> dict:
        """Which organic standards are backed by a currently valid certificate."""
        kinds = {c.kind for c in self.valid_certificates(on)}
        return {claim: kind in kinds for claim, kind in ORGANIC_KINDS.items()}

    def visible_to(self, user) -> bool:
        if self.verified:
            return True
        return user is not None and (user.role == "admin" or user.id == self.owner_id)

    @property
    def price_basis(self) -> dict:
        return price_basis_json(self.price_incoterm, self.price_place)

    def __repr__(self) -> str:
        return f"<Producer {self.id} {self.name_ru!r} {self.status}>"


class Certificate(db.Model):
    """An export or quality certificate; it counts only between its validity dates."""

    __tablename__ = "catalog_certificates"
    __table_args__ = (
        CheckConstraint(sql_in("kind", CERTIFICATE_KINDS), name="kind_known"),
        CheckConstraint("valid_until >= valid_from", name="dates_ordered"),
        Index("ix_catalog_certificates_producer_kind", "producer_id", "kind", "valid_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("catalog_producers.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    number: Mapped[str] = mapped_column(String(100))
    issuer: Mapped[str] = mapped_column(String(200), default="")
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    #: The scan (PDF or image) under UPLOAD_DIR, if uploaded.
    file_name: Mapped[str | None] = mapped_column(String(100))
    file_type: Mapped[str | None] = mapped_column(String(50))
    #: The expiry date the farmer was last reminded about.
    reminded_for: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    producer: Mapped[Producer] = relationship(back_populates="certificates")

    def is_valid(self, on: date | None = None) -> bool:
        on = on or today()
        return self.valid_from <= on <= self.valid_until


#: The columns that say a package (what an order line copies from its product).
PACKAGE_COLUMNS = (
    "package_kind",
    "units_per_package",
    "package_tare_kg",
    "packages_per_pallet",
    "package_size",
    "package_size_unit",
)


class Package:
    """A package kept as columns beside a unit of sale (``unit``): a product's own, or the copy
    an order line keeps (``PACKAGE_COLUMNS``), and how to read it."""

    #: The package one sells in, for the packing list and the label: kind (bag, big_bag, carton…),
    #: how many units of sale one package holds, its tare, and how many go on a pallet.
    package_kind: Mapped[str | None] = mapped_column(String(16))
    units_per_package: Mapped[Decimal | None] = mapped_column(QUANTITY)
    package_tare_kg: Mapped[Decimal | None] = mapped_column(QUANTITY)
    packages_per_pallet: Mapped[int | None] = mapped_column(Integer)
    #: What one package holds, in a measure of the unit vocabulary (25 kg, 1 tonne, 0.5 litre).
    package_size: Mapped[Decimal | None] = mapped_column(QUANTITY)
    package_size_unit: Mapped[str | None] = mapped_column(String(16))

    @property
    def package_size_or_units(self) -> tuple[Decimal, str] | None:
        """(amount, unit) one package holds: its size, else its units of sale when they are a
        measure (25 units of a product sold by the kg are 25 kg)."""
        if self.package_size is not None and self.package_size_unit:
            return self.package_size, self.package_size_unit
        if self.units_per_package is not None and self.unit in PACKAGE_SIZE_UNITS:
            return self.units_per_package, self.unit
        return None

    @property
    def packaging_label(self) -> str:
        """The package in the reader's language (``bags of 25 kg``); "" without a kind."""
        from catalog.data import packaging_text

        size = self.package_size_or_units
        return packaging_text(self.package_kind, *(size or (None, None)))

    @property
    def package_json(self) -> dict | None:
        """The package as the API shows it: kind, units, tare, pallet, size and label."""
        from catalog.customs_fields import package_json

        return package_json(self)


class Product(Trilingual, TimestampMixin, Package, db.Model):
    """A wholesale listing: names in three languages, CNY price tiers, stock or lots."""

    __tablename__ = "catalog_products"
    __table_args__ = (
        CheckConstraint(sql_in("status", PRODUCT_STATUSES), name="status_known"),
        CheckConstraint(sql_in("unit", UNITS), name="unit_known"),
        CheckConstraint("name_zh <> '' OR name_ru <> '' OR name_en <> ''", name="has_name"),
        CheckConstraint("length(hs_code) BETWEEN 6 AND 10", name="hs_code_length"),
        CheckConstraint(
            "tnved_code IS NULL OR (length(tnved_code) = 10"
            " AND substr(tnved_code, 1, 6) = substr(hs_code, 1, 6))",
            name="tnved_code_agrees",
        ),
        CheckConstraint(
            "(price_incoterm IS NULL) = (price_place IS NULL)"
            " AND (price_incoterm IS NULL OR " + sql_in("price_incoterm", INCOTERMS) + ")",
            name="price_basis_whole",
        ),
        CheckConstraint("net_weight_kg > 0", name="net_weight_positive"),
        CheckConstraint("gross_weight_kg IS NULL OR gross_weight_kg >= net_weight_kg", name="gross_ge_net"),
        CheckConstraint("stock_on_hand >= 0", name="stock_not_negative"),
        CheckConstraint(
            "stock_reserved >= 0 AND stock_reserved <= stock_on_hand", name="reserved_within_stock"
        ),
        CheckConstraint(
            "storage_temp_min_c IS NULL OR storage_temp_max_c IS NULL OR storage_temp_min_c <= storage_temp_max_c",  # noqa: E501
            name="temp_range_ordered",
        ),
        CheckConstraint("shelf_life_days IS NULL OR shelf_life_days > 0", name="shelf_life_positive"),
        CheckConstraint(
            "package_kind IS NULL OR " + sql_in("package_kind", PACKAGE_KINDS), name="package_known"
        ),
        CheckConstraint(
            "(package_kind IS NOT NULL OR units_per_package IS NULL) AND "
            "(package_kind IS NULL OR package_kind IN ('bulk') OR units_per_package IS NOT NULL) AND "
            "(units_per_package IS NULL OR units_per_package > 0)",
            name="package_complete",
        ),
        CheckConstraint(
            "(package_size IS NULL) = (package_size_unit IS NULL) AND "
            "(package_size IS NULL OR (package_size > 0 AND package_kind IS NOT NULL AND "
            + sql_in("package_size_unit", PACKAGE_SIZE_UNITS)
            + "))",
            name="package_size_whole",
        ),
        CheckConstraint("package_tare_kg IS NULL OR package_tare_kg >= 0", name="tare_not_negative"),
        CheckConstraint("packages_per_pallet IS NULL OR packages_per_pallet > 0", name="pallet_positive"),
        CheckConstraint(
            "nutrition_basis IS NULL OR " + sql_in("nutrition_basis", NUTRITION_BASES),
            name="nutrition_basis_known",
        ),
        Index("ix_catalog_products_status_created", "status", "created_at"),
        Index("ix_catalog_products_status_price", "status", "price_min_cny"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(
        ForeignKey("catalog_producers.id", ondelete="RESTRICT"), index=True
    )
    name_zh: Mapped[str] = mapped_column(String(200), default="")
    name_ru: Mapped[str] = mapped_column(String(200), default="")
    name_en: Mapped[str] = mapped_column(String(200), default="")
    description_zh: Mapped[str] = mapped_column(Text, default="")
    description_ru: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    category_code: Mapped[str] = mapped_column(
        ForeignKey("catalog_categories.code", ondelete="RESTRICT"), index=True
    )
    #: Chinese 10-digit tariff code or its international 6-digit head (``hs_code_cn`` in the API).
    hs_code: Mapped[str] = mapped_column(String(10))
    #: The Russian export code, TN VED EAEU, 10 digits; its first 6 are the same HS subheading.
    tnved_code: Mapped[str | None] = mapped_column(String(10))
    #: This product's price basis when it differs from the producer's (both set or neither).
    price_incoterm: Mapped[str | None] = mapped_column(String(3))
    price_place: Mapped[str | None] = mapped_column(String(40))
    unit: Mapped[str] = mapped_column(String(16))
    #: Net and gross weight of one unit of sale.
    net_weight_kg: Mapped[Decimal] = mapped_column(QUANTITY)
    gross_weight_kg: Mapped[Decimal | None] = mapped_column(QUANTITY)
    #: A free note on the packing beyond kind and size ("paper bags on pallets"), as written;
    #: ``packaging_lang`` is the language it is written in (zh, ru, en; mul when bilingual).
    packaging: Mapped[str] = mapped_column(String(300), default="")
    packaging_lang: Mapped[str | None] = mapped_column(String(3))
    #: For the Chinese label (GB 7718): ingredients and allergens, in Chinese.
    ingredients_zh: Mapped[str] = mapped_column(Text, default="", server_default="")
    allergens_zh: Mapped[str] = mapped_column(String(500), default="", server_default="")
    origin: Mapped[str] = mapped_column(String(200), default="")
    #: The producer claims organic; it shows only as backed by valid certificates.
    organic_claim: Mapped[bool] = mapped_column(Boolean, default=False)
    storage_temp_min_c: Mapped[int | None] = mapped_column(Integer)
    storage_temp_max_c: Mapped[int | None] = mapped_column(Integer)
    shelf_life_days: Mapped[int | None] = mapped_column(Integer)
    #: GS1 trade item number (GTIN-8/12/13/14, check digit validated).
    gtin: Mapped[str | None] = mapped_column(String(14), unique=True)
    #: GB 28050 nutrition per 100 g or 100 ml (``nutrition_basis``); None until given.
    nutrition_basis: Mapped[str | None] = mapped_column(String(5))
    energy_kj: Mapped[Decimal | None] = mapped_column(Numeric(8, 1))
    protein_g: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))
    fat_g: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))
    carbohydrate_g: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))
    sodium_mg: Mapped[Decimal | None] = mapped_column(Numeric(8, 1))
    #: Once a product has lots its stock is the sum of its unexpired lots.
    tracks_lots: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Stock of a product kept without lots; ``stock_reserved`` is held by open orders.
    stock_on_hand: Mapped[Decimal] = mapped_column(QUANTITY, default=Decimal("0"))
    stock_reserved: Mapped[Decimal] = mapped_column(QUANTITY, default=Decimal("0"))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    #: Lowest and highest tier prices, kept in step with the tiers for filters and sorting.
    price_min_cny: Mapped[Decimal | None] = mapped_column(MONEY)
    price_max_cny: Mapped[Decimal | None] = mapped_column(MONEY)
    #: Shown to buyers: active, of a verified producer. Denormalised so that search can count
    #: and filter on partial indexes without joining producers; kept in step on every flush
    #: (``_keep_listed_in_step``), whichever service changes a product's or producer's status.
    listed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: Lexemes of the names, descriptions and category in every language (catalog.search).
    search_vector = deferred(mapped_column(SEARCH_VECTOR, nullable=True))
    #: The same lexemes of the names (A) and category names (B) only, for the rounds of a
    #: search that look there first (PostgreSQL; SQLite reads the weights off search_vector).
    name_vector = deferred(mapped_column(SEARCH_VECTOR, nullable=True))

    producer: Mapped[Producer] = relationship(back_populates="products")
    category: Mapped[Category] = relationship()
    price_tiers: Mapped[list["ProductPriceTier"]] = relationship(
        back_populates="product",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ProductPriceTier.min_quantity",
    )
    lots: Mapped[list["Lot"]] = relationship(
        back_populates="product",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Lot.best_before",
    )
    photos: Mapped[list["Photo"]] = relationship(
        back_populates="product",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Photo.position",
    )

    @property
    def nutrition(self) -> dict | None:
        """Per 100 g/ml with % NRV (GB 28050), or None until the farmer gives it."""
        if not self.nutrition_basis:
            return None
        result = {"basis": self.nutrition_basis}
        for key, reference in NRV.items():
            value = getattr(self, key)
            result[key] = value
            result[f"{key}_nrv_percent"] = (
                (value * 100 / reference).quantize(Decimal("1")) if value is not None else None
            )
        return result

    @property
    def quantity_decimals(self) -> int:
        return quantity_decimals(self.unit)

    @property
    def moq(self) -> Decimal | None:
        """Minimum order quantity: the first tier's threshold."""
        return self.price_tiers[0].min_quantity if self.price_tiers else None

    def unit_price_for(self, quantity: Decimal) -> Decimal | None:
        """The unit price (CNY) of the highest tier ``quantity`` reaches; None below the MOQ."""
        price = None
        for tier in self.price_tiers:
            if quantity >= tier.min_quantity:
                price = tier.unit_price
        return price

    @property
    def hs_code_cn(self) -> str:
        return self.hs_code

    @property
    def price_basis(self) -> dict:
        """``{"incoterm", "named_place", "place_code"}``: the product's own, else the producer's."""
        if self.price_incoterm and self.price_place:
            return price_basis_json(self.price_incoterm, self.price_place)
        return self.producer.price_basis

    @property
    def organic(self) -> dict:
        backed = self.producer.organic()
        return {claim: bool(self.organic_claim and ok) for claim, ok in backed.items()}

    @property
    def storage_temp_c(self) -> dict | None:
        if self.storage_temp_min_c is None and self.storage_temp_max_c is None:
            return None
        return {"min": self.storage_temp_min_c, "max": self.storage_temp_max_c}

    def visible_to(self, user) -> bool:
        """Buyers and visitors: active products of verified producers; the owner and admins: all."""
        if user is not None and (user.role == "admin" or user.id == self.producer.owner_id):
            return True
        return self.status == "active" and self.producer.verified

    def owned_by(self, user) -> bool:
        return user is not None and user.id == self.producer.owner_id

    def __repr__(self) -> str:
        return f"<Product {self.id} {self.name_en or self.name_ru or self.name_zh!r} {self.status}>"


class ProductPriceTier(db.Model):
    """From ``min_quantity`` units on, each unit costs ``unit_price`` CNY."""

    __tablename__ = "catalog_price_tiers"
    __table_args__ = (
        UniqueConstraint("product_id", "min_quantity", name="uq_catalog_price_tiers_product_quantity"),
        CheckConstraint("min_quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price > 0", name="price_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("catalog_products.id", ondelete="CASCADE"))
    min_quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    unit_price: Mapped[Decimal] = mapped_column(MONEY)

    product: Mapped[Product] = relationship(back_populates="price_tiers")


class Lot(db.Model):
    """A production or harvest lot. Expired lots are not available stock.

    ``quantity_reserved`` is for the orders module: reserve with a conditional
    ``UPDATE … SET quantity_reserved = quantity_reserved + :q WHERE quantity - quantity_reserved >= :q``
    or under ``SELECT … FOR UPDATE``; the check constraint is the last guard against overselling.
    """

    __tablename__ = "catalog_lots"
    __table_args__ = (
        UniqueConstraint("product_id", "lot_number", name="uq_catalog_lots_product_lot_number"),
        CheckConstraint("best_before >= produced_on", name="dates_ordered"),
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        CheckConstraint(
            "quantity_reserved >= 0 AND quantity_reserved <= quantity", name="reserved_within_quantity"
        ),
        Index("ix_catalog_lots_product_best_before", "product_id", "best_before"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("catalog_products.id", ondelete="CASCADE"))
    lot_number: Mapped[str] = mapped_column(String(64))
    produced_on: Mapped[date] = mapped_column(Date)
    best_before: Mapped[date] = mapped_column(Date)
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    quantity_reserved: Mapped[Decimal] = mapped_column(QUANTITY, default=Decimal("0"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Taken off sale for good. A lot that orders took stock from is archived, never deleted:
    #: their allocations and documents keep pointing to it.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    product: Mapped[Product] = relationship(back_populates="lots")

    def expired(self, on: date | None = None) -> bool:
        return self.best_before < (on or today())

    @property
    def available(self) -> Decimal:
        if self.expired() or self.archived_at is not None:
            return Decimal("0")
        return max(self.quantity - self.quantity_reserved, Decimal("0"))


class Photo(db.Model):
    """A content-checked image of a product or of a producer, with a thumbnail."""

    __tablename__ = "catalog_photos"
    __table_args__ = (
        CheckConstraint("(product_id IS NULL) <> (producer_id IS NULL)", name="one_owner"),
        Index("ix_catalog_photos_product_id", "product_id"),
        Index("ix_catalog_photos_producer_id", "producer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_products.id", ondelete="CASCADE"))
    producer_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_producers.id", ondelete="CASCADE"))
    #: Random stored names under UPLOAD_DIR/catalog; never the uploader's name.
    file_name: Mapped[str] = mapped_column(String(100))
    thumb_name: Mapped[str] = mapped_column(String(100))
    #: 160 px on the long side, for the cart, orders and the gallery's strip (None for
    #: photos stored before it existed: the thumbnail serves instead).
    mini_name: Mapped[str | None] = mapped_column(String(100))
    content_type: Mapped[str] = mapped_column(String(50))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size_bytes: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    product: Mapped[Product | None] = relationship(back_populates="photos")
    producer: Mapped[Producer | None] = relationship(back_populates="photos")


class SearchTerm(db.Model):
    """The vocabulary: Latin and Cyrillic lexemes (typo-tolerant search, pg_trgm) and the
    Chinese words of product names, for "did you mean"."""

    __tablename__ = "catalog_search_terms"

    term: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: The word as a product wrote it (``гречка`` for the stem ``гречк``), to offer to people.
    word: Mapped[str | None] = mapped_column(String(64))


def listed_value(status: str | None, producer_status: str | None) -> bool:
    return status == "active" and producer_status == "verified"


@event.listens_for(Session, "before_flush")
def _keep_listed_in_step(session, flush_context, instances) -> None:
    """``Product.listed`` follows product status, producer and producer status on every flush.

    A producer whose status changes updates all its products in one statement (the ones
    loaded in the session are refreshed too); a new product, or one whose status or producer
    changes, gets its own value written with its row.
    """
    changed_producers = {}
    products = []
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, Producer):
            if obj.id is not None and _changed(obj, "status"):
                changed_producers[obj.id] = obj.status
        elif isinstance(obj, Product) and (
            obj in session.new
            or _changed(obj, "status")
            or _changed(obj, "producer_id")
            or _changed(obj, "producer")
        ):
            products.append(obj)
    for producer_id, status in changed_producers.items():
        session.execute(
            update(Product)
            .where(Product.producer_id == producer_id)
            .values(listed=(Product.status == "active") if status == "verified" else false())
            .execution_options(synchronize_session=False)
        )
        for obj in list(session.identity_map.values()):
            if isinstance(obj, Product) and obj.producer_id == producer_id:
                set_committed_value(obj, "listed", listed_value(obj.status, status))
    for product in products:
        producer = product.producer
        if producer is None and product.producer_id is not None:
            producer = session.get(Producer, product.producer_id)
        value = listed_value(product.status, producer.status if producer is not None else None)
        product.listed = value
        if product not in session.new:
            flag_modified(product, "listed")


def _changed(obj, key: str) -> bool:
    return inspect(obj).attrs[key].history.has_changes()


class ImportJob(db.Model):
    """A big spreadsheet import, run in the background with its progress shown to the farmer."""

    __tablename__ = "catalog_import_jobs"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status_known"),
        Index("ix_catalog_import_jobs_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: The upload as stored under UPLOAD_DIR/catalog/imports (removed once the job ends).
    file_name: Mapped[str] = mapped_column(String(100))
    original_name: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(10), default="queued")
    rows_total: Mapped[int] = mapped_column(default=0)
    rows_done: Mapped[int] = mapped_column(default=0)
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    #: ``[[row, field, message], …]`` when rows were refused (then nothing was imported).
    errors: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
