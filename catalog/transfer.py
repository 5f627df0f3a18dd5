"""Bulk import and export of a farmer's listings as XLSX or CSV.

An import is all or nothing: every row is parsed and checked first, with the same schema
and rules as the API; one bad row means a per-row report and no write at all. The report
names the file's column of each error (never the API's field) in the farmer's language.

The package columns are optional: a file made before they existed (or without them) leaves
each product's package as it is; a file with them sets the package, checked as on the form.
"""

import csv
import io
import re
import secrets
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

import marshmallow as ma
from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from catalog.data import PACKAGE_KINDS
from catalog.models import ImportJob, Product
from catalog.queries import listing_options
from catalog.schemas import ProductCreateSchema, ProductInSchema
from catalog.services import producers, product_rules, products
from catalog.uploads import key
from core.errors import AppError, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.fields import DecimalString
from core.jobs import enqueue_after_commit
from core.timeutil import utcnow
from core.uploads import read_limited, storage

#: The package: kind, what one package holds, units of sale in it, its tare, how many go on a
#: pallet. Optional: when a file has none of them, packages are left as they are.
PACKAGE_COLUMNS = [
    "package_kind",
    "package_size",
    "package_size_unit",
    "units_per_package",
    "package_tare_kg",
    "packages_per_pallet",
]
#: The service's field of a package → the column it is read from, so an error names the column.
PACKAGE_FIELD_COLUMNS = {
    "package": "package_kind",
    "package.kind": "package_kind",
    "package.size": "package_size",
    "package.size.amount": "package_size",
    "package.size.unit": "package_size_unit",
    "package.units_per_package": "units_per_package",
    "package.tare_kg": "package_tare_kg",
    "package.per_pallet": "packages_per_pallet",
}
#: The service's field (as the API names it) → the file's column(s) it is read from.
FIELD_COLUMNS = {
    "name": "name_zh, name_ru, name_en",
    "description": "description_zh, description_ru, description_en",
    "hs_code_cn": "hs_code",
    "storage_temp_c": "storage_temp_min_c, storage_temp_max_c",
    "storage_temp_c.min": "storage_temp_min_c",
    "storage_temp_c.max": "storage_temp_max_c",
    **PACKAGE_FIELD_COLUMNS,
}
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
    *PACKAGE_COLUMNS,
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
#: An XLSX is a zip: what its parts may add up to once decompressed (2,000 rows of our
#: columns take well under 5 MB), and how many parts it may have. Checked from the zip's
#: directory before anything is parsed.
MAX_XLSX_UNCOMPRESSED = 16 * 1024 * 1024
MAX_XLSX_PARTS = 200
#: Blank rows are skipped, but reading them costs too: at most this many rows are read.
MAX_ROWS_READ = MAX_ROWS * 2 + 1
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


def _plain(value) -> str:
    """A quantity as the import reads it back: ``25``, ``0.5``; "" for none."""
    return "" if value is None else f"{value.normalize():f}"


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
                p.package_kind or "",
                _plain(p.package_size),
                p.package_size_unit or "",
                _plain(p.units_per_package),
                _plain(p.package_tare_kg),
                "" if p.packages_per_pallet is None else p.packages_per_pallet,
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


def _unreadable_xlsx():
    return ValidationFailed(_l("This is not a readable XLSX file."), code="invalid_file")


