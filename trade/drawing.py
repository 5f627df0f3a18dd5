"""The content of each trade document: what goes where on the page (see pdf.TradePdf)."""

from decimal import Decimal

from sqlalchemy import select

from core.extensions import db
from fx.services import order_rub_equivalent
from logistics.services.shipments import shipments_carrying
from marketplace.models import Payment, PaymentOrder
from marketplace.services.payments.intake import bank_details
from trade.pdf import TradePdf, money, path_for, public_url, qty


def _seller_lines(producer) -> list[str]:
    district = producer.district
    lines = [producer.name_zh or producer.name_ru, producer.name_ru if producer.name_zh else producer.name_en]
    address = ", ".join(x for x in (producer.address, district.name_ru if district else "") if x)
    lines.append(address)
    if producer.gacc_registration:
        lines.append(f"GACC: {producer.gacc_registration}")
    if producer.contact_phone or producer.contact_email:
        lines.append(" · ".join(x for x in (producer.contact_phone, producer.contact_email) if x))
    return lines


def _buyer_lines(order) -> list[str]:
    buyer = order.buyer
    lines = [buyer.company or buyer.name, buyer.name if buyer.company else buyer.email]
    if order.delivery_contact:
        lines.append(order.delivery_contact)
    lines.append(order.named_place)
    return lines


def _qr_for(order, shipments) -> tuple[str, str]:
    if shipments:
        return public_url(path_for("logistics.public_tracking", code=shipments[0].tracking_code)), "tracking"
    return public_url(path_for("marketplace.order_detail", order_id=order.id)), "scan"


def _bank_payment(order) -> Payment | None:
    return db.session.scalar(
        select(Payment)
        .join(PaymentOrder, PaymentOrder.payment_id == Payment.id)
        .where(
            PaymentOrder.order_id == order.id,
            Payment.method == "bank_transfer",
            Payment.status.in_(("pending", "partially_received", "succeeded")),
        )
        .order_by(Payment.id.desc())
        .limit(1)
    )


def _codes(line) -> str:
    """Each code under its own name: China's tariff code, then the Russian TN VED EAEU code."""
    codes = f"CN:\n{line.hs_code}"
    if line.tnved_code:
        codes += f"\nТН ВЭД:\n{line.tnved_code}"
    return codes


def _order_lines_table(pdf: TradePdf, order) -> None:
    L = pdf.L
    head = [
        L["no"]["zh"] + "\n" + L["no"]["ru"],
        L["hs_code"]["zh"] + "\n" + L["hs_code"]["ru"],
        L["description"]["zh"] + "\n" + L["description"]["ru"],
        L["quantity"]["zh"] + "\n" + L["quantity"]["ru"],
        L["unit_price"]["zh"] + "\n" + L["unit_price"]["ru"],
        L["amount"]["zh"] + "\n" + L["amount"]["ru"],
    ]
    rows = []
    for index, line in enumerate(order.lines, start=1):
        names = "\n".join(x for x in (line.name_zh, line.name_ru, line.name_en) if x)
        rows.append(
            [
                str(index),
                _codes(line),
                names,
                f"{qty(line.quantity)} {line.unit}",
                money(line.unit_price),
                money(line.line_total),
            ]
        )
    pdf.table(head, rows, widths=(8, 22, 74, 26, 26, 26), aligns=("C", "L", "L", "R", "R", "R"))


def _order_sums(pdf: TradePdf, order) -> None:
    items = [(pdf.bi("subtotal", english=False), money(order.subtotal), False)]
    for key in ("freight", "duty", "vat"):
        value = getattr(order, key)
        if value is not None:
            items.append((pdf.bi(key, english=False), money(value), False))
    items.append((pdf.bi("total", english=False), f"{money(order.total)} CNY", True))
    rub = order_rub_equivalent(order)
    if rub:
        rate = f"{pdf.L['rate_note']['ru']} {rub['rate']} ({rub['rate_date']})"
        note = f"{pdf.bi('rub_equivalent', english=False)} · {rate}"
        items.append((note, f"{money(Decimal(rub['amount']))} RUB", False))
    else:
        items.append((pdf.bi("rub_equivalent", english=False), pdf.bi("no_rate", english=False), False))
    pdf.sums(items)


def _landed_sums(pdf: TradePdf, order) -> None:
    """The order's landed-cost estimate: the same figures as its API and page."""
    from trade import landed_cost

    landed, error = landed_cost.safe(landed_cost.for_order_object, order)
    pdf.section("landed_cost")
    if landed is None:
        pdf.text_block(0, error or "")
        return

    def line(key, value, strong=False):
        shown = pdf.bi("rate_unknown", english=False) if value is None else money(value)
        return (pdf.bi(key, english=False), shown, strong)

    items = [line("goods", landed.goods), line("freight_to_border", landed.freight_to_border)]
    items.append(line("insurance", landed.insurance))
    for deduction in landed.deductions:
        items.append(
            (pdf.bi("deduction_china", english=False), "−" + money(Decimal(deduction["amount"])), False)
        )
    items += [
        line("customs_value", landed.customs_value),
        line("duty", landed.duty),
        line("vat", landed.vat),
        line("freight_in_china", landed.freight_in_china),
        line("landed_total", landed.total, True),
    ]
    for alternative in landed.alternatives or []:
        key = "quota_in" if alternative["quota"] == "in" else "quota_out"
        items.append((pdf.bi(key, english=False), money(Decimal(alternative["total"])), True))
    pdf.sums(items)
    if landed.tariff:
        t = landed.tariff
        pdf.text_block(
            0,
            f"{pdf.bi('tariff', english=False)}: HS {t['code']} · {t['source']} · {t['effective_from']}",
            size=7,
        )


