"""The content of each trade document: what goes where on the page (see pdf.TradePdf)."""

from decimal import Decimal

from flask import current_app
from flask_babel import force_locale
from fpdf import XPos, YPos

from accounts.company import company_of
from catalog.customs_fields import net_content, packing
from catalog.data import PACKAGE_KINDS, UNIT_LABELS
from fx.services import order_rub_equivalent
from logistics.rules import PLACE_LABELS
from logistics.services.places import route_detail
from logistics.services.shipments import shipments_carrying
from marketplace.models import Payment
from marketplace.services.payments.intake import bank_details, bank_payments_of
from trade.contracts import contract_between
from trade.pdf import MUTED, RULE, TradePdf, money, path_for, public_url, qty


def _seller_lines(producer) -> list[str]:
    """The seller as registered: legal names, legal address, tax and registration numbers."""
    lines = [
        producer.legal_name_ru or producer.name_ru,
        producer.legal_name_en or producer.name_en or producer.name_zh,
        producer.legal_address_ru or producer.address,
        producer.legal_address_en,
    ]
    ids = [
        f"ИНН/INN {producer.inn}" if producer.inn else "",
        f"КПП/KPP {producer.kpp}" if producer.kpp else "",
    ]
    ogrn = (
        ("ОГРНИП/OGRNIP " if producer.sole_trader else "ОГРН/OGRN ") + producer.ogrn if producer.ogrn else ""
    )
    lines.append(" · ".join(x for x in (*ids, ogrn) if x))
    if producer.gacc_registration:
        lines.append(f"GACC: {producer.gacc_registration}")
    if producer.contact_phone or producer.contact_email:
        lines.append(" · ".join(x for x in (producer.contact_phone, producer.contact_email) if x))
    return [x for x in lines if x]


def _buyer_lines(order) -> list[str]:
    """The buyer's company, the importer of record: names, address, USCC, customs code, contact."""
    buyer = order.buyer
    company = company_of(buyer)
    if company is None:
        lines = [buyer.company or buyer.name, buyer.name if buyer.company else buyer.email]
    else:
        lines = [
            company.name_zh,
            company.name_en,
            company.address_zh,
            company.address_en,
            f"统一社会信用代码/USCC {company.uscc} · 海关编码/Customs {company.customs_code}",
            " · ".join(x for x in (company.contact_name, company.contact_phone, company.contact_email) if x),
        ]
    if order.delivery_contact:
        lines.append(order.delivery_contact)
    return [x for x in lines if x]


def _qr_for(order, shipments) -> tuple[str, str]:
    if shipments:
        return public_url(path_for("logistics.public_tracking", code=shipments[0].tracking_code)), "tracking"
    return public_url(path_for("marketplace.order_detail", order_id=order.id)), "scan"


def _bank_payment(order) -> Payment | None:
    payments = bank_payments_of(order.id)
    return payments[0] if payments else None


def _codes(line) -> str:
    """Each code under its own name: China's tariff code, then the Russian TN VED EAEU code."""
    codes = f"CN:\n{line.hs_code}"
    if line.tnved_code:
        codes += f"\nТН ВЭД:\n{line.tnved_code}"
    return codes


def _head(pdf: TradePdf, *keys) -> list[str]:
    return [pdf.L[k]["zh"] + "\n" + pdf.L[k]["ru"] for k in keys]


def _zh_ru(label, separator: str = "/") -> str:
    with force_locale("zh"):
        zh = str(label)
    with force_locale("ru"):
        ru = str(label)
    return f"{zh}{separator}{ru}"


def _unit(code: str) -> str:
    """升/л: the unit of measure as both customs services write it, not the stored code."""
    return _zh_ru(UNIT_LABELS[code]) if code in UNIT_LABELS else code


def _quantity(line) -> str:
    return f"{qty(line.quantity)} {_unit(line.unit)}"