def _check_zip(data: bytes) -> None:
    """Refuse a zip bomb from its directory, before any part is decompressed.

    zipfile never inflates a part beyond the size its directory entry declares (a lie fails
    the size and CRC checks), so the declared sizes bound the work.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _unreadable_xlsx() from None
    if len(parts) > MAX_XLSX_PARTS or sum(p.file_size for p in parts) > MAX_XLSX_UNCOMPRESSED:
        raise ValidationFailed(
            _l("The spreadsheet is too large once unpacked: at most %(n)d rows per file.", n=MAX_ROWS),
            code="file_too_large",
        )


def _xlsx_rows(data: bytes):
    _check_zip(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        # read_only streams the sheet's XML: rows are parsed one at a time, as we ask.
        for row in workbook.active.iter_rows(values_only=True):
            yield [_cell_text(v) for v in row[: len(COLUMNS) + 10]]
    except ValidationFailed:
        raise
    except Exception:  # noqa: BLE001  openpyxl raises many kinds for a broken file
        raise _unreadable_xlsx() from None


def _csv_rows(data: bytes):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed(_l("Save the CSV file as UTF-8."), code="invalid_file") from None
    dialect = csv.excel
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        pass
    try:
        for row in csv.reader(io.StringIO(text), dialect):
            yield [c.strip() for c in row[: len(COLUMNS) + 10]]
    except csv.Error:
        raise ValidationFailed(_l("This is not a readable CSV file."), code="invalid_file") from None


def _too_many_rows():
    return ValidationFailed(_l("At most %(n)d rows per file.", n=MAX_ROWS), code="too_many_rows")


def read_rows(filename: str, data: bytes) -> list[dict]:
    """The file's rows as ``{column: text}``; raises ValidationFailed when unreadable.

    Rows are read one at a time and reading stops at the limit, so a file of a million tiny
    rows costs no more than one just over the limit.
    """
    name = (filename or "").lower()
    source = _xlsx_rows(data) if name.endswith(".xlsx") or data[:2] == b"PK" else _csv_rows(data)
    rows = []
    for read, row in enumerate(source, start=1):
        if read > MAX_ROWS_READ:
            raise _too_many_rows()
        if any(row):
            rows.append(row)
            if len(rows) > MAX_ROWS + 1:  # the header and MAX_ROWS rows
                raise _too_many_rows()
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


def kind_names() -> dict[str, str]:
    """Kind as written in a file → its code: the code itself, or the kind's name in any of
    our languages as the product form lists it (``袋``, ``мешки``, ``bags``)."""
    names = {}
    for lang in current_app.config["LANGUAGES"]:
        with force_locale(lang):
            for kind, label in PACKAGE_KINDS.items():
                # "насыпью/наливом": either word names the kind.
                for name in str(label).split("/"):
                    names[name.strip().casefold()] = kind
    names.update({kind: kind for kind in PACKAGE_KINDS})
    return names


#: Quantities in the package columns: a number with at most 3 decimals (the range is the
#: product rules' to check, with the form's messages).
_QUANTITY = DecimalString(places=3)
#: A whole number; "40.0" too (a spreadsheet may store a count as a float).
WHOLE_RE = re.compile(r"(-?[0-9]{1,9})(?:[.,]0+)?")


def _row_package(row: dict, product: Product | None, kinds: dict[str, str]):
    """The row's package in the API's shape: (given, package or None, [(column, message)]).

    ``given`` is False when the file has no package column (the package is left as it is).
    A column the file lacks keeps the product's value; units per package are then worked out
    afresh when the kind or size changes, so they never describe an older package.
    """
    if not any(column in row for column in PACKAGE_COLUMNS):
        return False, None, []
    errors = []
    current = {
        "package_kind": product.package_kind if product else None,
        "package_size": product.package_size if product else None,
        "package_size_unit": product.package_size_unit if product else None,
        "units_per_package": product.units_per_package if product else None,
        "package_tare_kg": product.package_tare_kg if product else None,
        "packages_per_pallet": product.packages_per_pallet if product else None,
    }

    def given(column) -> str | None:
        return row[column].strip() if column in row else None

    def quantity(column):
        text = given(column)
        if text is None:
            return current[column]
        if not text:
            return None
        try:
            return _QUANTITY.deserialize(text.replace(",", "."))
        except ma.ValidationError as exc:
            errors.extend((column, message) for _, message in _flatten(exc.messages))
            return None

    kind_text = given("package_kind")
    if kind_text is None:
        kind = current["package_kind"]
    else:
        kind = kinds.get(kind_text.casefold(), kind_text) if kind_text else None
    unit_text = given("package_size_unit")
    size_unit = current["package_size_unit"] if unit_text is None else (unit_text.lower() or None)
    amount = quantity("package_size")
    units = quantity("units_per_package")
    tare = quantity("package_tare_kg")
    if "units_per_package" not in row and product is not None:
        if (kind, amount, size_unit) != (
            product.package_kind,
            product.package_size,
            product.package_size_unit,
        ):
            units = None
    per_pallet = current["packages_per_pallet"]
    pallet_text = given("packages_per_pallet")
    if pallet_text is not None:
        per_pallet = None
        whole = WHOLE_RE.fullmatch(pallet_text)
        if whole:
            per_pallet = int(whole.group(1))
        elif pallet_text:
            errors.append(("packages_per_pallet", str(_l("Enter a whole number."))))
    if errors:
        return True, None, errors
    if (
        kind is None
        and amount is None
        and not size_unit
        and units is None
        and tare is None
        and per_pallet is None
    ):
        return True, None, []
    package = {
        "kind": kind or "",
        "units_per_package": units,
        "tare_kg": tare,
        "per_pallet": per_pallet,
        "size": {"amount": amount, "unit": size_unit} if amount is not None or size_unit else None,
    }
    return True, package, []


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


#: marshmallow's own messages (English only) → the report's, in the farmer's language (the
#: schema's and the rules' own messages are translated already).
SCHEMA_MESSAGES = (
    (r"Missing data for required field\.|Field may not be null\.", lambda m: _l("Fill in this column.")),
    (r"Shorter than minimum length 1\.", lambda m: _l("Fill in this column.")),
    (r"Longer than maximum length (\d+)\.", lambda m: _l("At most %(n)d characters.", n=int(m[1]))),
    (
        r"Length must be between 1 and (\d+)\.",
        lambda m: _l("Fill in this column, at most %(n)s characters.", n=m[1]),
    ),
    (r"Must be one of: (.*)\.", lambda m: _l("Write one of: %(choices)s.", choices=m[1])),
    (r"Not a valid integer\.", lambda m: _l("Enter a whole number.")),
    (
        r"Must be greater than or equal to (\S+) and less than or equal to (\S+)\.",
        lambda m: _l("Enter a number from %(low)s to %(high)s.", low=m[1], high=m[2]),
    ),
)
#: The same for the price tiers' list (Length(min=1, max=n) on a list counts tiers).
TIER_COUNT = re.compile(r"Length must be between 1 and (\d+)\.")


def _in_words(message: str) -> str:
    for pattern, words in SCHEMA_MESSAGES:
        found = re.fullmatch(pattern, message)
        if found:
            return str(words(found))
    return message


def file_column(field: str, message: str) -> tuple[str, str]:
    """(the file's column, the message in the farmer's language) for an error on the service's
    ``field``: ``name.zh`` is name_zh, ``price_tiers.1.unit_price`` the second tier of
    price_tiers, a package's part its column; an error on no column of the file names none."""
    parts = field.split(".")
    if parts[0] == "price_tiers":
        count = TIER_COUNT.fullmatch(message)
        if count:
            message = _l(
                "Give 1 to %(n)s price tiers as quantity=price, separated by semicolons "
                "(50=12.50; 500=11.00).",
                n=count[1],
            )
        elif len(parts) > 1 and parts[1].isdigit():
            message = _l("Tier %(n)d: %(message)s", n=int(parts[1]) + 1, message=_in_words(message))
        else:
            message = _in_words(message)
        return "price_tiers", str(message)
    if parts[0] in ("name", "description") and len(parts) > 1:
        return f"{parts[0]}_{parts[1]}", _in_words(message)
    for end in range(len(parts), 0, -1):  # package.size._schema is the size's column
        prefix = ".".join(parts[:end])
        if prefix in FIELD_COLUMNS:
            return FIELD_COLUMNS[prefix], _in_words(message)
    return (parts[0] if parts[0] in COLUMNS else ""), _in_words(message)


