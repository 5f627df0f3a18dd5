"""Reference data as data: districts, categories, units, certificate kinds, statuses.

Districts and categories are rows (the migration seeds them); this module holds the seed
values and the rules that are code-sized (units, certificate kinds).
"""

import re

from flask_babel import lazy_gettext as _l

#: GACC overseas food establishment registration: C + country + category/date/serial (DOMAIN.md).
GACC_RE = re.compile(r"^C[A-Z]{3}[0-9]{14}$")
HS_CODE_RE = re.compile(r"^[0-9]{6,10}$")

#: code → (ru, zh, en): municipal districts of Chelyabinsk oblast.
DISTRICTS = {
    "agapovsky": ("Агаповский", "阿加波沃区", "Agapovsky"),
    "argayashsky": ("Аргаяшский", "阿尔加亚什区", "Argayashsky"),
    "ashinsky": ("Ашинский", "阿沙区", "Ashinsky"),
    "bredinsky": ("Брединский", "布列达区", "Bredinsky"),
    "varnensky": ("Варненский", "瓦尔纳区", "Varnensky"),
    "verkhneuralsky": ("Верхнеуральский", "上乌拉尔斯克区", "Verkhneuralsky"),
    "yemanzhelinsky": ("Еманжелинский", "叶曼热林斯克区", "Yemanzhelinsky"),
    "yetkulsky": ("Еткульский", "叶特库尔区", "Yetkulsky"),
    "kartalinsky": ("Карталинский", "卡尔塔雷区", "Kartalinsky"),
    "kaslinsky": ("Каслинский", "卡斯利区", "Kaslinsky"),
    "katav_ivanovsky": ("Катав-Ивановский", "卡塔夫-伊万诺夫斯克区", "Katav-Ivanovsky"),
    "kizilsky": ("Кизильский", "基济尔区", "Kizilsky"),
    "korkinsky": ("Коркинский", "科尔基诺区", "Korkinsky"),
    "krasnoarmeysky": ("Красноармейский", "红军区", "Krasnoarmeysky"),
    "kunashaksky": ("Кунашакский", "库纳沙克区", "Kunashaksky"),
    "kusinsky": ("Кусинский", "库萨区", "Kusinsky"),
    "nagaybaksky": ("Нагайбакский", "纳加伊巴克区", "Nagaybaksky"),
    "nyazepetrovsky": ("Нязепетровский", "尼亚泽彼得罗夫斯克区", "Nyazepetrovsky"),
    "oktyabrsky": ("Октябрьский", "十月区", "Oktyabrsky"),
    "plastovsky": ("Пластовский", "普拉斯特区", "Plastovsky"),
    "satkinsky": ("Саткинский", "萨特卡区", "Satkinsky"),
    "sosnovsky": ("Сосновский", "索斯诺夫斯基区", "Sosnovsky"),
    "troitsky": ("Троицкий", "特罗伊茨克区", "Troitsky"),
    "uvelsky": ("Увельский", "乌韦利斯基区", "Uvelsky"),
    "uysky": ("Уйский", "乌伊斯科耶区", "Uysky"),
    "chebarkulsky": ("Чебаркульский", "切巴尔库利区", "Chebarkulsky"),
    "chesmensky": ("Чесменский", "切斯马区", "Chesmensky"),
}

#: code → (ru, zh, en, animal_origin, plausible HS prefixes): the category tree's top level.
CATEGORIES = {
    "grains": (
        "Зерно и крупы",
        "谷物和米类",
        "Grains & groats",
        False,
        "1001,1002,1003,1004,1005,1006,1007,1008,1104,1904",
    ),
    "oilseeds_oils": (
        "Масличные и растительные масла",
        "油籽和植物油",
        "Oilseeds & vegetable oils",
        False,
        "1201,1202,1204,1205,1206,1207,1507,1508,1512,1514,1515,1517,2306",
    ),
    "flour_pasta": ("Мука и макароны", "面粉和面食", "Flour & pasta", False, "1101,1102,1103,1104,1902,1901"),
    "honey": ("Мёд и продукты пчеловодства", "蜂蜜和蜂产品", "Honey & bee products", True, "0409,0410,1521"),
    "dairy": (
        "Молочная продукция и мороженое",
        "乳制品和冰淇淋",
        "Dairy & ice cream",
        True,
        "0401,0402,0403,0404,0405,0406,2105",
    ),
    "meat_poultry": (
        "Мясо и птица",
        "肉类和禽肉",
        "Meat & poultry",
        True,
        "0201,0202,0203,0204,0206,0207,0210,1601,1602",
    ),
    "confectionery": ("Кондитерские изделия", "糖果糕点", "Confectionery", False, "1704,1806,1905"),
    "vegetables": (
        "Овощи",
        "蔬菜",
        "Vegetables",
        False,
        "0701,0702,0703,0704,0705,0706,0709,0710,0712,0713,2004,2005",
    ),
    "berries_mushrooms": (
        "Ягоды и грибы",
        "浆果和蘑菇",
        "Berries & mushrooms",
        False,
        "0709,0710,0711,0712,0810,0811,0813,2008",
    ),
    "beverages": ("Напитки", "饮料", "Beverages", False, "2009,2201,2202,0902,1211,2106"),
    "other": ("Другое", "其他", "Other", False, ""),
}