def _order_document(document, order, *, with_bank: bool, with_shipment: bool) -> bytes:
    shipments = shipments_carrying(order.id)
    qr_url, caption = _qr_for(order, shipments)
    pdf = TradePdf(document.kind, document.number, document.created_at.date())
    extra = [("order", order.number), ("incoterm", f"{order.incoterm} {order.named_place} (Incoterms 2020)")]
    payment = _bank_payment(order) if with_bank else None
    if payment is not None:
        extra.append(("payment_reference", payment.reference))
    elif order.buyer_reference:
        extra.append(("buyer_reference", order.buyer_reference))
    pdf.header_block(qr_url, caption, extra)
    pdf.parties(("seller", _seller_lines(order.producer)), ("buyer", _buyer_lines(order)))
    if with_shipment and shipments:
        shipment = shipments[0]
        pdf.section("shipment")
        pdf.pairs(_shipment_pairs(pdf, shipment))
        pdf.ln(2)
    _order_lines_table(pdf, order)
    _order_sums(pdf, order)
    if document.kind == "proforma":
        _landed_sums(pdf, order)
    if payment is not None:
        bank = bank_details()
        pdf.section("bank_details")
        pdf.pairs(
            [
                ("payment_reference", payment.reference),
                ("beneficiary", bank["beneficiary"]),
                ("bank", bank["bank"]),
                ("account", bank["account"]),
                ("bank", f"SWIFT {bank['swift']}"),
                ("amount", f"{money(payment.amount)} {payment.currency}"),
            ]
        )
    return pdf.render()


def proforma(document, order) -> bytes:
    return _order_document(document, order, with_bank=True, with_shipment=False)


def commercial_invoice(document, order) -> bytes:
    return _order_document(document, order, with_bank=False, with_shipment=True)


def _shipment_pairs(pdf: TradePdf, shipment) -> list[tuple[str, str]]:
    crossing = shipment.border_crossing
    mode = pdf.L.get(shipment.mode, {"zh": shipment.mode, "ru": shipment.mode})
    vehicle = " / ".join(
        x for x in (shipment.vehicle_number, shipment.container_number, shipment.seal_number) if x
    )
    return [
        ("tracking", shipment.tracking_code),
        ("mode", f"{mode['zh']} / {mode['ru']}"),
        ("crossing", f"{crossing.name_zh} / {crossing.name_ru}"),
        ("route", f"{shipment.origin} → {shipment.destination}"),
        ("vehicle", vehicle),
        ("carrier", shipment.carrier),
    ]


def _lots_text(line) -> str:
    lots = [a.lot for a in line.allocations if a.lot is not None]
    seen, parts = set(), []
    for lot in lots:
        if lot.id in seen:
            continue
        seen.add(lot.id)
        parts.append(f"{lot.lot_number}\n{lot.produced_on.isoformat()} → {lot.best_before.isoformat()}")
    return "\n".join(parts) or "—"


def packing_list(items: list) -> bytes:
    """``items``: ``[(document, shipment, order ids shown or None for all)]``."""
    pdf = None
    for document, shipment, shown in items:
        if pdf is None:
            pdf = TradePdf(document.kind, document.number, document.created_at.date())
        else:
            pdf.add_page()
            pdf.number, pdf.issued = document.number, document.created_at.date()
        _packing_list_pages(pdf, shipment, shown)
    return pdf.render()


