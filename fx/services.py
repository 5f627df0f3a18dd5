"""Central Bank of Russia exchange rates: reading the daily file, entering a rate by hand,
finding the rate for a day, and the RUB equivalent an order records.

The CBR file (``XML_daily.asp``) is windows-1251 XML::

    <ValCurs Date="27.11.2026" name="Foreign Currency Market">
      <Valute ID="R01375"><NumCode>156</NumCode><CharCode>CNY</CharCode><Nominal>1</Nominal>
        <Name>Китайский юань</Name><Value>11,2345</Value><VunitRate>11,2345</VunitRate></Valute>

``Value`` is roubles per ``Nominal`` units with a decimal comma; ``VunitRate`` (files since
2022) is roubles per one unit.
"""

import logging
import re
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.db import session_memo
from core.errors import AppError, Conflict, Forbidden, ValidationFailed
from core.extensions import db
from core.money import round_money
from core.timeutil import utcnow
from fx.models import ExchangeRate, OrderRate

log = logging.getLogger(__name__)
MOSCOW = ZoneInfo("Europe/Moscow")
MAX_FILE_BYTES = 2 * 1024 * 1024
UNIT_PLACES = Decimal("0.00000001")
#: Plausible roubles per one unit; outside this a manual rate is refused as a typo.
PLAUSIBLE = {"CNY": (Decimal("1"), Decimal("100")), "USD": (Decimal("10"), Decimal("1000"))}
ANY_CURRENCY = (Decimal("0.00000001"), Decimal("100000"))
#: A manual rate more than this far (in percent) from the previous one is refused.
MAX_JUMP_PERCENT = Decimal("30")
_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9_.-]+)[\"'][^>]*\?>")
_NUMBER = re.compile(r"^[0-9]{1,10}([.,][0-9]{1,10})?$")
_CODE = re.compile(r"^[A-Z]{3}$")


class RateFileError(AppError):
    """The CBR file could not be read: nothing was stored."""

    status, code = 422, "rate_file_invalid"


@dataclass(frozen=True)
class ParsedRate:
    currency: str
    nominal: int
    value: Decimal
    unit_rate: Decimal


@dataclass(frozen=True)
class RateQuote:
    """The rate that applies on ``requested``: from ``rate_date`` (the same day or earlier)."""

    currency: str
    requested: date
    rate_date: date
    unit_rate: Decimal
    nominal: int
    value: Decimal
    source: str

    @property
    def stale(self) -> bool:
        return self.rate_date != self.requested


def _number(text: str | None, what: str, code: str) -> Decimal:
    raw = (text or "").strip().replace("\xa0", "")
    if not _NUMBER.match(raw):
        raise RateFileError(_l("%(currency)s: %(field)s is not a number.", currency=code, field=what))
    return Decimal(raw.replace(",", "."))


