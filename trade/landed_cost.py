"""What goods cost the buyer delivered to the Harbin Daowai warehouse, and their customs value
by China's rules: an estimate in CNY.

The price is quoted on a basis (Incoterms 2020 + named place, catalog.incoterms); the route
(mode, border crossing) prices two freight legs (trade.freight): Russian (origin → border) and
Chinese (border → Harbin Daowai). China's customs value is the price adjusted to the place of
importation, the border port:

    reach origin (EXW/FCA inland)   freight_to_border = Russian leg; insurance on goods + it
    reach border (… at a crossing)  nothing added for freight; insurance only if the buyer
                                    bears the risk (EXW/FCA/CPT), on the goods
    reach destination (… Harbin)    the price carries the Chinese leg: it comes off the
                                    customs value as a stated, estimated deduction

    insurance      = value at the border × insurance %   (China customs' default 0.3 %)
    customs_value  = goods + freight_to_border + insurance − deductions
    duty           = customs_value × duty %              (tariff book: most specific row of the day)
    vat            = (customs_value + duty) × VAT %
    freight        = freight_to_border + freight_in_china   (what the buyer pays on top)
    total          = goods + freight + insurance + duty + vat

Rounding: each amount is computed from the rounded amounts it rests on and rounded to 0.01 CNY
half up; an order (or cart) is the sum of its lines, whose freight is the consignment's legs
shared by weight. A code without a tariff row gives duty, VAT and total null with a warning —
never a silent 0 %. A tariff-rate quota line with ``quota=unknown`` gives both totals
(``alternatives``) and null at the top: the buyer's quota status decides, never assumed.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from catalog import incoterms
from catalog.models import Product
from catalog.queries import listing_options
from core.errors import AppError, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.money import round_money
from core.timeutil import utcnow
from logistics.models import BorderCrossing
from marketplace.services import cart as cart_service
from marketplace.services.orders import order_for, parse_quantity, trade_terms
from trade import freight as freight_rules
from trade import tariff_book
from trade.models import FREIGHT_LEGS, FreightTariff, TariffRate

DEFAULT_MODE = "rail"
DEFAULT_CROSSING = "zabaikalsk-manzhouli"
HUNDRED = Decimal("100")
ZERO = Decimal("0.00")
QUOTAS = ("in", "out")


class BelowMoq(ValidationFailed):
    code = "below_moq"


NoTariff = freight_rules.NoTariff


def insurance_percent() -> Decimal:
    value = Decimal(str(current_app.config.get("LANDED_COST_INSURANCE_PERCENT", "0.3")))
    if not (0 <= value <= 10):
        raise ValueError("LANDED_COST_INSURANCE_PERCENT must be between 0 and 10")
    return value


def _plain(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _warning(code: str, message, **extra) -> dict:
    return {"code": code, "message": str(message), **extra}


@dataclass
class Terms:
    """The basis the price is on and the route, checked together (see ``terms_from``)."""

    incoterm: str
    place: incoterms.Place
    mode: str
    crossing: str
    quota: str
    price_basis: dict

    @property
    def reach(self) -> str:
        return incoterms.reach(self.incoterm, self.place)

    @property
    def buyer_insures(self) -> bool:
        return not incoterms.insurance_in_price(self.incoterm)


def terms_from(details: dict, price_basis: dict | None, buyer=None) -> Terms:
    """Terms from the caller's ``incoterm``/``named_place``/``mode``/``border_crossing``/``quota``.

    :raise 422: an unknown term, mode or quota value; a place that does not fit the term
    """
    checked = trade_terms(details, price_basis, buyer)
    return Terms(
        checked["incoterm"],
        checked["place"],
        checked["mode"],
        checked["border_crossing"],
        checked["quota"],
        price_basis or incoterms.basis(checked["incoterm"], checked["place"]),
    )


@dataclass
class Breakdown:
    goods: Decimal = ZERO
    freight_to_border: Decimal = ZERO
    freight_in_china: Decimal = ZERO
    insurance: Decimal = ZERO
    deductions: list = field(default_factory=list)
    #: Duty and VAT per quota answer ("in", "out"): equal for lines outside a quota; None
    #: where the rate is unknown.
    duties: dict = field(default_factory=lambda: {q: (ZERO, ZERO) for q in QUOTAS})
    quota: str = "unknown"
    quota_line: bool = False
    weight_kg: Decimal = Decimal("0")
    rates: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    lines: list = field(default_factory=list)
    tariff: dict | None = None
    terms: Terms | None = None
    freight_legs: list = field(default_factory=list)

    @property
    def freight(self) -> Decimal:
        return self.freight_to_border + self.freight_in_china

    @property
    def deducted(self) -> Decimal:
        return sum((Decimal(d["amount"]) for d in self.deductions), ZERO)

    @property
    def customs_value(self) -> Decimal:
        return self.goods + self.freight_to_border + self.insurance - self.deducted

    def _pair(self, quota: str):
        return self.duties.get(quota)

    def _chosen(self):
        if self.quota in QUOTAS:
            return self._pair(self.quota)
        if self.quota_line:
            return None  # both totals are shown instead
        return self._pair("in")

    @property
    def duty(self) -> Decimal | None:
        pair = self._chosen()
        return None if pair is None else pair[0]

    @property
    def vat(self) -> Decimal | None:
        pair = self._chosen()
        return None if pair is None else pair[1]

    def total_for(self, pair) -> Decimal | None:
        if pair is None:
            return None
        return self.goods + self.freight + self.insurance + pair[0] + pair[1]

    @property
    def total(self) -> Decimal | None:
        return self.total_for(self._chosen())

    @property
    def alternatives(self) -> list | None:
        if self.quota != "unknown" or not self.quota_line:
            return None
        result = []
        for quota in QUOTAS:
            pair = self._pair(quota)
            result.append(
                {
                    "quota": quota,
                    "duty": _money(pair and pair[0]),
                    "vat": _money(pair and pair[1]),
                    "total": _money(self.total_for(pair)),
                    "duty_percent": self.tariff.get(f"duty_percent_{quota}") if self.tariff else None,
                }
            )
        return result

    def add(self, other: "Breakdown") -> None:
        self.goods += other.goods
        self.freight_to_border += other.freight_to_border
        self.freight_in_china += other.freight_in_china
        self.insurance += other.insurance
        self.weight_kg += other.weight_kg
        self.quota_line = self.quota_line or other.quota_line
        for quota in QUOTAS:
            mine, theirs = self.duties.get(quota), other.duties.get(quota)
            self.duties[quota] = (
                None if mine is None or theirs is None else (mine[0] + theirs[0], mine[1] + theirs[1])
            )
        for deduction in other.deductions:
            same = next((d for d in self.deductions if d["code"] == deduction["code"]), None)
            if same is None:
                self.deductions.append(dict(deduction))
            else:
                same["amount"] = str(Decimal(same["amount"]) + Decimal(deduction["amount"]))
        for warning in other.warnings:
            if warning not in self.warnings:
                self.warnings.append(warning)

    def as_json(self) -> dict:
        terms = self.terms
        body = {
            "currency": "CNY",
            "goods": _money(self.goods),
            "freight": _money(self.freight),
            "insurance": _money(self.insurance),
            "customs_value": _money(self.customs_value),
            "duty": _money(self.duty),
            "vat": _money(self.vat),
            "total": _money(self.total),
            "weight_kg": str(self.weight_kg.quantize(Decimal("0.001"))),
            "rates": self.rates,
            "warnings": self.warnings,
            "incoterm": terms.incoterm if terms else None,
            "named_place": terms.place.name("en") if terms else None,
            "price_basis": terms.price_basis if terms else None,
            "freight_to_border": _money(self.freight_to_border),
            "freight_in_china": _money(self.freight_in_china),
            "deductions": self.deductions,
            "tariff": self.tariff,
            "quota": self.quota,
        }
        alternatives = self.alternatives
        if alternatives is not None:
            body["alternatives"] = alternatives
            if self.tariff is not None:
                body["tariff"] = {**self.tariff, "alternatives": alternatives}
        if self.freight_legs:
            body["freight_legs"] = [leg.as_json() for leg in self.freight_legs]
        if self.lines:
            body["lines"] = [line.as_json() for line in self.lines]
        return body


@dataclass
class Item:
    """One line of a consignment: its tariff code, rounded goods value and gross weight."""

    hs_code: str
    goods: Decimal
    weight_kg: Decimal
    reefer: bool
    meta: dict = field(default_factory=dict)


def _tariff_json(row: TariffRate | None, hs_code: str, quota: str, on: date) -> dict | None:
    if row is None:
        return None
    chosen = tariff_book.duty_for(row, quota, on)
    body = {
        "code": row.hs_prefix,
        "duty_percent": _plain(chosen.duty_percent) if chosen else None,
        "vat_percent": _plain(row.vat_percent),
        "quota": quota if row.quota_applies else None,
        "source": row.source,
        "effective_from": row.effective_from.isoformat(),
        "confirmed": row.confirmed,
        "duty_basis": chosen.basis if chosen else None,
    }
    if row.quota_applies:
        body["duty_percent_in"] = _plain(row.quota_in_percent)
        body["duty_percent_out"] = _plain(row.quota_out_percent)
    return body


def _line(item: Item, terms: Terms, ru: Decimal, cn: Decimal, ins: Decimal, on: date) -> Breakdown:
    result = Breakdown(terms=terms, quota=terms.quota)
    result.goods = round_money(item.goods)
    result.weight_kg = item.weight_kg
    reach = terms.reach
    at_border = result.goods
    if reach == "origin":
        result.freight_to_border = ru
        result.freight_in_china = cn
        at_border = result.goods + ru
    elif reach == "border":
        result.freight_in_china = cn
    else:
        result.deductions = [
            {
                "code": "freight_in_china",
                "amount": str(cn),
                "estimated": True,
                "description": str(
                    _l("Transport inside China (border → Harbin Daowai) included in the price, estimated")
                ),
            }
        ]
        at_border = result.goods - cn
    if terms.buyer_insures:
        result.insurance = round_money(at_border * ins / HUNDRED)
    row = tariff_book.rate_for(item.hs_code, on)
    result.tariff = _tariff_json(row, item.hs_code, terms.quota, on)
    result.rates = {
        "hs_code": item.hs_code,
        "hs_prefix": row.hs_prefix if row else None,
        "duty_percent": result.tariff["duty_percent"] if row else None,
        "vat_percent": _plain(row.vat_percent) if row else None,
        "duty_unconfirmed": (not row.confirmed) if row else None,
    }
    if row is None:
        result.duties = {q: None for q in QUOTAS}
        result.warnings.append(
            _warning(
                "duty_rate_unknown",
                _l(
                    "No duty rate is known for HS code %(hs)s: duty and VAT are not estimated.",
                    hs=item.hs_code,
                ),
                hs_code=item.hs_code,
            )
        )
        return result
    if not row.confirmed:
        result.warnings.append(
            _warning(
                "duty_rate_unconfirmed",
                _l("The duty and VAT rates for HS %(prefix)s are not confirmed.", prefix=row.hs_prefix),
                hs_code=item.hs_code,
            )
        )
    result.quota_line = row.quota_applies
    if row.quota_applies and terms.quota == "unknown":
        result.warnings.append(
            _warning(
                "quota_unknown",
                _l(
                    "HS %(prefix)s is under a tariff-rate quota: the duty depends on whether you hold"
                    " an import quota certificate. Both totals are shown.",
                    prefix=row.hs_prefix,
                ),
                hs_code=item.hs_code,
            )
        )
    customs_value = result.customs_value
    for quota in QUOTAS:
        applied = tariff_book.duty_for(row, quota, on)
        duty = round_money(customs_value * applied.duty_percent / HUNDRED)
        vat = round_money((customs_value + duty) * row.vat_percent / HUNDRED)
        result.duties[quota] = (duty, vat)
    return result


def estimate(items: list[Item], terms: Terms, on: date | None = None) -> Breakdown:
    """A consignment's breakdown: legs priced on its total weight, shared by weight."""
    on = on or utcnow().date()
    legs = freight_rules.legs_for(terms.mode, terms.crossing)
    ins = insurance_percent()
    weight = sum((i.weight_kg for i in items), Decimal("0"))
    reefer = any(i.reefer for i in items)
    charges = {leg: freight_rules.leg_charge(legs[leg], weight, reefer) for leg in FREIGHT_LEGS}
    weights = [i.weight_kg for i in items]
    ru_shares = freight_rules.share_by_weight(charges["russia"].amount, weights)
    cn_shares = freight_rules.share_by_weight(charges["china"].amount, weights)
    total = Breakdown(terms=terms, quota=terms.quota)
    total.freight_legs = list(charges.values())
    total.rates = {
        "mode": terms.mode,
        "border_crossing": terms.crossing,
        "freight_cny_per_kg": _plain(sum((legs[leg].cny_per_kg for leg in FREIGHT_LEGS), Decimal("0"))),
        "freight_unconfirmed": any(legs[leg].unconfirmed for leg in FREIGHT_LEGS),
        "insurance_percent": _plain(ins),
        "transit_days": sum(legs[leg].transit_days for leg in FREIGHT_LEGS),
        "reach": terms.reach,
    }
    if any(legs[leg].unconfirmed for leg in FREIGHT_LEGS):
        total.warnings.append(
            _warning(
                "freight_tariff_unconfirmed",
                _l("The freight tariff for this route is not confirmed by an operator."),
            )
        )
    for item, ru, cn in zip(items, ru_shares, cn_shares, strict=True):
        part = _line(item, terms, ru, cn, ins, on)
        part.rates.update(item.meta)
        total.add(part)
        total.lines.append(part)
    tariffs = {tuple(sorted((line.tariff or {}).items(), key=lambda kv: kv[0])) for line in total.lines}
    if len(total.lines) == 1 or len(tariffs) == 1:
        total.tariff = total.lines[0].tariff
        total.rates.update({k: v for k, v in total.lines[0].rates.items() if k not in total.rates})
    return total