def _packing_list_pages(pdf: TradePdf, shipment, shown) -> None:
    L = pdf.L
    url = public_url(path_for("logistics.public_tracking", code=shipment.tracking_code))
    packages = [p for p in shipment.packages if shown is None or p.line.order_id in shown]
    orders = {p.line.order_id: p.line.order for p in packages}
    numbers = ", ".join(o.number for o in orders.values())
    pdf.header_block(url, "tracking", [("tracking", shipment.tracking_code), ("order", numbers)])
    producers = {o.producer_id: o.producer for o in orders.values()}
    shipper = [line for p in producers.values() for line in _seller_lines(p)[:3]]
    buyers = {o.buyer_id: o for o in orders.values()}
    consignee = [line for o in buyers.values() for line in _buyer_lines(o)[:3]]
    pdf.parties(("shipper", shipper), ("consignee", consignee))
    pdf.section("shipment")
    pdf.pairs(_shipment_pairs(pdf, shipment))
    pdf.ln(2)
    if shown is not None:
        pdf.font(7.5, (120, 90, 0))
        pdf.multi_cell(0, 4, pdf.bi("extract"))
        pdf.ln(1)
    head = [
        L[k]["zh"] + "\n" + L[k]["ru"]
        for k in ("no", "description", "hs_code", "quantity", "places", "net", "gross", "lots")
    ]
    rows = []
    total_places, total_net, total_gross = 0, Decimal("0"), Decimal("0")
    for index, package in enumerate(packages, start=1):
        line = package.line
        net = package.quantity * line.net_weight_kg
        total_places += package.places
        total_net += net
        total_gross += package.gross_weight_kg
        names = "\n".join(x for x in (line.name_zh, line.name_ru) if x)
        rows.append(
            [
                str(index),
                f"{names}\n{line.order.number}",
                line.hs_code,
                f"{qty(package.quantity)} {line.unit}",
                str(package.places),
                qty(net),
                qty(package.gross_weight_kg),
                _lots_text(line),
            ]
        )
    rows.append(
        ["", pdf.bi("totals", english=False), "", "", str(total_places), qty(total_net), qty(total_gross), ""]
    )
    pdf.table(
        head, rows, widths=(9, 42, 20, 18, 11, 17, 17, 48), aligns=("C", "L", "L", "R", "R", "R", "R", "L")
    )


def label_sheet(document, product, importer_order) -> bytes:
    pdf = TradePdf(document.kind, document.number, document.created_at.date())
    L = pdf.L
    url = public_url(path_for("catalog.product_page", product_id=product.id))
    producer = product.producer
    pdf.header_block(url, "scan", [("hs_code", product.hs_code), ("gacc", producer.gacc_registration or "—")])
    rows = _label_rows(pdf, product, importer_order)
    missing = [r for r in rows if not r[2]]
    pdf.font(10, (176, 0, 32) if missing else (27, 94, 32))
    pdf.multi_cell(0, 6, pdf.bi("incomplete" if missing else "complete"))
    pdf.ln(2)
    head = [L[k]["zh"] + "\n" + L[k]["ru"] for k in ("field", "value", "status")]
    body = [
        [pdf.bi(key, english=False), value or "—", pdf.bi("ok" if ok else "missing", english=False)]
        for key, value, ok in rows
    ]
    pdf.table(head, body, widths=(48, 104, 30), aligns=("L", "L", "C"), size=8.5)
    return pdf.render()


def _label_rows(pdf: TradePdf, product, importer_order) -> list[tuple[str, str, bool]]:
    L = pdf.L
    producer = product.producer
    net = f"{qty(product.net_weight_kg)} kg / {product.unit}"
    if product.packaging:
        net = f"{net} · {product.packaging}"
    lots = sorted(product.lots, key=lambda lot: lot.produced_on, reverse=True)
    if importer_order is not None:
        allocated = [
            a.lot
            for ln in importer_order.lines
            if ln.product_id == product.id
            for a in ln.allocations
            if a.lot
        ]
        lots = allocated or lots
    production = "; ".join(f"{lot.lot_number}: {lot.produced_on.isoformat()}" for lot in lots[:4])
    shelf = (
        f"{product.shelf_life_days} {L['days']['zh']} / {L['days']['ru']}" if product.shelf_life_days else ""
    )
    storage = ""
    if product.storage_temp_min_c is not None or product.storage_temp_max_c is not None:
        low = "" if product.storage_temp_min_c is None else f"{product.storage_temp_min_c}"
        high = "" if product.storage_temp_max_c is None else f"{product.storage_temp_max_c}"
        storage = f"{low} … {high} °C"
    importer = ""
    if importer_order is not None:
        buyer = importer_order.buyer
        address = importer_order.delivery_contact or importer_order.named_place
        importer = ", ".join(x for x in (buyer.company or buyer.name, address) if x)
    producer_text = "\n".join(
        x
        for x in (
            producer.name_zh,
            producer.name_ru,
            producer.address,
            f"GACC {producer.gacc_registration}" if producer.gacc_registration else "",
        )
        if x
    )
    origin = f"{L['russia']['zh']} / {L['russia']['ru']}" + (f" — {product.origin}" if product.origin else "")
    return [
        ("name_zh", product.name_zh, bool(product.name_zh)),
        (
            "ingredients",
            "\n".join(
                x
                for x in (product.ingredients_zh, product.allergens_zh and f"过敏原: {product.allergens_zh}")
                if x
            )
            or f"{L['not_recorded']['zh']} / {L['not_recorded']['ru']}",
            bool(product.ingredients_zh),
        ),
        ("net_content", net, True),
        (
            "producer",
            producer_text,
            bool(producer.name_zh and producer.address and producer.gacc_registration),
        ),
        ("production_date", production, bool(production)),
        ("shelf_life", shelf, bool(shelf)),
        ("storage", storage, bool(storage)),
        ("origin", origin, True),
        ("importer", importer, bool(importer)),
    ]