def _kind_label(pdf: TradePdf, kind: str | None) -> str:
    return _zh_ru(PACKAGE_KINDS[kind]) if kind else ""


def _place(text: str, place=None) -> str:
    """A shipment's origin or destination: its gazetteer place in Chinese and Russian (with
    the free detail as typed), else the default places in Chinese and Russian, any other text
    as the operator typed it."""
    if place is not None:
        detail = route_detail(text, place)
        return f"{place.name_zh} / {place.name_ru}" + (f" ({detail})" if detail else "")
    label = PLACE_LABELS.get(text)
    return _zh_ru(label, " / ") if label is not None else text


def _origin(product) -> str:
    return "Россия / 俄罗斯 / Russia" + (f"\n{product.origin}" if product.origin else "")


def _order_lines_table(pdf: TradePdf, order, customs: bool) -> list[dict]:
    """The goods, line by line; for customs with both tariff codes, origin, weights, packages."""
    rows, packs = [], []
    for index, line in enumerate(order.lines, start=1):
        names = "\n".join(x for x in (line.name_zh, line.name_ru, line.name_en) if x)
        product = line.product
        pack = packing(product, line.quantity, package=line)  # the package it was sold in
        packs.append(pack)
        quantity = _quantity(line)
        if not customs:
            rows.append(
                [str(index), _codes(line), names, quantity, money(line.unit_price), money(line.line_total)]
            )
            continue
        codes = _codes(line)
        packages = f"{pack['count']} {_kind_label(pdf, pack['kind'])}" if pack["count"] else "—"
        rows.append(
            [
                str(index),
                names,
                codes,
                _origin(product),
                quantity,
                money(line.unit_price),
                money(line.line_total),
                f"{qty(pack['net_kg'])}\n{qty(pack['gross_kg'])}",
                packages,
            ]
        )
    if customs:
        head = _head(pdf, "no", "description", "codes", "country_origin", "quantity", "unit_price", "amount")
        head += [f"{pdf.L['net']['zh']}/{pdf.L['gross']['zh']}\n{pdf.L['net']['ru']}/{pdf.L['gross']['ru']}"]
        head += _head(pdf, "packages")
        net = sum((p["net_kg"] for p in packs), Decimal("0"))
        gross = sum((p["gross_kg"] for p in packs), Decimal("0"))
        count = sum(p["count"] or 0 for p in packs)
        rows.append(
            [
                "",
                pdf.bi("totals", english=False),
                "",
                "",
                "",
                "",
                money(order.subtotal),
                f"{qty(net)}\n{qty(gross)}",
                str(count or "—"),
            ]
        )
        pdf.table(
            head,
            rows,
            widths=(7, 38, 22, 20, 17, 16, 19, 22, 21),
            aligns=("C", "L", "L", "L", "R", "R", "R", "R", "L"),
            size=7,
        )
    else:
        head = _head(pdf, "no", "hs_code", "description", "quantity", "unit_price", "amount")
        pdf.table(head, rows, widths=(8, 22, 74, 26, 26, 26), aligns=("C", "L", "L", "R", "R", "R"))
    return packs


def _marks(order, packs) -> str:
    """Shipping marks: the order, the destination and the package numbers of each line."""
    lines = []
    for index, (line, pack) in enumerate(zip(order.lines, packs, strict=True), start=1):
        count = pack["count"] or 1
        lines.append(f"{order.number}/{index} · HARBIN 哈尔滨 · 1–{count} · {line.hs_code}")
    return "\n".join(lines)