def _single(total: Breakdown) -> Breakdown:
    """A one-line estimate reads as that line (no ``lines`` list), as the product endpoint always did."""
    total.lines = []
    return total


def _weight_per_unit(product) -> Decimal:
    return product.gross_weight_kg or product.net_weight_kg


def _item(product, hs_code, goods, quantity, weight_per_unit, meta) -> Item:
    return Item(
        hs_code=hs_code,
        goods=goods,
        weight_kg=quantity * weight_per_unit,
        reefer=freight_rules.needs_reefer(product.storage_temp_max_c),
        meta=meta,
    )


def for_product(user, product_id, quantity_text, mode=None, crossing=None, **details) -> Breakdown:
    """The estimate for ``quantity`` of a product at its tier price, on its price basis unless
    ``incoterm``/``named_place`` say otherwise.

    :raise 404: unknown or not visible to ``user``
    :raise 422: bad quantity, below the MOQ, unknown mode, term or quota, a place that does not
        fit the term, no tariff for the route
    """
    product = (
        db.session.get(Product, product_id, options=listing_options())
        if isinstance(product_id, int)
        else None
    )
    if product is None or not product.visible_to(user):
        raise NotFound(_l("Product not found."))
    quantity = parse_quantity(quantity_text, product)
    price = product.unit_price_for(quantity)
    if price is None:
        message = _l("The minimum order quantity is %(moq)s.", moq=product.moq)
        raise BelowMoq(
            message,
            fields={"quantity": [message]},
            extra={"moq": str(product.moq) if product.moq is not None else None},
        )
    terms = terms_from({**details, "mode": mode, "border_crossing": crossing}, product.price_basis, user)
    item = _item(
        product,
        product.hs_code,
        quantity * price,
        quantity,
        _weight_per_unit(product),
        {"quantity": str(quantity), "unit": product.unit, "unit_price": str(price)},
    )
    result = _single(estimate([item], terms))
    return result


