"""The tariff book: China's import duty and VAT per tariff code (or prefix), each row with its
period, source and whether it is confirmed.

A row gives the MFN rate, optionally a lower provisional rate for a period (the lower one
applies inside it), in- and out-of-quota rates where a tariff-rate quota applies, and the
import VAT. For a day, the most specific row (longest code prefix) in force that day applies.
No row → the rate is unknown, never 0 %. Rows of one code never overlap in time.

CSV (``flask tariffs import`` / ``export``), one row per line, this header:
    code,description,mfn_percent,provisional_percent,provisional_from,provisional_to,
    quota_in_percent,quota_out_percent,vat_percent,effective_from,effective_to,source,confirmed
An import is all or nothing: any bad line and nothing is stored; rows are matched on
(code, effective_from) and replaced, others added.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from core.errors import Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.timeutil import utcnow
from trade.models import TariffRate

CSV_COLUMNS = (
    "code",
    "description",
    "mfn_percent",
    "provisional_percent",
    "provisional_from",
    "provisional_to",
    "quota_in_percent",
    "quota_out_percent",
    "vat_percent",
    "effective_from",
    "effective_to",
    "source",
    "confirmed",
)
HUNDRED = Decimal("100")
MAX_VAT = Decimal("30")
PLACES = Decimal("0.001")


class BadTariff(ValidationFailed):
    code = "bad_tariff"


def digits(code) -> str:
    return "".join(ch for ch in str(code or "") if ch.isdigit())


def rate_for(code: str, on: date | None = None) -> TariffRate | None:
    """The most specific row in force on ``on`` whose code is a prefix of ``code``."""
    code = digits(code)
    prefixes = [code[:n] for n in range(min(len(code), 10), 3, -1)]
    if not prefixes:
        return None
    on = on or utcnow().date()
    rows = db.session.scalars(
        select(TariffRate).where(
            TariffRate.hs_prefix.in_(prefixes),
            TariffRate.effective_from <= on,
            or_(TariffRate.effective_to.is_(None), TariffRate.effective_to >= on),
        )
    ).all()
    return max(rows, key=lambda r: len(r.hs_prefix), default=None)


@dataclass
class Applied:
    """The duty that applies to a row for a quota answer, and why."""

    duty_percent: Decimal
    basis: str  # mfn, provisional, quota_in, quota_out


def duty_for(row: TariffRate, quota: str, on: date | None = None) -> Applied | None:
    """The duty for ``quota`` (``in``/``out``); None for ``unknown`` on a quota line."""
    on = on or utcnow().date()
    if row.quota_applies:
        if quota == "in":
            return Applied(row.quota_in_percent, "quota_in")
        if quota == "out":
            return Applied(row.quota_out_percent, "quota_out")
        return None
    if row.provisional_in_force(on) and row.provisional_percent < row.duty_percent:
        return Applied(row.provisional_percent, "provisional")
    return Applied(row.duty_percent, "mfn")


def search(code: str | None = None) -> list[TariffRate]:
    """Rows whose code is a prefix of ``code`` or starts with it; every row without a code."""
    stmt = select(TariffRate)
    code = digits(code)
    if code:
        prefixes = [code[:n] for n in range(min(len(code), 10), 3, -1)]
        stmt = stmt.where(or_(TariffRate.hs_prefix.in_(prefixes), TariffRate.hs_prefix.startswith(code)))
    return db.session.scalars(stmt.order_by(TariffRate.hs_prefix, TariffRate.effective_from)).all()


# ---- validation -----------------------------------------------------------------------------


def _percent(raw, name, errors, high=HUNDRED, required=False):
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            errors.setdefault(name, []).append(_l("Required."))
        return None
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        value = None
    if value is None or not value.is_finite() or not (0 <= value <= high):
        errors.setdefault(name, []).append(_l("Enter a percentage between 0 and %(high)s.", high=high))
        return None
    return value.quantize(PLACES, rounding=ROUND_HALF_UP)


def _date(raw, name, errors, required=False):
    if isinstance(raw, date):
        return raw
    if raw is None or not str(raw).strip():
        if required:
            errors.setdefault(name, []).append(_l("Required."))
        return None
    try:
        return date.fromisoformat(str(raw).strip())
    except ValueError:
        errors.setdefault(name, []).append(_l("Enter a date as YYYY-MM-DD."))
        return None


def _flag(raw) -> bool:
    if isinstance(raw, bool):
        return raw
    return str(raw or "").strip().lower() in ("1", "true", "yes", "y")


def clean(data: dict) -> dict:
    """Column values from one row's data (API, form or CSV); BadTariff names every bad field."""
    errors: dict = {}
    code = str(data.get("code") or "").strip().replace(".", "").replace(" ", "")
    if not (code.isdigit() and 4 <= len(code) <= 10):
        errors["code"] = [_l("A tariff code (or prefix) is 4 to 10 digits.")]
    values = {
        "hs_prefix": code,
        "note": str(data.get("description") or "").strip()[:2000],
        "duty_percent": _percent(data.get("mfn_percent"), "mfn_percent", errors, required=True),
        "provisional_percent": _percent(data.get("provisional_percent"), "provisional_percent", errors),
        "provisional_from": _date(data.get("provisional_from"), "provisional_from", errors),
        "provisional_to": _date(data.get("provisional_to"), "provisional_to", errors),
        "quota_in_percent": _percent(data.get("quota_in_percent"), "quota_in_percent", errors),
        "quota_out_percent": _percent(data.get("quota_out_percent"), "quota_out_percent", errors),
        "vat_percent": _percent(data.get("vat_percent"), "vat_percent", errors, high=MAX_VAT, required=True),
        "effective_from": _date(data.get("effective_from"), "effective_from", errors, required=True),
        "effective_to": _date(data.get("effective_to"), "effective_to", errors),
        "source": str(data.get("source") or "").strip()[:300],
        "unconfirmed": not _flag(data.get("confirmed")),
    }
    if not values["source"]:
        errors["source"] = [_l("Name the source: the document and its date.")]
    if (values["quota_in_percent"] is None) != (values["quota_out_percent"] is None):
        errors.setdefault("quota_out_percent", []).append(
            _l("A tariff-rate quota has both an in-quota and an out-of-quota rate.")
        )
    provisional = (values["provisional_percent"], values["provisional_from"], values["provisional_to"])
    if any(v is not None for v in provisional) and any(v is None for v in provisional):
        errors.setdefault("provisional_percent", []).append(
            _l("A provisional rate needs its rate, first and last day.")
        )
    if (
        values["provisional_from"]
        and values["provisional_to"]
        and values["provisional_to"] < values["provisional_from"]
    ):
        errors.setdefault("provisional_to", []).append(_l("The period ends before it begins."))
    if (
        values["effective_from"]
        and values["effective_to"]
        and values["effective_to"] < values["effective_from"]
    ):
        errors.setdefault("effective_to", []).append(_l("The period ends before it begins."))
    if errors:
        raise BadTariff(_l("The tariff row is not valid."), fields=errors)
    return values