def parse_cbr(data: bytes) -> tuple[date, list[ParsedRate]]:
    """Parse a CBR daily file. :raise RateFileError: wrong encoding, malformed, inconsistent."""
    if not data or len(data) > MAX_FILE_BYTES:
        raise RateFileError(_l("The file is empty or too large for a CBR daily rates file."))
    match = _DECLARATION.match(data)
    declared = match.group(1).decode("ascii").lower() if match else None
    if declared not in ("windows-1251", "cp1251"):
        raise RateFileError(
            _l(
                "Expected a CBR file in windows-1251 (its XML declaration says %(encoding)s).",
                encoding=declared or "nothing",
            )
        )
    if not data.isascii():
        # Real windows-1251 Russian text is practically never valid UTF-8: a file that is
        # means it was re-saved in UTF-8 and still claims windows-1251.
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            raise RateFileError(_l("The file is encoded in UTF-8 but declares windows-1251."))
    try:
        text = data.decode("windows-1251")
    except UnicodeDecodeError:
        raise RateFileError(_l("The file is not valid windows-1251 text.")) from None
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise RateFileError(_l("The file contains a document type declaration; CBR files have none."))
    body = text[match.end() :]
    try:
        root = ET.fromstring(body)  # noqa: S314 - DTDs and entities are refused above
    except ET.ParseError as exc:
        raise RateFileError(_l("The file is not well-formed XML (%(error)s).", error=str(exc))) from None
    if root.tag != "ValCurs":
        raise RateFileError(_l("The root element is not ValCurs: this is not a CBR daily rates file."))
    try:
        rate_date = datetime.strptime(root.get("Date", ""), "%d.%m.%Y").date()
    except ValueError:
        raise RateFileError(_l("ValCurs has no valid Date (dd.mm.yyyy).")) from None
    rates: dict[str, ParsedRate] = {}
    for index, valute in enumerate(root.findall("Valute"), start=1):
        code = (valute.findtext("CharCode") or "").strip()
        if not _CODE.match(code):
            raise RateFileError(_l("Currency no. %(index)d has no valid CharCode.", index=index))
        nominal_text = (valute.findtext("Nominal") or "").strip()
        if not nominal_text.isdigit() or int(nominal_text) <= 0:
            raise RateFileError(_l("%(currency)s: Nominal is not a positive whole number.", currency=code))
        nominal = int(nominal_text)
        value = _number(valute.findtext("Value"), "Value", code)
        if value <= 0:
            raise RateFileError(_l("%(currency)s: the rate is not positive.", currency=code))
        computed = (value / nominal).quantize(UNIT_PLACES, rounding=ROUND_HALF_UP)
        unit_text = valute.findtext("VunitRate")
        unit_rate = computed
        if unit_text is not None:
            unit_rate = _number(unit_text, "VunitRate", code).quantize(UNIT_PLACES, rounding=ROUND_HALF_UP)
            # VunitRate must agree with Value / Nominal (CBR rounds both to a few places).
            if abs(unit_rate - computed) > max(computed * Decimal("0.0001"), Decimal("0.0001")):
                raise RateFileError(
                    _l("%(currency)s: VunitRate does not match Value / Nominal.", currency=code)
                )
        if code in rates:
            raise RateFileError(_l("%(currency)s appears twice.", currency=code))
        rates[code] = ParsedRate(code, nominal, value, unit_rate)
    if not rates:
        raise RateFileError(_l("The file lists no currencies."))
    return rate_date, list(rates.values())


def read_source(source: str, timeout: float = 20) -> bytes:
    """The bytes of a file path or an http(s) URL."""
    if source.startswith(("http://", "https://")):
        request = urllib.request.Request(source, headers={"User-Agent": "AgroBridge"})  # noqa: S310 - http(s)
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) only
            return response.read(MAX_FILE_BYTES + 1)
    with open(source, "rb") as fh:
        return fh.read(MAX_FILE_BYTES + 1)


def _same(existing: dict, parsed: list[ParsedRate]) -> bool:
    return {r.currency for r in parsed} <= set(existing) and all(
        existing[r.currency].unit_rate == r.unit_rate and existing[r.currency].nominal == r.nominal
        for r in parsed
    )


def import_cbr(data: bytes, force: bool = False) -> tuple[date, int]:
    """Store a CBR file's rates in one transaction. Returns (date, currencies stored); 0 stored
    when the same rates for that date are on file already (up to date).

    :raise 422: the file is malformed or wrongly encoded (nothing changes)
    :raise 409: other rates for that date exist already and ``force`` is not set
    """
    rate_date, parsed = parse_cbr(data)
    try:
        existing = {
            r.currency: r
            for r in db.session.scalars(
                select(ExchangeRate).where(ExchangeRate.rate_date == rate_date).with_for_update()
            )
        }
        if existing and not force and _same(existing, parsed):
            # CBR serves the last file again on weekends and holidays: nothing to do.
            db.session.rollback()
            return rate_date, 0
        if existing and not force:
            raise Conflict(
                _l(
                    "Rates for %(date)s are stored already; use --force to replace them.",
                    date=rate_date.isoformat(),
                ),
                code="rates_exist",
            )
        for item in parsed:
            row = existing.get(item.currency) or ExchangeRate(currency=item.currency, rate_date=rate_date)
            row.nominal, row.value, row.unit_rate = item.nominal, item.value, item.unit_rate
            row.source, row.entered_by_id = "cbr", None
            db.session.add(row)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return rate_date, len(parsed)


def _check_plausible(currency: str, unit_rate: Decimal, rate_date: date) -> None:
    low, high = PLAUSIBLE.get(currency, ANY_CURRENCY)
    if not (low <= unit_rate <= high):
        message = _l(
            "%(rate)s RUB per %(currency)s is not plausible (expected %(low)s to %(high)s).",
            rate=unit_rate.normalize(),
            currency=currency,
            low=low,
            high=high,
        )
        raise ValidationFailed(message, code="rate_implausible", fields={"value": [message]})
    previous = rate_on(currency, rate_date, strictly_before=True)
    if previous is not None:
        jump = abs(unit_rate - previous.unit_rate) / previous.unit_rate * 100
        if jump > MAX_JUMP_PERCENT:
            message = _l(
                "%(rate)s differs from the rate of %(date)s (%(previous)s) by more than %(max)s %%.",
                rate=unit_rate.normalize(),
                date=previous.rate_date.isoformat(),
                previous=previous.unit_rate.normalize(),
                max=MAX_JUMP_PERCENT,
            )
            raise ValidationFailed(message, code="rate_implausible", fields={"value": [message]})


