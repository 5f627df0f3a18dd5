"""Bulk import and export of a farmer's listings as XLSX or CSV.

An import is all or nothing: every row is parsed and checked first, with the same schema
and rules as the API; one bad row means a per-row report and no write at all.
"""

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from catalog.models import Product
from catalog.queries import listing_options
from catalog.schemas import ProductCreateSchema, ProductInSchema
from catalog.services import producers, product_rules, products
from catalog.uploads import read_limited
from core.errors import AppError, ValidationFailed
from core.extensions import db

COLUMNS = [
    "id",
    "name_zh",
    "name_ru",
    "name_en",
    "description_zh",
    "description_ru",
    "description_en",
    "category",
    "hs_code",
    "unit",
    "net_weight_kg",
    "gross_weight_kg",
    "packaging",
    "origin",
    "organic_claim",
    "storage_temp_min_c",
    "storage_temp_max_c",
    "shelf_life_days",
    "stock_quantity",
    "price_tiers",
    "status",
]
MAX_ROWS = 2000
MAX_BYTES = 5 * 1024 * 1024
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    #: (row number as in the file, field, message)
    errors: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# ---------------------------------------------------------------- export


def _tiers_text(product: Product) -> str:
    return "; ".join(f"{t.min_quantity.normalize():f}={t.unit_price}" for t in product.price_tiers)