def _overlaps(a_from, a_to, b_from, b_to) -> bool:
    return a_from <= (b_to or date.max) and b_from <= (a_to or date.max)


def _check_no_overlap(rows: list[dict]) -> None:
    by_code: dict[str, list[dict]] = {}
    for row in rows:
        by_code.setdefault(row["hs_prefix"], []).append(row)
    for code, group in by_code.items():
        group.sort(key=lambda r: r["effective_from"])
        for earlier, later in zip(group, group[1:], strict=False):
            if _overlaps(
                earlier["effective_from"],
                earlier["effective_to"],
                later["effective_from"],
                later["effective_to"],
            ):
                message = _l(
                    "Two rows for %(code)s overlap in time (from %(a)s and from %(b)s).",
                    code=code,
                    a=earlier["effective_from"].isoformat(),
                    b=later["effective_from"].isoformat(),
                )
                raise BadTariff(message, code="tariff_period_overlap", fields={"effective_from": [message]})


def _row_values(row: TariffRate) -> dict:
    return {column: getattr(row, column) for column in ("hs_prefix", "effective_from", "effective_to")}


def _apply(values_list: list[dict], actor: str) -> list[TariffRate]:
    """Upsert rows keyed by (code, effective_from) after checking the book stays overlap-free."""
    existing = {(r.hs_prefix, r.effective_from): r for r in db.session.scalars(select(TariffRate)).all()}
    incoming = {(v["hs_prefix"], v["effective_from"]): v for v in values_list}
    if len(incoming) < len(values_list):
        message = _l("The same code and first day appear twice.")
        raise BadTariff(message, code="tariff_period_overlap", fields={"effective_from": [message]})
    merged = [_row_values(r) for key, r in existing.items() if key not in incoming] + list(incoming.values())
    _check_no_overlap(merged)
    saved = []
    for key, values in incoming.items():
        row = existing.get(key) or TariffRate()
        for column, value in values.items():
            setattr(row, column, value)
        row.updated_by = actor
        db.session.add(row)
        saved.append(row)
    return saved