def import_products(user, file) -> ImportResult | ImportJob:
    """Create or update (rows with an ``id``) the farmer's products; all rows or none.

    A file of up to ``CATALOG_IMPORT_INLINE_ROWS`` rows is imported now (→ ImportResult); a
    bigger one becomes a background job (→ ImportJob) whose progress the farmer watches.
    """
    producers.require_producer(user)
    data = read_limited(file, MAX_BYTES)
    rows = read_rows(file.filename, data)
    if len(rows) <= current_app.config.get("CATALOG_IMPORT_INLINE_ROWS", 200):
        return import_rows(user, rows)
    name = f"{secrets.token_hex(16)}.{'xlsx' if data[:2] == b'PK' else 'csv'}"
    storage().save(data, key("imports", name))
    job = ImportJob(
        user_id=user.id,
        file_name=name,
        original_name=(file.filename or "")[:200],
        rows_total=len(rows),
        errors=[],
    )
    db.session.add(job)
    db.session.flush()
    enqueue_after_commit(run_import_job, job.id)
    db.session.commit()
    return job


def import_job_for(user, job_id: int) -> ImportJob:
    """:raise 404: no such job of this user's."""
    job = db.session.get(ImportJob, job_id)
    if job is None or job.user_id != user.id:
        raise NotFound(_l("No such import."))
    return job


