"""catalog: packaging as kind + size (amount and unit), the free note with its language

Free-text packaging ("25 kg bags", "big bags, 1 t", "мешки по 50 кг") is read where it can be:
its kind fills ``package_kind`` when the product has none (and its units per package follow
from the size or from a counted unit of sale), its size fills ``package_size``; a note fully
said by kind and size is cleared, anything else stays as the note with its language.

Revision ID: 0022_words_packaging
Revises: 0019_talk_messaging
Create Date: 2026-12-02 14:30:00

"""

import re
from decimal import Decimal

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0022_words_packaging"
down_revision = "0019_talk_messaging"
branch_labels = None
depends_on = None

OLD_KINDS = ("bag", "big_bag", "carton", "crate", "drum", "bottle", "jar")
KINDS = OLD_KINDS + ("canister", "vacuum_pack", "bulk")
SIZE_UNITS = ("kg", "tonne", "litre")

#: kind → words naming it (en, ru, zh); the first kind found wins, so longer names come first.
KIND_WORDS = (
    ("big_bag", r"big[\s-]?bags?|биг[\s-]?бэг\w*|мкр|吨袋|吨包"),
    (
        "vacuum_pack",
        r"vacuum[\s-]?(?:packs?|packed|packaging)|вакуумн\w*(?:\s+упаковк\w*)?|вакуум\w*|真空包装|真空",
    ),
    ("canister", r"canisters?|jerry[\s-]?cans?|канистр\w*|塑料桶"),
    ("bottle", r"(?:pet\s+)?bottles?|бутыл\w*|瓶装|瓶"),
    ("jar", r"jars?|банк[аиеу]?\b|банок|罐装|罐"),
    ("carton", r"cartons?|boxe[sd]|box|boxed|коробк\w*|короба?|коробах|纸箱|箱装|箱"),
    ("crate", r"crates?|ящик\w*"),
    ("drum", r"drums?|barrels?|бочк\w*|бочек|桶"),
    ("bag", r"bags?|sacks?|мешк\w*|мешок|袋装|袋"),
    ("bulk", r"in\s+bulk|bulk|навалом|насыпью|наливом|散装"),
)
#: A letter of a word in Latin or Cyrillic (Chinese words need no boundary).
LETTER = "[A-Za-zА-Яа-яёЁ]"
#: A size: amount and a unit (g and ml are read as kg and litres).
SIZE = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*"
    r"(kg|кг|公斤|千克|tonnes?|tons?|t|тонн\w*|т|吨|litres?|liters?|l|литр\w*|л|升|g|г|克|ml|мл|毫升)"
    r"(?![A-Za-zА-Яа-яёЁ])",
    re.IGNORECASE,
)
UNIT_OF = {
    "kg": ("kg", 1),
    "кг": ("kg", 1),
    "公斤": ("kg", 1),
    "千克": ("kg", 1),
    "g": ("kg", Decimal("0.001")),
    "г": ("kg", Decimal("0.001")),
    "克": ("kg", Decimal("0.001")),
    "t": ("tonne", 1),
    "т": ("tonne", 1),
    "吨": ("tonne", 1),
    "l": ("litre", 1),
    "л": ("litre", 1),
    "升": ("litre", 1),
    "ml": ("litre", Decimal("0.001")),
    "мл": ("litre", Decimal("0.001")),
    "毫升": ("litre", Decimal("0.001")),
}
#: Words that only join kind and size ("bags of 25 kg", "мешки по 25 кг", "25公斤/袋").
FILLER = re.compile(r"\b(?:of|each|in|по|в|a|an)\b|[\s,;:/()×x·.\-–—]+|每", re.IGNORECASE)
_KG = {"kg": Decimal(1), "tonne": Decimal(1000)}
COUNTED_UNITS = ("piece", "bag", "box", "pallet")


def _plain(value: Decimal) -> Decimal:
    """``5E+1`` → ``50``: a quantity without exponent, at most 3 decimals."""
    return Decimal(format(value.quantize(Decimal("0.001")).normalize(), "f"))


def _unit(word: str) -> tuple[str, Decimal]:
    word = word.lower()
    if word in UNIT_OF:
        unit, factor = UNIT_OF[word]
        return unit, Decimal(factor)
    if word.startswith(("tonn", "ton", "тонн")):
        return "tonne", Decimal(1)
    if word.startswith(("litr", "liter", "литр")):
        return "litre", Decimal(1)
    return "kg", Decimal(1)


def parse(text: str) -> tuple[str | None, tuple[Decimal, str] | None, str]:
    """(kind or None, (amount, unit) or None, what is left of ``text``) of a packaging note;
    a kind or size named twice, differently, is not taken."""
    left = text or ""
    kinds = []
    for kind, words in KIND_WORDS:
        pattern = re.compile(rf"(?<!{LETTER})(?:{words})(?!{LETTER})", re.IGNORECASE)
        if pattern.search(left):
            kinds.append(kind)
            left = pattern.sub(" ", left)
    sizes = []
    for match in SIZE.finditer(left):
        unit, factor = _unit(match.group(2))
        sizes.append((_plain(Decimal(match.group(1).replace(",", ".")) * factor), unit))
    left = SIZE.sub(" ", left)
    kind = kinds[0] if len(set(kinds)) == 1 else None
    size = sizes[0] if len(set(sizes)) == 1 else None
    if len(set(kinds)) > 1 or len(set(sizes)) > 1:
        left = text  # several packages named: the note says more than kind and size can
    return kind, size, FILLER.sub("", left)


def language(text: str) -> str | None:
    found = [
        lang
        for lang, pattern in (("zh", r"[\u3400-\u9fff]"), ("ru", r"[\u0400-\u04ff]"), ("en", r"[A-Za-z]{2,}"))
        if re.search(pattern, text or "")
    ]
    return "mul" if len(found) > 1 else (found[0] if found else None)