def for_order(user, order_id, mode=None, crossing=None) -> Breakdown:
    """The estimate for a whole order on its own term, place, quota and route.

    :raise 404: not a party to the order
    """
    order = order_for(user, order_id)
    return for_order_object(order, mode, crossing)


def order_terms(order, mode=None, crossing=None) -> Terms:
    place = incoterms.place_for(order.named_place)
    if place is None:  # free text from before places were checked: the buyer's warehouse
        place = incoterms.PLACES["harbin-daowai"]
    return terms_from(
        {
            "incoterm": order.incoterm,
            "named_place": place.code,
            "quota": order.quota,
            "mode": mode or order.transport_mode,
            "border_crossing": None if place.crossing else (crossing or order.border_crossing_code),
        },
        None,
    )


def for_order_object(order, mode=None, crossing=None) -> Breakdown:
    terms = order_terms(order, mode, crossing)
    items = [
        _item(
            line.product,
            line.hs_code,
            line.line_total,
            line.quantity,
            line.product.gross_weight_kg or line.net_weight_kg,
            {"order_line_id": line.id, "product_id": line.product_id, "quantity": str(line.quantity)},
        )
        for line in order.lines
    ]
    return estimate(items, terms, (order.created_at or utcnow()).date())


def for_cart(buyer, mode=None, crossing=None, **details) -> Breakdown:
    """The estimate for the buyer's cart: one consignment per producer (each is an order);
    lines below their MOQ are left out with a warning."""
    if buyer is None or buyer.role != "buyer":
        raise Forbidden()
    total = None
    skipped = []
    for group in cart_service.view(buyer):
        items = []
        basis = None
        for line in group.lines:
            if line.unit_price is None:
                skipped.append(line.product.id)
                continue
            basis = basis or line.product.price_basis
            items.append(
                _item(
                    line.product,
                    line.product.hs_code,
                    line.line_total,
                    line.quantity,
                    _weight_per_unit(line.product),
                    {"item_id": line.item.id, "product_id": line.product.id, "quantity": str(line.quantity)},
                )
            )
        if not items:
            continue
        terms = terms_from({**details, "mode": mode, "border_crossing": crossing}, basis, buyer)
        part = estimate(items, terms)
        if total is None:
            total = part
            continue
        lines = total.lines + part.lines
        legs = total.freight_legs + part.freight_legs
        total.add(part)
        total.lines, total.freight_legs = lines, legs
        if total.tariff != part.tariff:
            total.tariff = None
    if total is None:
        terms = terms_from({**details, "mode": mode, "border_crossing": crossing}, None, buyer)
        total = Breakdown(terms=terms, quota=terms.quota)
        total.rates = {
            "mode": terms.mode,
            "border_crossing": terms.crossing,
            "insurance_percent": _plain(insurance_percent()),
        }
    for product_id in skipped:
        total.warnings.append(
            _warning(
                "below_moq",
                _l("A line below its minimum order quantity is left out."),
                product_id=product_id,
            )
        )
    return total