#: A background import writes its progress every this many rows.
PROGRESS_EVERY = 100


def run_import_job(job_id: int) -> str:
    """The job: check every row (progress committed as it goes), then write all or nothing."""
    from accounts.models import User

    job = db.session.get(ImportJob, job_id)
    if job is None or job.status not in ("queued", "running"):
        return "skipped"
    stored = key("imports", job.file_name)
    job.status = "running"
    db.session.commit()
    try:
        with storage().open(stored) as fh:
            rows = read_rows(job.file_name, fh.read())

        def progress(done):
            job.rows_done = done
            db.session.commit()

        user = db.session.get(User, job.user_id)
        # The report is stored as text: written in the language of the farmer who reads it.
        with force_locale(user.language or current_app.config["BABEL_DEFAULT_LOCALE"]):
            result = import_rows(user, rows, progress=progress)
    except AppError as exc:
        db.session.rollback()
        result = ImportResult(errors=[(0, "", str(exc.message))])
    except Exception:
        db.session.rollback()
        job.status, job.finished_at = "failed", utcnow()
        job.errors = [[0, "", str(_l("The import failed on our side. Nothing was imported."))]]
        db.session.commit()
        storage().delete(stored)
        raise
    job.rows_done = job.rows_total
    job.created, job.updated = result.created, result.updated
    job.errors = [[row, name, str(message)] for row, name, message in result.errors]
    job.status, job.finished_at = "done", utcnow()
    db.session.commit()
    storage().delete(stored)
    return job.status


def import_rows(user, rows: list[dict], progress=None) -> ImportResult:
    """Check every row, then write them all in one transaction, or none if any is wrong.

    ``progress(rows_checked)`` is called every PROGRESS_EVERY rows; it may commit (nothing
    has been written yet while rows are checked).
    """
    producer = producers.require_producer(user)
    result = ImportResult()
    planned: list[tuple[Product | None, dict]] = []
    seen_ids: set[int] = set()
    own = {
        p.id: p
        for p in db.session.scalars(
            select(Product).where(Product.producer_id == producer.id).options(*listing_options())
        ).unique()
    }
    kinds = kind_names()
    for number, row in enumerate(rows, start=2):
        if progress and number > 2 and (number - 2) % PROGRESS_EVERY == 0:
            progress(number - 2)
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
        package_given, package, package_errors = _row_package(row, product, kinds)
        try:
            payload = schema.load(_row_payload(row))
        except ma.ValidationError as exc:
            # A field's first message is its own; a later one repeats it across fields (a bad
            # hs_code is also "no Chinese code given").
            first = {}
            for name, message in _flatten(exc.messages):
                first.setdefault(name, message)
            result.errors += [(number, *file_column(f, m)) for f, m in first.items()]
            result.errors += [(number, f, m) for f, m in package_errors]
            continue
        if package_errors:
            result.errors += [(number, f, m) for f, m in package_errors]
            continue
        if package_given:
            payload["package"] = package
        try:
            checked = product_rules.validate_product(producer, payload, product)
        except Forbidden as exc:  # publishing before the producer is verified
            result.errors.append((number, "status", str(exc.message)))
            continue
        except AppError as exc:
            flat = _flatten(exc.fields) or [("", str(exc.message))]
            result.errors += [(number, *file_column(f, m)) for f, m in flat]
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
