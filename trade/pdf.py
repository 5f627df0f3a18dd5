"""Drawing the trade documents as PDF (fpdf2, A4) in Chinese and Russian, with English below.

Labels are ordinary messages of this module's catalogue rendered once per language, so the
translators own the wording. Text is set in the bundled WenQuanYi Zen Hei (static/fonts),
which has Chinese, Cyrillic and Latin glyphs; fpdf2 embeds only the glyphs used. The font is
parsed once per process and each document gets its own copy of it (see trade.fonts).
"""

import io
import logging
from datetime import date
from decimal import Decimal

import qrcode
from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from fpdf import FPDF, FontFace, XPos, YPos
from fpdf.enums import WrapMode

from config import BASE_DIR
from core.money import round_money
from trade import fonts

FONT_PATH = BASE_DIR / "static" / "fonts" / "wqy-zenhei.ttc"
FONT = "wqyzenhei"
LANGS = ("zh", "ru", "en")
INK = (33, 37, 41)
MUTED = (108, 117, 125)
ACCENT = (27, 94, 32)
BAND = (232, 242, 233)
RULE = (190, 200, 192)
WARN = (176, 0, 32)

logging.getLogger("fontTools.subset").setLevel(logging.ERROR)

#: Every label a document prints; each appears as "中文 / Русский" with English beneath or after.
LABELS = {
    "proforma": _l("Proforma invoice"),
    "commercial_invoice": _l("Commercial invoice"),
    "packing_list": _l("Packing list"),
    "label_sheet": _l("Chinese label data sheet (GB 7718)"),
    "number": _l("Number"),
    "date": _l("Date"),
    "order": _l("Order"),
    "seller": _l("Seller"),
    "buyer": _l("Buyer"),
    "shipper": _l("Shipper"),
    "consignee": _l("Consignee"),
    "incoterm": _l("Incoterm and named place"),
    "gacc": _l("GACC registration"),
    "address": _l("Address"),
    "contact": _l("Delivery contact"),
    "buyer_reference": _l("Buyer's reference"),
    "no": _l("No."),
    "hs_code": _l("HS code"),
    "description": _l("Description of goods"),
    "quantity": _l("Quantity"),
    "unit": _l("Unit"),
    "unit_price": _l("Unit price, CNY"),
    "amount": _l("Amount, CNY"),
    "subtotal": _l("Goods total"),
    "freight": _l("Freight"),
    "duty": _l("Import duty"),
    "vat": _l("Import VAT"),
    "total": _l("Total, CNY"),
    "rub_equivalent": _l("RUB equivalent (for information)"),
    "landed_cost": _l("Landed cost in Harbin (estimate, on the order's Incoterm, place and quota)"),
    "goods": _l("Goods"),
    "freight_to_border": _l("Freight to the border"),
    "insurance": _l("Insurance"),
    "deduction_china": _l("Deduction: transport inside China, estimated"),
    "customs_value": _l("Customs value"),
    "freight_in_china": _l("Freight in China"),
    "landed_total": _l("Delivered to the Harbin Daowai warehouse"),
    "quota_in": _l("In quota"),
    "quota_out": _l("Out of quota"),
    "rate_unknown": _l("rate unknown"),
    "tariff": _l("Tariff"),
    "rate_note": _l("CBR rate"),
    "no_rate": _l("No CBR rate on file"),
    "payment_reference": _l("Payment reference"),
    "bank_details": _l("Bank details for payment in CNY"),
    "beneficiary": _l("Beneficiary"),
    "bank": _l("Bank"),
    "account": _l("Account"),
    "settled": _l("Settled in CNY. Amounts are rounded to 0.01 half up."),
    "tracking": _l("Tracking"),
    "scan": _l("Scan to follow the order"),
    "shipment": _l("Shipment"),
    "mode": _l("Mode of transport"),
    "crossing": _l("Border crossing"),
    "vehicle": _l("Vehicle / container / seal"),
    "carrier": _l("Carrier"),
    "route": _l("Route"),
    "places": _l("Places"),
    "net": _l("Net, kg"),
    "gross": _l("Gross, kg"),
    "lots": _l("Lots: number, produced, best before"),
    "totals": _l("Totals"),
    "extract": _l("Extract: only the packages of the orders shown"),
    "page": _l("Page"),
    "field": _l("Label item"),
    "value": _l("Value"),
    "status": _l("Status"),
    "ok": _l("given"),
    "missing": _l("missing"),
    "incomplete": _l("INCOMPLETE: fill in the missing items before printing labels"),
    "complete": _l("All items required by GB 7718 are given"),
    "name_zh": _l("Food name (Chinese)"),
    "ingredients": _l("Ingredients"),
    "net_content": _l("Net content"),
    "producer": _l("Producer"),
    "production_date": _l("Production date"),
    "shelf_life": _l("Shelf life"),
    "storage": _l("Storage conditions"),
    "origin": _l("Country of origin"),
    "importer": _l("Importer (name and address)"),
    "days": _l("days"),
    "not_recorded": _l("not recorded in the catalogue"),
    "importer_per_order": _l("the buyer's company: named on each order's label sheet"),
    "russia": _l("Russia"),
    "from_lots": _l("printed per lot; lots on file"),
    "road": _l("Road"),
    "rail": _l("Rail"),
    "multimodal": _l("Multimodal"),
    "contract": _l("Contract"),
    "payment_terms": _l("Payment terms"),
    "currency": _l("Currency"),
    "tax_ids": _l("Tax and registration numbers"),
    "customs_code": _l("Customs registration code"),
    "codes": _l("HS code (CN) / TN VED (EAEU)"),
    "country_origin": _l("Origin"),
    "packages": _l("Packages"),
    "marks": _l("Marks and numbers"),
    "seller_bank": _l("Seller's bank details"),
    "correspondent": _l("Correspondent account"),
    "signature": _l("Signature"),
    "stamp": _l("Stamp"),
    "signatory": _l("For the seller"),
    "package_kind": _l("Kind of package"),
    "count": _l("Count"),
    "tare": _l("Tare, kg"),
    "pallets": _l("Pallets"),
    "allergens": _l("Allergens"),
    "nutrition": _l("Nutrition information (GB 28050)"),
    "per_100": _l("Per 100 g / 100 ml"),
    "nrv": _l("NRV %"),
    "energy": _l("Energy"),
    "protein": _l("Protein"),
    "fat": _l("Fat"),
    "carbohydrate": _l("Carbohydrate"),
    "sodium": _l("Sodium"),
    "importer_contact": _l("Importer (name, address, contact)"),
    "payee": _l("Payee (escrow agent)"),
    "issued": _l("Issued"),
    "revision": _l("Revision, replaces"),
}