def _signature(pdf: TradePdf, producer) -> None:
    pdf.ln(4)
    pdf.section("signatory")
    y = pdf.get_y() + 12
    pdf.set_draw_color(*RULE)
    pdf.line(pdf.l_margin, y, pdf.l_margin + 80, y)
    pdf.line(pdf.l_margin + 110, y, pdf.l_margin + 160, y)
    pdf.set_y(y + 1)
    pdf.font(7, MUTED)
    who = " · ".join(x for x in (producer.signatory_name, producer.signatory_position) if x)
    pdf.cell(100, 4, f"{pdf.bi('signature', english=False)}: {who}")
    pdf.set_x(pdf.l_margin + 110)
    pdf.cell(60, 4, pdf.bi("stamp", english=False), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


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


def _revision_fact(document) -> list:
    if document.revision > 1 and document.replaces is not None:
        return [("revision", f"{document.revision} ← {document.replaces.number}")]
    return []


def _order_document(document, order, *, proforma: bool) -> bytes:
    shipments = shipments_carrying(order.id)
    qr_url, caption = _qr_for(order, shipments)
    pdf = TradePdf(document.kind, document.number, document.created_at.date())
    contract = contract_between(order.producer_id, order.buyer_id)
    extra = [("order", order.number)]
    if contract is not None:
        extra.append(("contract", f"{contract.number} / {contract.signed_on.isoformat()}"))
    extra += [("incoterm", f"Incoterms 2020 {order.incoterm} {order.named_place}"), ("currency", "CNY")]
    extra += _revision_fact(document)
    payment = _bank_payment(order) if proforma else None
    if payment is not None:
        extra.append(("payment_reference", payment.reference))
    elif order.buyer_reference:
        extra.append(("buyer_reference", order.buyer_reference))
    pdf.header_block(qr_url, caption, extra)
    pdf.parties(("seller", _seller_lines(order.producer)), ("buyer", _buyer_lines(order)))
    if contract is not None:
        pdf.pairs([("payment_terms", contract.payment_terms)])
        pdf.ln(1)
    if not proforma and shipments:
        pdf.section("shipment")
        pdf.pairs(_shipment_pairs(pdf, shipments[0]))
        pdf.ln(2)
    packs = _order_lines_table(pdf, order, customs=not proforma)
    _order_sums(pdf, order)
    if proforma:
        _landed_sums(pdf, order)
    if not proforma:
        pdf.section("marks")
        pdf.text_block(pdf.epw, _marks(order, packs), size=8)
        producer = order.producer
        pdf.section("seller_bank")
        pdf.pairs(
            [
                ("beneficiary", producer.legal_name_ru or producer.name_ru),
                ("bank", producer.bank_name),
                ("account", f"{producer.bank_account} · БИК/BIK {producer.bik}"),
                ("correspondent", producer.correspondent_account),
                ("bank", f"SWIFT {producer.swift}"),
            ]
        )
        _signature(pdf, producer)
        return pdf.render()
    bank = bank_details()
    pdf.section("bank_details")
    pdf.pairs(
        [
            ("payee", current_app.config["PLATFORM_LEGAL_NAME"]),
            ("payment_reference", payment.reference if payment is not None else order.number),
            ("beneficiary", bank["beneficiary"]),
            ("bank", bank["bank"]),
            ("account", bank["account"]),
            ("bank", f"SWIFT {bank['swift']}"),
        ]
    )
    return pdf.render()


def proforma(document, order) -> bytes:
    return _order_document(document, order, proforma=True)


def commercial_invoice(document, order) -> bytes:
    return _order_document(document, order, proforma=False)


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
        (
            "route",
            f"{_place(shipment.origin, shipment.origin_place)} → "
            f"{_place(shipment.destination, shipment.destination_place)}",
        ),
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
    """Per package kind: count, net, tare, gross (tare from the package the order line was
    sold in), marks, lots with their dates. ``shown``: the order ids whose packages the list
    covers (None: all)."""
    url = public_url(path_for("logistics.public_tracking", code=shipment.tracking_code))
    packages = [p for p in shipment.packages if shown is None or p.line.order_id in shown]
    orders = {p.line.order_id: p.line.order for p in packages}
    numbers = ", ".join(o.number for o in orders.values())
    extra = [("tracking", shipment.tracking_code), ("order", numbers)]
    contracts = [contract_between(o.producer_id, o.buyer_id) for o in orders.values()]
    if len(contracts) == 1 and contracts[0] is not None:
        extra.append(("contract", f"{contracts[0].number} / {contracts[0].signed_on.isoformat()}"))
    pdf.header_block(url, "tracking", extra)
    producers = {o.producer_id: o.producer for o in orders.values()}
    shipper = [line for p in producers.values() for line in _seller_lines(p)[:5]]
    buyers = {o.buyer_id: o for o in orders.values()}
    consignee = [line for o in buyers.values() for line in _buyer_lines(o)[:5]]
    pdf.parties(("shipper", shipper), ("consignee", consignee))
    pdf.section("shipment")
    pdf.pairs(_shipment_pairs(pdf, shipment))
    pdf.ln(2)
    head = _head(pdf, "no", "description", "package_kind", "count", "net", "tare", "gross", "marks", "lots")
    rows = []
    total_count, total_net, total_gross = 0, Decimal("0"), Decimal("0")
    for index, package in enumerate(packages, start=1):
        line = package.line
        pack = packing(line.product, package.quantity, package=line)
        count = pack["count"] or package.places
        gross = pack["gross_kg"] if pack["count"] else package.gross_weight_kg
        net = pack["net_kg"]
        total_count += count
        total_net += net
        total_gross += gross
        names = "\n".join(x for x in (line.name_zh, line.name_ru) if x)
        position = [ln.id for ln in line.order.lines].index(line.id) + 1
        pallets = f"\n{pack['pallets']} {pdf.L['pallets']['zh']}" if pack["pallets"] else ""
        rows.append(
            [
                str(index),
                f"{names}\n{qty(package.quantity)} {_unit(line.unit)} · {line.hs_code}",
                (_kind_label(pdf, pack["kind"]) or "—") + pallets,
                str(count),
                qty(net),
                qty(gross - net),
                qty(gross),
                f"{line.order.number}/{position}\n1–{count}",
                _lots_text(line),
            ]
        )
    rows.append(
        [
            "",
            pdf.bi("totals", english=False),
            "",
            str(total_count),
            qty(total_net),
            qty(total_gross - total_net),
            qty(total_gross),
            "",
            "",
        ]
    )
    pdf.table(
        head,
        rows,
        widths=(7, 36, 18, 11, 16, 13, 16, 27, 38),
        aligns=("C", "L", "L", "R", "R", "R", "R", "L", "L"),
        size=7,
    )


def label_sheet(document, product, order=None) -> bytes:
    """GB 7718 label data. With ``order``: the importer is the order's buyer's company and the
    dates are those of the lots allocated to it. Without (issued when the product is
    published, before anyone buys it): no importer — each order's sheet names it."""
    pdf = TradePdf(document.kind, document.number, document.created_at.date())
    L = pdf.L
    url = public_url(path_for("catalog.product_page", product_id=product.id))
    producer = product.producer
    extra = [("hs_code", product.hs_code), ("gacc", producer.gacc_registration or "—")]
    if order is not None:
        extra.insert(0, ("order", order.number))
    pdf.header_block(url, "scan", extra + _revision_fact(document))
    rows = _label_rows(pdf, product, order)
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
    _nutrition_table(pdf, product)
    return pdf.render()


def _nutrition_table(pdf: TradePdf, product) -> None:
    """GB 28050: energy, protein, fat, carbohydrate, sodium per 100 g/ml with % NRV."""
    pdf.section("nutrition")
    nutrition = product.nutrition
    if nutrition is None:
        pdf.font(9, (176, 0, 32))
        pdf.multi_cell(0, 5, pdf.bi("missing"))
        return
    basis = "100 g" if nutrition["basis"] == "100g" else "100 mL"
    head = [
        f"{pdf.L['field']['zh']}\n{pdf.L['field']['ru']}",
        f"{basis}",
        pdf.L["nrv"]["zh"] + "\n" + pdf.L["nrv"]["ru"],
    ]
    rows = []
    for key, label, unit in (
        ("energy_kj", "energy", "kJ"),
        ("protein_g", "protein", "g"),
        ("fat_g", "fat", "g"),
        ("carbohydrate_g", "carbohydrate", "g"),
        ("sodium_mg", "sodium", "mg"),
    ):
        value = nutrition[key]
        rows.append(
            [pdf.bi(label, english=False), f"{qty(value, 1)} {unit}", f"{nutrition[key + '_nrv_percent']}%"]
        )
    pdf.table(head, rows, widths=(90, 50, 42), aligns=("L", "R", "R"), size=9)


def _order_lots(order, product) -> list:
    """The lots allocated to the order's lines of ``product`` (released ones left out)."""
    lots = {}
    for line in order.lines:
        if line.product_id != product.id:
            continue
        for allocation in line.allocations:
            if allocation.lot is not None and allocation.state != "released":
                lots[allocation.lot.id] = allocation.lot
    return list(lots.values())


def _importer(order) -> str:
    """The importer of record: the order's buyer's company, in Chinese first."""
    company = company_of(order.buyer)
    if company is None:
        return ""
    contact = " · ".join(x for x in (company.contact_name, company.contact_phone, company.contact_email) if x)
    return "\n".join(x for x in (company.name_zh, company.name_en, company.address_zh, contact) if x)


def _label_rows(pdf: TradePdf, product, order=None) -> list[tuple[str, str, bool]]:
    L = pdf.L
    producer = product.producer
    content = net_content(product)
    net = f"{content} / {_kind_label(pdf, product.package_kind)}" if content else ""
    source = _order_lots(order, product) if order is not None else product.lots
    lots = sorted(source, key=lambda lot: lot.produced_on, reverse=True)
    production = "\n".join(
        f"{lot.lot_number}: {lot.produced_on.isoformat()} → {lot.best_before.isoformat()}" for lot in lots[:4]
    )
    shelf = (
        f"{product.shelf_life_days} {L['days']['zh']} / {L['days']['ru']}" if product.shelf_life_days else ""
    )
    storage = ""
    if product.storage_temp_min_c is not None or product.storage_temp_max_c is not None:
        low = "" if product.storage_temp_min_c is None else f"{product.storage_temp_min_c}"
        high = "" if product.storage_temp_max_c is None else f"{product.storage_temp_max_c}"
        storage = f"{low} … {high} °C"
    if order is not None:
        importer, importer_ok = _importer(order), bool(_importer(order))
    else:  # no buyer yet: the sheet of each order names its importer
        importer, importer_ok = f"{L['importer_per_order']['zh']} / {L['importer_per_order']['ru']}", True
    producer_text = "\n".join(
        x
        for x in (
            producer.name_zh,
            producer.legal_name_ru or producer.name_ru,
            producer.legal_address_ru or producer.address,
            f"GACC {producer.gacc_registration}" if producer.gacc_registration else "",
        )
        if x
    )
    origin = f"{L['russia']['zh']} / {L['russia']['ru']}" + (f" — {product.origin}" if product.origin else "")
    return [
        ("name_zh", product.name_zh, bool(product.name_zh)),
        (
            "ingredients",
            product.ingredients_zh or f"{L['not_recorded']['zh']} / {L['not_recorded']['ru']}",
            bool(product.ingredients_zh),
        ),
        ("allergens", product.allergens_zh or "无 / нет", True),
        ("net_content", net, bool(net)),
        (
            "producer",
            producer_text,
            bool(
                producer.name_zh
                and (producer.legal_address_ru or producer.address)
                and producer.gacc_registration
            ),
        ),
        ("production_date", production, bool(production)),
        ("shelf_life", shelf, bool(shelf)),
        ("storage", storage, bool(storage)),
        ("origin", origin, True),
        ("importer_contact", importer, importer_ok),
    ]