def _require_admin(user) -> None:
    if user is None or user.role != "admin":
        raise Forbidden()


def save_row(admin, data: dict) -> TariffRate:
    """Create or change one row (matched on code and first day). Admins.

    :raise 403: not an admin
    :raise 422: a bad code, a negative or absurd rate, a period overlapping another
    """
    _require_admin(admin)
    try:
        (row,) = _apply([clean(data)], admin.email)
        db.session.commit()
    except ValidationFailed:
        db.session.rollback()
        raise
    return row


def delete_row(admin, row_id: int) -> None:
    _require_admin(admin)
    row = db.session.get(TariffRate, row_id)
    if row is None:
        raise NotFound()
    db.session.delete(row)
    db.session.commit()


def import_csv(text: str, actor: str = "import") -> int:
    """Store every row of a CSV, or none. Returns the number of rows.

    :raise BadTariff: a bad header, a bad line (its number and fields named) or an overlap
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [
        c
        for c in ("code", "mfn_percent", "vat_percent", "effective_from", "source")
        if c not in (reader.fieldnames or [])
    ]
    if missing:
        message = _l("The CSV lacks the columns: %(columns)s.", columns=", ".join(missing))
        raise BadTariff(message, fields={"file": [message]})
    rows = []
    for number, raw in enumerate(reader, start=2):
        try:
            rows.append(clean(raw))
        except BadTariff as exc:
            details = "; ".join(f"{k}: {' '.join(str(m) for m in v)}" for k, v in exc.fields.items())
            message = _l("Line %(line)d: %(details)s", line=number, details=details)
            raise BadTariff(message, fields={"file": [message]}) from None
    if not rows:
        message = _l("The CSV holds no rows.")
        raise BadTariff(message, fields={"file": [message]})
    try:
        _apply(rows, actor)
        db.session.commit()
    except ValidationFailed:
        db.session.rollback()
        raise
    return len(rows)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def export_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in search():
        writer.writerow(
            [
                row.hs_prefix,
                row.note,
                _cell(row.duty_percent),
                _cell(row.provisional_percent),
                _cell(row.provisional_from),
                _cell(row.provisional_to),
                _cell(row.quota_in_percent),
                _cell(row.quota_out_percent),
                _cell(row.vat_percent),
                _cell(row.effective_from),
                _cell(row.effective_to),
                row.source,
                "true" if row.confirmed else "false",
            ]
        )
    return out.getvalue()


def lookup(code: str | None, on: date | None = None) -> dict:
    """The API's answer: the rows for ``code`` and the one that applies on ``on``."""
    on = on or utcnow().date()
    return {
        "code": digits(code) or None,
        "on": on,
        "applies": rate_for(code, on) if digits(code) else None,
        "items": search(code),
    }