#: unit → decimals a quantity may carry (the orders module rounds and validates with this).
UNITS = {
    "kg": 3,
    "tonne": 3,
    "litre": 3,
    "piece": 0,
    "bag": 0,
    "box": 0,
    "pallet": 0,
}
UNIT_LABELS = {
    "kg": _l("kg"),
    "tonne": _l("tonne"),
    "litre": _l("litre"),
    "piece": _l("piece"),
    "bag": _l("bag"),
    "box": _l("box"),
    "pallet": _l("pallet"),
}


def quantity_text(value, unit: str) -> str:
    """``20 мешков``, ``20 袋``, ``500 kg``: a number formatted for the locale with its unit in
    the plural form the number takes (Babel's plural rules through ngettext)."""
    from decimal import Decimal

    from flask_babel import format_decimal, ngettext

    number = Decimal(str(value)).normalize()
    text = format_decimal(number, format="#,##0.###")
    # Fractions read like "few" in Russian (2,5 мешка); gettext's plural rule takes an integer.
    n = int(number) if number == number.to_integral_value() else 2
    forms = {
        "kg": lambda: ngettext("%(qty)s kg", "%(qty)s kg", n, qty=text),
        "tonne": lambda: ngettext("%(qty)s tonne", "%(qty)s tonnes", n, qty=text),
        "litre": lambda: ngettext("%(qty)s litre", "%(qty)s litres", n, qty=text),
        "piece": lambda: ngettext("%(qty)s piece", "%(qty)s pieces", n, qty=text),
        "bag": lambda: ngettext("%(qty)s bag", "%(qty)s bags", n, qty=text),
        "box": lambda: ngettext("%(qty)s box", "%(qty)s boxes", n, qty=text),
        "pallet": lambda: ngettext("%(qty)s pallet", "%(qty)s pallets", n, qty=text),
    }
    return forms[unit]() if unit in forms else f"{text} {unit}"


CERTIFICATE_KINDS = {
    "organic_ru": _l("Organic (RU), GOST 33980"),
    "organic_cn": _l("Organic (CN), GB/T 19630"),
    "organic_eu": _l("EU organic"),
    "halal": _l("Halal"),
    "iso_22000": _l("ISO 22000"),
    "haccp": _l("HACCP"),
    "other": _l("Other"),
}
#: Which certificate kind backs which organic claim.
ORGANIC_KINDS = {"cn": "organic_cn", "ru": "organic_ru"}

PRODUCT_STATUSES = ("draft", "active", "archived")
PRODUCT_STATUS_LABELS = {"draft": _l("Draft"), "active": _l("Active"), "archived": _l("Archived")}
PRODUCER_STATUSES = ("pending", "verified", "rejected")
PRODUCER_STATUS_LABELS = {
    "pending": _l("Awaiting review"),
    "verified": _l("Verified"),
    "rejected": _l("Rejected"),
}

#: Days before expiry when a farmer is warned about a certificate or the GACC registration.
EXPIRY_WARNING_DAYS = 60


def quantity_decimals(unit: str) -> int:
    return UNITS.get(unit, 3)


#: Product list orders the API accepts.
SORTS_DOC = ["relevance", "price", "-price", "newest"]

#: How goods are packed for the packing list and the label: kind → label (plural, as counted).
PACKAGE_KINDS = {
    "bag": _l("bags"),
    "big_bag": _l("big bags"),
    "carton": _l("cartons"),
    "crate": _l("crates"),
    "drum": _l("drums"),
    "bottle": _l("bottles"),
    "jar": _l("jars"),
    "canister": _l("canisters"),
    "vacuum_pack": _l("vacuum packs"),
    #: Loose in the vehicle: no package, no size, no units per package.
    "bulk": _l("in bulk"),
}
#: Kinds that hold no counted package (the packing list shows no package count for them).
UNPACKED_KINDS = ("bulk",)
#: Units a package's size is given in: the measures of the unit vocabulary (UNITS).
PACKAGE_SIZE_UNITS = ("kg", "tonne", "litre")
#: Largest package size, in its unit (a 100 t hopper is not a package).
PACKAGE_SIZE_MAX = 100000


def packaging_text(kind: str | None, size=None, size_unit: str | None = None) -> str:
    """A package in the reader's language: ``bags of 25 kg``, ``мешки, 25 кг``, ``25 千克/袋``;
    the kind alone without a size; "" without a kind."""
    from flask_babel import gettext

    if not kind:
        return ""
    label = PACKAGE_KINDS.get(kind, kind)
    if size is None or not size_unit or kind in UNPACKED_KINDS:
        return str(label)
    return gettext("%(kind)s of %(size)s", kind=label, size=quantity_text(size, size_unit))


def temperature_text(low: int | None, high: int | None) -> str:
    """A storage range in the reader's numbers: ``2 … 6 °C``, ``−18 °C`` or below, or above."""
    from flask_babel import format_decimal, gettext

    if low is None and high is None:
        return ""
    if low is not None and high is not None:
        if low == high:
            return gettext("%(temp)s °C", temp=format_decimal(low))
        return gettext("%(low)s … %(high)s °C", low=format_decimal(low), high=format_decimal(high))
    if low is None:
        return gettext("at most %(temp)s °C", temp=format_decimal(high))
    return gettext("at least %(temp)s °C", temp=format_decimal(low))


#: GB 28050 nutrient reference values (NRV) per day: energy kJ, protein, fat, carbohydrate g,
#: sodium mg.
NRV = {"energy_kj": 8400, "protein_g": 60, "fat_g": 60, "carbohydrate_g": 300, "sodium_mg": 2000}
NUTRITION_BASES = ("100g", "100ml")