def _safe(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def product_rows(user) -> list[list]:
    producer = producers.producer_of(user)
    if producer is None:
        return []
    listed = db.session.scalars(
        select(Product)
        .where(Product.producer_id == producer.id)
        .options(*listing_options())
        .order_by(Product.id)
    ).unique()
    rows = []
    for p in listed:
        # Lot-kept stock changes through lots, so it is not exported as an editable figure.
        stock = "" if p.tracks_lots else f"{p.stock_on_hand.normalize():f}"
        rows.append(
            [
                p.id,
                p.name_zh,
                p.name_ru,
                p.name_en,
                p.description_zh,
                p.description_ru,
                p.description_en,
                p.category_code,
                p.hs_code,
                p.unit,
                f"{p.net_weight_kg.normalize():f}",
                f"{p.gross_weight_kg.normalize():f}" if p.gross_weight_kg is not None else "",
                p.packaging,
                p.origin,
                "yes" if p.organic_claim else "no",
                "" if p.storage_temp_min_c is None else p.storage_temp_min_c,
                "" if p.storage_temp_max_c is None else p.storage_temp_max_c,
                "" if p.shelf_life_days is None else p.shelf_life_days,
                stock,
                _tiers_text(p),
                p.status,
            ]
        )
    return rows


def export_csv(user) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for row in product_rows(user):
        writer.writerow([_safe(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8


def export_xlsx(user) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "products"
    sheet.append(COLUMNS)
    for row in product_rows(user):
        sheet.append([_safe(v) for v in row])
    for cell in sheet["I"]:  # HS codes stay text: leading zeros matter
        cell.number_format = "@"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- import


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return format(Decimal(repr(value)).normalize(), "f")
    return str(value).strip()


def read_rows(filename: str, data: bytes) -> list[dict]:
    """The file's rows as ``{column: text}``; raises ValidationFailed when unreadable."""
    name = (filename or "").lower()
    if name.endswith(".xlsx") or data[:2] == b"PK":
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # noqa: BLE001  openpyxl raises many kinds for a broken file
            raise ValidationFailed(_l("This is not a readable XLSX file."), code="invalid_file") from None
        rows = [[_cell_text(v) for v in row] for row in workbook.active.iter_rows(values_only=True)]
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationFailed(_l("Save the CSV file as UTF-8."), code="invalid_file") from None
        dialect = csv.excel
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        except csv.Error:
            pass
        rows = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), dialect)]
    rows = [row for row in rows if any(row)]
    if not rows:
        raise ValidationFailed(_l("The file has no rows."), code="invalid_file")
    header = [h.strip().lower() for h in rows[0]]
    missing = [
        c
        for c in ("name_zh", "name_ru", "name_en", "category", "hs_code", "unit", "price_tiers")
        if c not in header
    ]
    if missing:
        raise ValidationFailed(
            _l("The header row lacks these columns: %(columns)s.", columns=", ".join(missing)),
            code="invalid_file",
        )
    if len(rows) - 1 > MAX_ROWS:
        raise ValidationFailed(_l("At most %(n)d rows per file.", n=MAX_ROWS), code="invalid_file")
    return [dict(zip(header, row + [""] * (len(header) - len(row)), strict=False)) for row in rows[1:]]


def _parse_tiers(text: str) -> list[dict]:
    tiers = []
    for part in filter(None, (p.strip() for p in text.replace("\n", ";").split(";"))):
        quantity, sep, price = part.partition("=")
        if not sep:
            quantity, sep, price = part.partition(":")
        tiers.append({"min_quantity": quantity.strip(), "unit_price": price.strip().replace(",", ".")})
    return tiers


def _row_payload(row: dict) -> dict:
    """One row in the API's JSON shape (strings for decimals, as the API takes them)."""

    def text(key):
        return row.get(key, "").strip()

    def integer(key):
        value = text(key)
        if value == "":
            return None
        try:
            return int(Decimal(value)) if Decimal(value) == int(Decimal(value)) else value
        except ArithmeticError:
            return value

    data = {
        "name": {lang: text(f"name_{lang}") for lang in ("zh", "ru", "en")},
        "description": {lang: text(f"description_{lang}") for lang in ("zh", "ru", "en")},
        "category": text("category"),
        "hs_code": text("hs_code").replace(".", "").replace(" ", ""),
        "unit": text("unit"),
        "net_weight_kg": text("net_weight_kg").replace(",", "."),
        "packaging": text("packaging"),
        "origin": text("origin"),
        "organic_claim": text("organic_claim").lower() in ("yes", "true", "1", "да", "是"),
        "storage_temp_c": {"min": integer("storage_temp_min_c"), "max": integer("storage_temp_max_c")},
        "shelf_life_days": integer("shelf_life_days"),
        "price_tiers": _parse_tiers(text("price_tiers")),
        "status": text("status") or "draft",
    }
    if text("gross_weight_kg"):
        data["gross_weight_kg"] = text("gross_weight_kg").replace(",", ".")
    if text("stock_quantity"):
        data["stock_quantity"] = text("stock_quantity").replace(",", ".")
    return data


def _flatten(messages, prefix="") -> list[tuple[str, str]]:
    out = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            out += _flatten(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(messages, list | tuple):
        for value in messages:
            out += _flatten(value, prefix)
    else:
        out.append((prefix, str(messages)))
    return out


def import_products(user, file) -> ImportResult:
    """Create or update (rows with an ``id``) the farmer's products; all rows or none."""
    producer = producers.require_producer(user)
    data = read_limited(file, MAX_BYTES)
    rows = read_rows(file.filename, data)
    result = ImportResult()
    planned: list[tuple[Product | None, dict]] = []
    seen_ids: set[int] = set()
    own = {
        p.id: p
        for p in db.session.scalars(
            select(Product).where(Product.producer_id == producer.id).options(*listing_options())
        ).unique()
    }
    for number, row in enumerate(rows, start=2):
        product = None
        raw_id = row.get("id", "").strip()
        if raw_id:
            if not raw_id.isdigit() or int(raw_id) not in own:
                result.errors.append((number, "id", str(_l("None of your products has this id."))))
                continue
            if int(raw_id) in seen_ids:
                result.errors.append((number, "id", str(_l("This id appears twice in the file."))))
                continue
            seen_ids.add(int(raw_id))
            product = own[int(raw_id)]
        schema = ProductInSchema() if product else ProductCreateSchema()
        try:
            payload = schema.load(_row_payload(row))
        except ma.ValidationError as exc:
            result.errors += [(number, f, m) for f, m in _flatten(exc.messages)]
            continue
        try:
            checked = product_rules.validate_product(producer, payload, product)
        except AppError as exc:
            flat = _flatten(exc.fields) or [("", str(exc.message))]
            result.errors += [(number, f, m) for f, m in flat]
            continue
        planned.append((product, checked))
    if result.errors:
        db.session.rollback()
        return result
    try:
        for product, checked in planned:
            if product is None:
                product = Product(producer=producer, stock_on_hand=Decimal("0"), stock_reserved=Decimal("0"))
                db.session.add(product)
                result.created += 1
            else:
                result.updated += 1
            products.apply_product(product, checked)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return result