def safe(func, *args, **kwargs) -> tuple[Breakdown | None, str | None]:
    """For pages: the breakdown, or None and the reason it could not be estimated."""
    try:
        return func(*args, **kwargs), None
    except AppError as exc:
        if isinstance(exc, NotFound):
            raise
        return None, str(exc.message)


# ---- admin edits ------------------------------------------------------------------------------------


def _require_admin(user) -> None:
    if user is None or user.role != "admin":
        raise Forbidden()


def save_duty_rate(
    admin, hs_prefix: str, duty_percent, vat_percent, unconfirmed=False, note=""
) -> TariffRate:
    """Change the MFN and VAT rates of the row in force today for an HS prefix, or start one
    today (the older API and form; the tariff book pages edit every field). Admins.

    :raise 403: not an admin
    :raise 422: a bad prefix, a negative or absurd percentage
    """
    _require_admin(admin)
    prefix = (hs_prefix or "").strip().replace(".", "")
    today = utcnow().date()
    current = next(
        (r for r in tariff_book.search(prefix) if r.hs_prefix == prefix and r.in_force(today)),
        None,
    )
    data = (
        current.as_row()
        if current is not None
        else {"effective_from": today, "source": f"{admin.email}, {today.isoformat()}"}
    )
    data.update(
        {
            "code": prefix,
            "mfn_percent": duty_percent,
            "vat_percent": vat_percent,
            "confirmed": not unconfirmed,
            "description": note or (current.note if current else ""),
        }
    )
    return tariff_book.save_row(admin, data)


