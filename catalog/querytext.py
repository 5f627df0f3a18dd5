"""What a search query says besides words: a quantity with its unit, and words typed in the
other alphabet (``grechka`` for гречка, ``пломбир`` for plombir). No database here."""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import cyrtranslit

#: Unit words as buyers type them → the catalog's unit codes (``catalog.data.UNITS``).
UNIT_WORDS = {
    "tonne": (
        "吨",
        "公吨",
        "t",
        "mt",
        "ton",
        "tons",
        "tonne",
        "tonnes",
        "т",
        "тн",
        "тонна",
        "тонны",
        "тонн",
        "тонну",
    ),
    "kg": ("公斤", "千克", "kg", "kgs", "kilo", "kilos", "кг", "килограмм", "килограммов", "кило"),
    "litre": ("升", "公升", "l", "ltr", "litre", "litres", "liter", "liters", "л", "литр", "литра", "литров"),
    "bag": ("袋", "bag", "bags", "мешок", "мешка", "мешков", "мешки"),
    "box": (
        "箱",
        "盒",
        "box",
        "boxes",
        "carton",
        "cartons",
        "коробка",
        "коробки",
        "коробок",
        "ящик",
        "ящика",
        "ящиков",
    ),
    "piece": ("件", "个", "pc", "pcs", "piece", "pieces", "шт", "штук", "штуки"),
    "pallet": ("托盘", "pallet", "pallets", "паллета", "паллеты", "паллет", "поддон", "поддона", "поддонов"),
}
_UNIT_BY_WORD = {word: unit for unit, words in UNIT_WORDS.items() for word in words}
# A number, then a unit word (longest first, so "тонн" wins over "т"); a Latin or Cyrillic unit
# must end its word ("20 tea" is no tonnage); Chinese runs on ("荞麦20吨").
_QUANTITY_RE = re.compile(
    r"(?<![0-9a-zа-яё.,])(\d+(?:[.,]\d+)?)\s*("
    + "|".join(re.escape(w) for w in sorted(_UNIT_BY_WORD, key=len, reverse=True))
    + r")(?![a-zа-яё])",
    re.IGNORECASE,
)
MAX_QUANTITY = Decimal("1000000000")


@dataclass(frozen=True)
class Quantity:
    amount: Decimal
    unit: str
    #: As typed ("20吨"), to put back into a suggested query.
    text: str


def split_quantity(q: str) -> tuple[str, Quantity | None]:
    """(the query less its first "number + unit", that quantity): ``有机荞麦 20吨`` →
    (``有机荞麦``, 20 tonne). A number without a unit stays a word (an HS code, "82.5")."""
    for match in _QUANTITY_RE.finditer(q or ""):
        try:
            amount = Decimal(match.group(1).replace(",", "."))
        except InvalidOperation:  # pragma: no cover - the pattern only lets digits through
            continue
        if not 0 < amount <= MAX_QUANTITY:
            continue
        unit = _UNIT_BY_WORD[match.group(2).lower()]
        rest = (q[: match.start()] + " " + q[match.end() :]).strip()
        amount = amount.normalize() if amount % 1 else amount.quantize(1)
        return re.sub(r"\s+", " ", rest), Quantity(amount, unit, match.group(0))
    return q, None


# Spellings cyrtranslit's Russian table leaves out but people type: kh, ts, shch, and y as ы
# after a consonant ("syr", "kurinye") or й after a vowel ("chay"); cyrtranslit reads y as и.
_LATIN_DIGRAPHS = (("shch", "щ"), ("kh", "х"), ("ts", "ц"), ("iy", "ий"), ("yy", "ый"))
_CONSONANT = "[b-df-hj-np-tv-xzжхцщ]"
_LATIN_Y = (
    (re.compile(rf"({_CONSONANT})ye"), r"\1ые"),
    (re.compile(rf"({_CONSONANT})y(?![aeiouy])"), r"\1ы"),
    (re.compile(r"([aeiou])y(?![aeiou])"), r"\1й"),
)


def to_cyrillic(word: str) -> str | None:
    """A Latin-typed Russian word in Cyrillic (``grechka`` → ``гречка``), or None."""
    if not word.isascii() or not word.isalpha():
        return None
    for latin, cyrillic in _LATIN_DIGRAPHS:
        word = word.replace(latin, cyrillic)
    for pattern, replacement in _LATIN_Y:
        word = pattern.sub(replacement, word)
    converted = cyrtranslit.to_cyrillic(word, "ru")
    return converted if all("а" <= c <= "я" or c == "ё" for c in converted) else None


def to_latin(word: str) -> str | None:
    """A Russian-typed Latin word in Latin letters (``пломбир`` → ``plombir``), or None."""
    if not word or not all("а" <= c <= "я" or c == "ё" for c in word):
        return None
    converted = cyrtranslit.to_latin(word, "ru").replace("'", "")
    return converted if converted.isascii() and converted.isalpha() else None