def _units_in(amount: Decimal, size_unit: str, unit: str) -> Decimal | None:
    if size_unit == unit:
        return amount
    if size_unit in _KG and unit in _KG:
        return _plain(amount * _KG[size_unit] / _KG[unit])
    if unit in COUNTED_UNITS:
        return Decimal(1)  # sold by the package
    return None


def _in(column: str, values) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade():
    with op.batch_alter_table("catalog_products", schema=None) as batch_op:
        batch_op.add_column(sa.Column("packaging_lang", sa.String(length=3), nullable=True))
        batch_op.add_column(sa.Column("package_size", sa.Numeric(precision=12, scale=3), nullable=True))
        batch_op.add_column(sa.Column("package_size_unit", sa.String(length=16), nullable=True))
        batch_op.drop_constraint(op.f("ck_catalog_products_package_known"), type_="check")
        batch_op.drop_constraint(op.f("ck_catalog_products_package_complete"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_catalog_products_package_known"), "package_kind IS NULL OR " + _in("package_kind", KINDS)
        )
        batch_op.create_check_constraint(
            op.f("ck_catalog_products_package_complete"),
            "(package_kind IS NOT NULL OR units_per_package IS NULL) AND "
            "(package_kind IS NULL OR package_kind IN ('bulk') OR units_per_package IS NOT NULL) AND "
            "(units_per_package IS NULL OR units_per_package > 0)",
        )
        batch_op.create_check_constraint(
            op.f("ck_catalog_products_package_size_whole"),
            "(package_size IS NULL) = (package_size_unit IS NULL) AND "
            "(package_size IS NULL OR (package_size > 0 AND package_kind IS NOT NULL AND "
            + _in("package_size_unit", SIZE_UNITS)
            + "))",
        )
    products = sa.table(
        "catalog_products",
        sa.column("id", sa.Integer),
        sa.column("unit", sa.String),
        sa.column("packaging", sa.String),
        sa.column("packaging_lang", sa.String),
        sa.column("package_kind", sa.String),
        sa.column("units_per_package", sa.Numeric(12, 3)),
        sa.column("package_tare_kg", sa.Numeric(12, 3)),
        sa.column("packages_per_pallet", sa.Integer),
        sa.column("package_size", sa.Numeric(12, 3)),
        sa.column("package_size_unit", sa.String),
    )
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(
            products.c.id,
            products.c.unit,
            products.c.packaging,
            products.c.package_kind,
            products.c.units_per_package,
        )
    ).all()
    for row in rows:
        values = convert(row.unit, row.packaging or "", row.package_kind, row.units_per_package)
        if values:
            conn.execute(products.update().where(products.c.id == row.id).values(**values))


def convert(unit: str, note: str, kind: str | None, units: Decimal | None) -> dict:
    """Column values for one product's free-text ``note`` (see the module's docstring)."""
    if not note.strip():
        return {}
    found, size, left = parse(note)
    values = {}
    if size is not None and not (Decimal(0) < size[0] <= Decimal(100000)):
        size = None
    if kind is None and found is not None:
        if found == "bulk":
            kind = values["package_kind"] = "bulk"
        else:
            derived = (
                _units_in(size[0], size[1], unit) if size else (Decimal(1) if unit in COUNTED_UNITS else None)
            )
            if derived is not None and derived > 0:
                kind = values["package_kind"] = found
                values["units_per_package"] = derived
    said = found is not None and found == kind
    if size is not None and kind not in (None, "bulk") and (found is None or found == kind):
        values["package_size"], values["package_size_unit"] = size
    elif size is not None:
        said = False
    if said and not left:
        values["packaging"], values["packaging_lang"] = "", None
    else:
        values["packaging_lang"] = language(note)
    return values


def downgrade():
    products = sa.table(
        "catalog_products",
        sa.column("packaging", sa.String),
        sa.column("package_kind", sa.String),
        sa.column("units_per_package", sa.Numeric(12, 3)),
        sa.column("package_tare_kg", sa.Numeric(12, 3)),
        sa.column("packages_per_pallet", sa.Integer),
        sa.column("package_size", sa.Numeric(12, 3)),
        sa.column("package_size_unit", sa.String),
    )
    conn = op.get_bind()
    # Keep what kind and size said as the note (in English, as the older notes were written).
    conn.execute(
        products.update()
        .where(products.c.packaging == "", products.c.package_kind.isnot(None))
        .values(
            packaging=sa.func.coalesce(
                sa.cast(products.c.package_size, sa.String) + " " + products.c.package_size_unit + " ", ""
            )
            + sa.func.replace(products.c.package_kind, "_", " ")
        )
    )
    conn.execute(
        products.update()
        .where(products.c.package_kind.in_(("canister", "vacuum_pack", "bulk")))
        .values(package_kind=None, units_per_package=None, package_tare_kg=None, packages_per_pallet=None)
    )
    with op.batch_alter_table("catalog_products", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_catalog_products_package_size_whole"), type_="check")
        batch_op.drop_constraint(op.f("ck_catalog_products_package_complete"), type_="check")
        batch_op.drop_constraint(op.f("ck_catalog_products_package_known"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_catalog_products_package_known"),
            "package_kind IS NULL OR " + _in("package_kind", OLD_KINDS),
        )
        batch_op.create_check_constraint(
            op.f("ck_catalog_products_package_complete"),
            "(package_kind IS NULL) = (units_per_package IS NULL) AND "
            "(units_per_package IS NULL OR units_per_package > 0)",
        )
        batch_op.drop_column("package_size_unit")
        batch_op.drop_column("package_size")
        batch_op.drop_column("packaging_lang")
