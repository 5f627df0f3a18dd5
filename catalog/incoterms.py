"""Incoterms 2020 and the named places of our route: which place fits which term, and how far
along Chelyabinsk → border → Harbin Daowai the seller's price already carries the goods.

Pure rules, no database: the catalog (a product's price basis), orders, quotes and the
landed cost all ask the same questions here.

How far a price reaches decides what China's customs value adds (China's rules on the
dutiable value of imports: transaction value plus transport, related costs and insurance up
to the place of importation — for us the border port):

    reach ``origin``       EXW/FCA in Russia short of the border: + freight to the border,
                           + insurance; the buyer also pays the Chinese leg
    reach ``border``       FCA at a Russian border town, CPT/CIP/DAP/DPU at a crossing: nothing
                           added for freight (CPT adds insurance: the buyer bears the risk
                           from the first carrier); the buyer pays the Chinese leg
    reach ``destination``  CPT/CIP/DAP/DPU in China: the price carries the Chinese leg, which
                           comes off the customs value as a stated, estimated deduction
"""

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

INCOTERMS = ("EXW", "FCA", "CPT", "CIP", "DAP", "DPU")
TRANSPORT_MODES = ("road", "rail", "multimodal")
#: Terms under which the seller's price covers insurance of the main carriage (CIP), or the
#: seller carries the risk to the named place (DAP, DPU): the customs value adds none.
INSURED_BY_SELLER = ("CIP", "DAP", "DPU")
REACHES = ("origin", "border", "destination")


@dataclass(frozen=True)
class Place:
    """A named place of the route. ``crossing``: the border crossing a border town belongs to."""

    code: str
    country: str  # "RU" or "CN"
    kind: str  # "inland", "border", "destination"
    names: dict
    crossing: str | None = None
    aliases: tuple = field(default=())

    def name(self, language: str = "en") -> str:
        return self.names.get(language) or self.names["en"]


def _place(code, country, kind, en, ru, zh, crossing=None, aliases=()):
    return Place(code, country, kind, {"en": en, "ru": ru, "zh": zh}, crossing, tuple(aliases))


#: The places our trade names. Border towns carry their crossing; the Harbin Daowai
#: warehouse is where every route ends.
PLACES = {
    p.code: p
    for p in (
        _place("chelyabinsk", "RU", "inland", "Chelyabinsk", "Челябинск", "车里雅宾斯克"),
        _place(
            "chelyabinsk-station",
            "RU",
            "inland",
            "Chelyabinsk-Glavny station",
            "станция Челябинск-Главный",
            "车里雅宾斯克总站",
        ),
        _place("magnitogorsk", "RU", "inland", "Magnitogorsk", "Магнитогорск", "马格尼托哥尔斯克"),
        _place("troitsk", "RU", "inland", "Troitsk", "Троицк", "特罗伊茨克"),
        _place("kartaly", "RU", "inland", "Kartaly", "Карталы", "卡尔塔雷"),
        _place("yuzhnouralsk", "RU", "inland", "Yuzhnouralsk", "Южноуральск", "南乌拉尔斯克"),
        _place(
            "zabaikalsk", "RU", "border", "Zabaikalsk", "Забайкальск", "后贝加尔斯克", "zabaikalsk-manzhouli"
        ),
        _place("manzhouli", "CN", "border", "Manzhouli", "Маньчжурия", "满洲里", "zabaikalsk-manzhouli"),
        _place(
            "blagoveshchensk",
            "RU",
            "border",
            "Blagoveshchensk",
            "Благовещенск",
            "布拉戈维申斯克",
            "blagoveshchensk-heihe",
        ),
        _place("heihe", "CN", "border", "Heihe", "Хэйхэ", "黑河", "blagoveshchensk-heihe"),
        _place(
            "nizhneleninskoye",
            "RU",
            "border",
            "Nizhneleninskoye",
            "Нижнеленинское",
            "下列宁斯阔耶",
            "nizhneleninskoye-tongjiang",
        ),
        _place("tongjiang", "CN", "border", "Tongjiang", "Тунцзян", "同江", "nizhneleninskoye-tongjiang"),
        _place(
            "pogranichny",
            "RU",
            "border",
            "Pogranichny",
            "Пограничный",
            "波格拉尼奇内",
            "pogranichny-suifenhe",
        ),
        _place("suifenhe", "CN", "border", "Suifenhe", "Суйфэньхэ", "绥芬河", "pogranichny-suifenhe"),
        _place(
            "harbin-daowai",
            "CN",
            "destination",
            "Harbin, Daowai logistics zone",
            "Харбин, логистическая зона Даовай",
            "哈尔滨道外物流区",
            aliases=("harbin", "harbin daowai", "harbin, daowai", "哈尔滨", "харбин"),
        ),
    )
}


def _key(text: str) -> str:
    return " ".join((text or "").replace("ё", "е").replace("Ё", "Е").casefold().split())


_LOOKUP = {}
for _p in PLACES.values():
    for _text in (_p.code, *_p.names.values(), *_p.aliases):
        _LOOKUP[_key(_text)] = _p


class TermError(ValueError):
    """A term or place that does not fit. ``field`` names the input at fault."""

    def __init__(self, field_name: str, message):
        super().__init__(str(message))
        self.field = field_name
        self.message = message


def place_for(text: str) -> Place | None:
    """The place a code or a name in any of our languages stands for (case and spaces ignored)."""
    return _LOOKUP.get(_key(text))


def fits(incoterm: str, place: Place) -> bool:
    """EXW/FCA: a place in Russia; CPT/CIP/DAP/DPU: a border crossing or a place in China."""
    if incoterm in ("EXW", "FCA"):
        return place.country == "RU"
    return place.kind == "border" or place.country == "CN"


def check(incoterm, named_place) -> tuple[str, Place]:
    """The term (upper case) and the place, or TermError naming ``incoterm`` or ``named_place``."""
    term = (incoterm or "").strip().upper()
    if term not in INCOTERMS:
        raise TermError("incoterm", _l("Unknown Incoterm: use one of %(terms)s.", terms=", ".join(INCOTERMS)))
    place = place_for(named_place)
    if place is None:
        raise TermError(
            "named_place",
            _l("Unknown named place: use one of %(places)s.", places=", ".join(sorted(PLACES))),
        )
    if not fits(term, place):
        if term in ("EXW", "FCA"):
            message = _l("%(term)s needs a named place in Russia.", term=term)
        else:
            message = _l("%(term)s needs a border crossing or a place in China.", term=term)
        raise TermError("named_place", message)
    return term, place


def reach(incoterm: str, place: Place) -> str:
    """How far the price carries the goods: ``origin``, ``border`` or ``destination``."""
    if place.country == "CN" and place.kind != "border":
        return "destination"
    if place.kind == "border":
        return "border"
    return "origin"


def crossing_for(place: Place, crossing: str | None) -> str | None:
    """The crossing a route must take to pass a border place; TermError if it cannot.

    A border town fixes the crossing; any other place leaves the caller's choice.
    """
    if place.crossing is None:
        return crossing
    if crossing and crossing != place.crossing:
        raise TermError(
            "named_place",
            _l(
                "%(place)s is not on the border crossing %(crossing)s.", place=place.name(), crossing=crossing
            ),
        )
    return place.crossing


def insurance_in_price(incoterm: str) -> bool:
    return incoterm in INSURED_BY_SELLER


def basis(incoterm: str, place: Place, language: str = "en") -> dict:
    """The JSON form of a price basis: ``{"incoterm", "named_place", "place_code"}``."""
    return {"incoterm": incoterm, "named_place": place.name(language), "place_code": place.code}