def enter_rate(admin, currency: str, rate_date: date, value: Decimal, nominal: int = 1, replace=False):
    """An admin enters a rate by hand (roubles per ``nominal`` units).

    :raise 403: not an admin
    :raise 409: a rate for that currency and day exists and ``replace`` is not set
    :raise 422: zero, negative or implausible
    """
    if admin is None or admin.role != "admin":
        raise Forbidden()
    currency = (currency or "").strip().upper()
    if not _CODE.match(currency):
        message = _l("Enter a three-letter currency code, e.g. CNY.")
        raise ValidationFailed(message, fields={"currency": [message]})
    if not isinstance(nominal, int) or nominal <= 0 or nominal > 1000000:
        message = _l("The nominal is a positive whole number (1, 10, 100…).")
        raise ValidationFailed(message, fields={"nominal": [message]})
    if value is None or not value.is_finite() or value <= 0:
        message = _l("The rate must be greater than zero.")
        raise ValidationFailed(message, code="rate_implausible", fields={"value": [message]})
    unit_rate = (value / nominal).quantize(UNIT_PLACES, rounding=ROUND_HALF_UP)
    _check_plausible(currency, unit_rate, rate_date)
    try:
        row = db.session.scalar(
            select(ExchangeRate)
            .where(ExchangeRate.currency == currency, ExchangeRate.rate_date == rate_date)
            .with_for_update()
        )
        if row is not None and not replace:
            raise Conflict(
                _l("A rate for %(currency)s on %(date)s exists already.", currency=currency, date=rate_date),
                code="rate_exists",
            )
        row = row or ExchangeRate(currency=currency, rate_date=rate_date)
        row.nominal, row.value, row.unit_rate = nominal, value, unit_rate
        row.source, row.entered_by_id = "manual", admin.id
        db.session.add(row)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(_l("A rate for this day was stored meanwhile."), code="rate_exists") from None
    except AppError:
        db.session.rollback()
        raise
    return row


def rate_on(currency: str, on: date, strictly_before: bool = False) -> RateQuote | None:
    """The rate for ``on``: that day's, else the latest earlier one (the quote says which)."""
    stmt = select(ExchangeRate).where(ExchangeRate.currency == currency.upper())
    stmt = stmt.where(ExchangeRate.rate_date < on if strictly_before else ExchangeRate.rate_date <= on)
    row = db.session.scalar(stmt.order_by(ExchangeRate.rate_date.desc()).limit(1))
    if row is None:
        return None
    return RateQuote(currency, on, row.rate_date, row.unit_rate, row.nominal, row.value, row.source)


def moscow_today() -> date:
    """CBR dates its rates by Moscow's calendar."""
    return utcnow().astimezone(MOSCOW).date()


def max_age_days() -> int:
    return int(current_app.config.get("FX_MAX_AGE_DAYS", 7))


def stale(quote: RateQuote | None, on: date | None = None) -> bool:
    """Older than FX_MAX_AGE_DAYS: not used for a new order or estimate."""
    return quote is not None and ((on or moscow_today()) - quote.rate_date).days > max_age_days()


def stale_message(quote: RateQuote):
    return _l(
        "The latest CBR rate on file is of %(date)s, more than %(days)d days old: no RUB equivalent"
        " is given until rates are imported (flask rates import).",
        date=quote.rate_date.isoformat(),
        days=max_age_days(),
    )


def freshness_warning():
    """For the admin: why RUB equivalents are missing, or None while the CNY rate is fresh."""
    quote = rate_on("CNY", moscow_today())
    if quote is None:
        return _l("No CNY rate is on file: import the CBR daily rates.")
    return stale_message(quote) if stale(quote) else None


def convert_fresh(amount_cny: Decimal) -> tuple[dict | None, str | None]:
    """``convert`` for a new estimate: (equivalent, None), or (None, why not) when the rate is stale."""
    quote = rate_on("CNY", moscow_today())
    if quote is None:
        return None, None
    if stale(quote):
        return None, str(stale_message(quote))
    return convert(amount_cny, moscow_today()), None