def delete_duty_rate(admin, rate_id: int) -> None:
    tariff_book.delete_row(admin, rate_id)


def _rate(value, name, low_exclusive=False, high=None) -> Decimal:
    try:
        number = Decimal(value)
    except Exception:  # noqa: BLE001 - anything that is not a number
        number = None
    ok = number is not None and number.is_finite() and (number > 0 if low_exclusive else number >= 0)
    if ok and high is not None:
        ok = number <= high
    if not ok:
        message = _l("Enter a plausible positive number.")
        raise ValidationFailed(message, code="rate_implausible", fields={name: [message]})
    return number


def save_tariff(
    admin, mode: str, crossing: str, cny_per_kg, unconfirmed=False, note="", leg=None, **leg_fields
):
    """Create or change a freight tariff. Admins.

    With ``leg`` (russia, china) one leg and its minimum, capacity, reefer surcharge and days;
    without, ``cny_per_kg`` is the through rate Chelyabinsk → Harbin and the two legs keep
    their shares of it (a new route splits 3 : 1).

    :raise 403: not an admin
    :raise 422: no or unknown mode, unknown crossing or leg, a rate ≤ 0 or above 100 CNY/kg
    """
    _require_admin(admin)
    if mode not in incoterms.TRANSPORT_MODES:
        message = _l("Unknown mode of transport.")
        raise ValidationFailed(message, fields={"mode": [message]})
    if db.session.get(BorderCrossing, crossing) is None:
        message = _l("Unknown border crossing.")
        raise ValidationFailed(message, fields={"border_crossing": [message]})
    if leg is not None and leg not in FREIGHT_LEGS:
        message = _l("A leg is russia (origin → border) or china (border → Harbin).")
        raise ValidationFailed(message, fields={"leg": [message]})
    rate = _rate(cny_per_kg, "cny_per_kg", low_exclusive=True, high=HUNDRED)
    rows = {
        r.leg: r
        for r in db.session.scalars(
            select(FreightTariff).where(
                FreightTariff.mode == mode, FreightTariff.border_crossing_code == crossing
            )
        )
    }
    if leg is not None:
        targets = {leg: rate}
    else:
        old = {k: rows[k].cny_per_kg for k in FREIGHT_LEGS if k in rows}
        whole = sum(old.values(), Decimal("0"))
        share = old["russia"] / whole if len(old) == 2 and whole > 0 else Decimal("0.75")
        russia = (rate * share).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
        targets = {"russia": russia, "china": rate - russia}
    checked = {
        "min_charge_cny": ("min_charge_cny", False, Decimal("10000000")),
        "unit_capacity_kg": ("unit_capacity_kg", True, Decimal("200000")),
        "reefer_surcharge_percent": ("reefer_surcharge_percent", False, HUNDRED),
    }
    for key, (name, positive, high) in checked.items():
        if leg_fields.get(key) is not None:
            leg_fields[key] = _rate(leg_fields[key], name, low_exclusive=positive, high=high)
    days = leg_fields.get("transit_days")
    if days is not None and (not isinstance(days, int) or not 0 < days <= 90):
        message = _l("Transit days are a whole number from 1 to 90.")
        raise ValidationFailed(message, fields={"transit_days": [message]})
    saved = None
    for name, value in targets.items():
        row = rows.get(name) or FreightTariff(
            mode=mode, border_crossing_code=crossing, leg=name, **_leg_defaults(mode, name)
        )
        row.cny_per_kg = value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
        if value <= 0:
            message = _l("A tariff is more than 0 and at most 100 CNY per kg.")
            raise ValidationFailed(message, code="rate_implausible", fields={"cny_per_kg": [message]})
        if leg is not None:
            for key in ("min_charge_cny", "unit_capacity_kg", "reefer_surcharge_percent", "transit_days"):
                if leg_fields.get(key) is not None:
                    setattr(row, key, leg_fields[key])
        row.unconfirmed, row.note = bool(unconfirmed), (note or "").strip()[:300]
        row.updated_by = admin.email
        db.session.add(row)
        saved = saved or row
    db.session.commit()
    return saved