def labels() -> dict[str, dict[str, str]]:
    result = {key: {} for key in LABELS}
    for lang in LANGS:
        with force_locale(lang):
            for key, message in LABELS.items():
                result[key][lang] = str(message)
    return result


def money(value) -> str:
    """12 345.50: a thin space between thousands, two places, half up."""
    return f"{round_money(Decimal(value)):,.2f}".replace(",", " ")


def qty(value, places: int = 3) -> str:
    text = f"{Decimal(value):,.{places}f}".replace(",", " ")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def qr_png(url: str) -> io.BytesIO:
    image = qrcode.make(url, box_size=6, border=1)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    return buffer


class TradePdf(FPDF):
    """A4 with our header band, bilingual labels and a numbered footer."""

    def __init__(self, kind: str, number: str, issued: date):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.kind, self.number, self.issued = kind, number, issued
        self.L = labels()
        fonts.for_document(self, FONT, FONT_PATH, collection_font_number=0)
        self.set_margins(14, 14, 14)
        self.set_auto_page_break(True, margin=18)
        self.set_title(f"{self.L[kind]['en']} {number}")
        self.set_author("AgroBridge")
        self.set_creator("AgroBridge")
        self.alias_nb_pages()
        self.add_page()

    # -- text helpers -------------------------------------------------------------------------

    def font(self, size=9, color=INK):
        self.set_font(FONT, size=size)
        self.set_text_color(*color)

    def bi(self, key: str, english: bool = True) -> str:
        item = self.L[key]
        text = f"{item['zh']} / {item['ru']}"
        return f"{text} / {item['en']}" if english else text

    def label(self, key: str, w: float, h: float = 4.2):
        """A small grey bilingual caption, wrapped within ``w``."""
        self.font(7, MUTED)
        self.multi_cell(w, h, self.bi(key), new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=WrapMode.CHAR)

    def text_block(self, w: float, text: str, size=9, h=4.6, color=INK, x=None):
        if x is not None:
            self.set_x(x)
        self.font(size, color)
        self.multi_cell(w, h, text or "—", new_x=XPos.LEFT, new_y=YPos.NEXT, wrapmode=WrapMode.CHAR)

    def footer(self):
        self.set_y(-14)
        self.set_draw_color(*RULE)
        self.line(self.l_margin, self.get_y() - 1, self.w - self.r_margin, self.get_y() - 1)
        self.font(7, MUTED)
        top, settled = self.get_y(), self.L["settled"]
        first = f"AgroBridge · {self.number} · {settled['zh']}"
        self.cell(self.epw - 26, 3.4, first, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.cell(self.epw - 26, 3.4, settled["ru"])
        self.set_xy(self.w - self.r_margin - 26, top)
        self.cell(
            26, 3.4, f"{self.L['page']['zh']} / {self.L['page']['ru']} {self.page_no()}/{{nb}}", align="R"
        )

    # -- blocks -------------------------------------------------------------------------------

    def header_block(
        self, qr_url: str | None = None, qr_caption_key: str = "scan", extra: list | None = None
    ):
        """Brand, the title in three languages, number and date; a QR code on the right."""
        top = self.get_y()
        width = self.epw - (34 if qr_url else 0)
        self.font(8, ACCENT)
        self.cell(
            width,
            5,
            "AgroBridge · 南乌拉尔 — 哈尔滨 · Южный Урал — Харбин",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        title = self.L[self.kind]
        self.font(19, INK)
        self.multi_cell(width, 9, title["zh"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.font(13, INK)
        self.multi_cell(width, 6.5, title["ru"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.font(9, MUTED)
        self.multi_cell(width, 5, title["en"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1.5)
        facts = [("number", self.number), ("date", self.issued.isoformat())] + (extra or [])
        self._facts(facts, width)
        bottom = self.get_y()
        if qr_url:
            x = self.w - self.r_margin - 30
            self.image(qr_png(qr_url), x=x, y=top, w=30, h=30)
            self.set_xy(x - 2, top + 30.5)
            self.font(6, MUTED)
            self.multi_cell(
                34,
                3,
                f"{self.bi(qr_caption_key, english=False)}\n{qr_url}",
                align="C",
                wrapmode=WrapMode.CHAR,
            )
            bottom = max(bottom, self.get_y())
        self.set_y(bottom + 2)
        self.set_draw_color(*ACCENT)
        self.set_line_width(0.6)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.set_line_width(0.2)
        self.ln(3)

    def _facts(self, facts, width):
        """Key facts in a band: caption above, value below, up to three per row."""
        rows, current = [], []
        for fact in facts:
            if len(str(fact[1])) > 24:
                rows.append([fact])
            else:
                current.append(fact)
                if len(current) == 3:
                    rows.append(current)
                    current = []
        if current:
            rows.append(current)
        for row in sorted(rows, key=len, reverse=True):
            col = width / max(len(row), 3) if len(row) > 1 else width
            y = self.get_y()
            self.set_fill_color(*BAND)
            self.rect(self.l_margin, y, width, 11, style="F")
            for index, (key, value) in enumerate(row):
                x = self.l_margin + index * col + 2
                self.set_xy(x, y + 0.8)
                self.font(6.5, MUTED)
                self.cell(col - 3, 3.6, self.bi(key, english=False))
                self.set_xy(x, y + 4.8)
                self.font(10, INK)
                self.cell(col - 3, 5, str(value))
            self.set_y(y + 12)

    def parties(self, left: tuple[str, list[str]], right: tuple[str, list[str]]):
        """Two boxes side by side: (label key, lines)."""
        gap = 5
        w = (self.epw - gap) / 2
        top = self.get_y()
        bottoms = []
        for index, (key, lines) in enumerate((left, right)):
            x = self.l_margin + index * (w + gap)
            self.set_xy(x, top)
            self.font(7.5, ACCENT)
            self.multi_cell(w, 4.2, self.bi(key), new_x=XPos.LEFT, new_y=YPos.NEXT, wrapmode=WrapMode.CHAR)
            for n, line in enumerate(lines):
                self.set_x(x)
                self.font(10.5 if n == 0 else 8.5, INK if n < 2 else MUTED)
                self.multi_cell(
                    w,
                    5 if n == 0 else 4.3,
                    line or "—",
                    new_x=XPos.LEFT,
                    new_y=YPos.NEXT,
                    wrapmode=WrapMode.CHAR,
                )
            bottoms.append(self.get_y())
        bottom = max(bottoms)
        self.set_draw_color(*RULE)
        for index in range(2):
            x = self.l_margin + index * (w + gap)
            self.line(x - 2, top, x - 2, bottom)
        self.set_y(bottom + 4)

    def table(self, head: list[str], rows: list[list[str]], widths, aligns, size=8):
        self.font(size)
        self.set_draw_color(*RULE)
        heading = FontFace(emphasis="NONE", color=(255, 255, 255), fill_color=ACCENT, size_pt=6.8)
        with super().table(
            col_widths=widths,
            text_align=aligns,
            headings_style=heading,
            borders_layout="HORIZONTAL_LINES",
            line_height=4.4,
            padding=(1.2, 1.4),
            wrapmode=WrapMode.CHAR,
            width=self.epw,
        ) as table:
            header = table.row()
            for cell in head:
                header.cell(cell)
            for values in rows:
                row = table.row()
                for value in values:
                    row.cell(value)
        self.ln(2)

    def sums(self, items: list[tuple[str, str, bool]]):
        """Right-aligned sums: (caption, value, strong)."""
        w_label, w_value = 110, 38
        x = self.w - self.r_margin - w_label - w_value
        for caption, value, strong in items:
            self.set_x(x)
            if strong:
                self.set_fill_color(*BAND)
            self.font(8 if not strong else 9, INK if strong else MUTED)
            self.cell(w_label, 6.4 if strong else 5.2, caption, align="R", fill=strong)
            self.font(9.5 if not strong else 12, INK)
            self.cell(
                w_value,
                6.4 if strong else 5.2,
                value,
                align="R",
                fill=strong,
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )
        self.ln(2)

    def section(self, key: str):
        self.ln(1)
        self.font(8.5, ACCENT)
        self.multi_cell(0, 5, self.bi(key), new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=WrapMode.CHAR)
        self.set_draw_color(*RULE)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(1.5)

    def pairs(self, items: list[tuple[str, str]], label_w=62):
        for key, value in items:
            y = self.get_y()
            self.set_x(self.l_margin)
            self.font(7.5, MUTED)
            self.multi_cell(
                label_w - 2,
                4.4,
                self.bi(key, english=False),
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
                wrapmode=WrapMode.CHAR,
            )
            label_bottom = self.get_y()
            self.set_xy(self.l_margin + label_w, y)
            self.font(9, INK)
            self.multi_cell(
                self.epw - label_w,
                4.6,
                value or "—",
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
                wrapmode=WrapMode.CHAR,
            )
            self.set_y(max(self.get_y(), label_bottom, y + 5))

    def render(self) -> bytes:
        return bytes(self.output())


def public_url(path: str) -> str:
    return current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/") + path


def path_for(endpoint: str, **values) -> str:
    return current_app.url_map.bind("localhost").build(endpoint, values)