def import_daily() -> tuple[date, int]:
    """Fetch Moscow's today's file from CBR_DAILY_URL and store it (the periodic job).

    Returns (the file's date, currencies stored; 0 when up to date).
    :raise OSError: the file could not be fetched
    :raise 422/409: as ``import_cbr``
    """
    url = current_app.config["CBR_DAILY_URL"]
    day = moscow_today()
    source = f"{url}{'&' if '?' in url else '?'}date_req={day:%d/%m/%Y}"
    return import_cbr(read_source(source))


def latest_rates(limit: int = 60) -> list[ExchangeRate]:
    return db.session.scalars(
        select(ExchangeRate).order_by(ExchangeRate.rate_date.desc(), ExchangeRate.currency).limit(limit)
    ).all()


def convert(amount_cny: Decimal, on: date | None = None, currency: str = "RUB") -> dict | None:
    """``amount_cny`` in RUB (or USD via RUB cross-rates), for information; None without rates."""
    on = on or moscow_today()
    cny = rate_on("CNY", on)
    if cny is None:
        return None
    rub = Decimal(amount_cny) * cny.unit_rate
    if currency == "RUB":
        return {
            "amount": round_money(rub),
            "currency": "RUB",
            "rate": cny.unit_rate,
            "rate_date": cny.rate_date,
        }
    other = rate_on(currency, on)
    if other is None:
        return None
    return {
        "amount": round_money(rub / other.unit_rate),
        "currency": currency,
        "rate": (cny.unit_rate / other.unit_rate).quantize(UNIT_PLACES, rounding=ROUND_HALF_UP),
        "rate_date": min(cny.rate_date, other.rate_date),
    }


# ---- the rate an order records ------------------------------------------------------------------


def _order_date(order) -> date:
    """The order's day on CBR's (Moscow's) calendar, the one its rates are dated by."""
    return (order.created_at or utcnow()).astimezone(MOSCOW).date()


def record_order_rate(order) -> OrderRate | None:
    """Freeze the CNY→RUB rate of the order's day (or the latest earlier one) on the order.

    Inside the caller's transaction (call it after the order is flushed); does nothing when
    the order has one already or no rate is on file.
    """
    existing = db.session.scalar(select(OrderRate).where(OrderRate.order_id == order.id))
    if existing is not None:
        return existing
    quote = rate_on("CNY", _order_date(order))
    if quote is None or stale(quote, _order_date(order)):
        log.warning("order %s: no fresh CNY rate to record (latest %s)", order.id, quote and quote.rate_date)
        return None
    row = OrderRate(
        order_id=order.id,
        currency="CNY",
        rate_date=quote.rate_date,
        rub_per_unit=quote.unit_rate,
        source=quote.source,
    )
    db.session.add(row)
    session_memo("order_rates")[order.id] = (row.rub_per_unit, row.rate_date)
    return row


def _frozen_rate(order) -> tuple[Decimal, date] | None:
    """``(roubles per yuan, rate date)`` frozen on the order, or None. It never changes: the
    order's answer reuses the one just recorded (plain data: the commit between expires rows)."""
    known = session_memo("order_rates")
    if order.id not in known:
        row = db.session.scalar(select(OrderRate).where(OrderRate.order_id == order.id))
        known[order.id] = None if row is None else (row.rub_per_unit, row.rate_date)
    return known[order.id]


def order_rub_equivalent(order) -> dict | None:
    """``{"amount", "currency": "RUB", "rate", "rate_date", "frozen"}`` for the order's total.

    The frozen rate when the order recorded one; otherwise the rate of the order's day (or
    the latest earlier), computed now (``frozen: false``). None when no CNY rate is on file.
    """
    frozen = _frozen_rate(order)
    if frozen is not None:
        (rate, rate_date), is_frozen = frozen, True
    else:
        quote = rate_on("CNY", _order_date(order))
        if quote is None or stale(quote, _order_date(order)):
            return None
        rate, rate_date, is_frozen = quote.unit_rate, quote.rate_date, False
    return {
        "amount": str(round_money(order.total * rate)),
        "currency": "RUB",
        "rate": str(rate.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)),
        "rate_date": rate_date.isoformat(),
        "frozen": is_frozen,
    }


def parse_decimal(text) -> Decimal | None:
    try:
        value = Decimal(str(text).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None