#: Per mode: (capacity of one unit kg, Russian leg minimum, Chinese leg minimum, reefer %,
#: Russian leg days, Chinese leg days) — a starting point for a new route, unconfirmed.
LEG_DEFAULTS = {
    "road": (Decimal("20000"), Decimal("16000"), Decimal("4000"), Decimal("25"), 9, 2),
    "rail": (Decimal("60000"), Decimal("30000"), Decimal("9000"), Decimal("30"), 12, 3),
    "multimodal": (Decimal("26000"), Decimal("22000"), Decimal("6000"), Decimal("35"), 11, 3),
}


def _leg_defaults(mode: str, leg: str) -> dict:
    capacity, ru_min, cn_min, reefer, ru_days, cn_days = LEG_DEFAULTS[mode]
    russia = leg == "russia"
    return {
        "unit_capacity_kg": capacity,
        "min_charge_cny": ru_min if russia else cn_min,
        "reefer_surcharge_percent": reefer,
        "transit_days": ru_days if russia else cn_days,
    }


def duty_rates() -> list[TariffRate]:
    return tariff_book.search()


def tariffs() -> list[FreightTariff]:
    return db.session.scalars(
        select(FreightTariff).order_by(
            FreightTariff.border_crossing_code, FreightTariff.mode, FreightTariff.leg.desc()
        )
    ).all()
