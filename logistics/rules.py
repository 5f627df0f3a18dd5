"""The tracking rules as data: milestones (rank, prerequisites, CBV vocabulary), exception
reasons, modes, document requirements and the seed values of the route reference tables."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

MODES = ("road", "rail", "multimodal")
MODE_LABELS = {"road": _l("Road"), "rail": _l("Rail"), "multimodal": _l("Multimodal")}

DEFAULT_ORIGIN = "Chelyabinsk"
DEFAULT_DESTINATION = "Harbin, Daowai logistics zone warehouse"
#: The defaults are stored in English; pages show them in the reader's language.
PLACE_LABELS = {
    DEFAULT_ORIGIN: _l("Chelyabinsk"),
    DEFAULT_DESTINATION: _l("Harbin, Daowai logistics zone warehouse"),
}


@dataclass(frozen=True)
class Milestone:
    code: str
    #: Order along the route; the shipment's status is its highest-ranked milestone.
    rank: int
    #: Milestones that must already have happened (at or before this one's ``occurred_at``).
    requires: tuple[str, ...]
    #: EPCIS 2.0 / CBV 2.0 business step and disposition.
    biz_step: str
    disposition: str
    #: Where on the route it happens: origin, border or destination (route diagram, EPCIS bizLocation).
    stage: str
    #: Typical hours left to delivery from this milestone, as multiples of the route's legs:
    #: (origin→border, border clearance, border→destination, fixed hours).
    remaining: tuple[float, float, float, float]
    #: May be recorded more than once (position updates, repeated inspections).
    repeatable: bool = False


MILESTONES: dict[str, Milestone] = {
    m.code: m
    for m in (
        Milestone("picked_up", 1, (), "loading", "in_progress", "origin", (1, 1, 1, 12)),
        Milestone("departed_origin", 2, ("picked_up",), "departing", "in_transit", "origin", (1, 1, 1, 0)),
        Milestone(
            "in_transit",
            3,
            ("departed_origin",),
            "transporting",
            "in_transit",
            "en_route",
            (1, 1, 1, 0),
            True,
        ),
        Milestone(
            "arrived_border", 4, ("departed_origin",), "arriving", "in_transit", "border", (0, 1, 1, 0)
        ),
        # Transloading at the gauge break (1520 → 1435 mm) or onto Chinese trucks, on either
        # side of the line: never before the goods reach the border.
        Milestone(
            "transloaded", 5, ("arrived_border",), "transferring", "in_transit", "border", (0, 0.5, 1, 0)
        ),
        # Lodged at an inland post (Chelyabinsk) before departure, or at the border; only a
        # clearance at the border moves the status (see ``counts_for_status``).
        Milestone(
            "export_customs_cleared",
            6,
            ("picked_up",),
            "inspecting",
            "conformant",
            "border",
            (0, 0.5, 1, 0),
        ),
        Milestone(
            "border_crossed",
            7,
            ("arrived_border", "export_customs_cleared"),
            "entering_exiting",
            "in_transit",
            "border",
            (0, 0.5, 1, 0),
        ),
        Milestone(
            "import_customs_inspection",
            8,
            ("border_crossed",),
            "inspecting",
            "in_progress",
            "border",
            (0, 0.5, 1, 0),
            True,
        ),
        Milestone(
            "import_customs_released",
            9,
            ("border_crossed",),
            "inspecting",
            "conformant",
            "border",
            (0, 0, 1, 0),
        ),
        Milestone(
            "arrived_warehouse",
            10,
            ("import_customs_released",),
            "receiving",
            "in_progress",
            "destination",
            (0, 0, 0, 12),
        ),
        Milestone(
            "out_for_delivery",
            11,
            ("arrived_warehouse",),
            "shipping",
            "in_transit",
            "destination",
            (0, 0, 0, 4),
        ),
        Milestone(
            "delivered",
            12,
            ("arrived_warehouse",),
            "accepting",
            "sellable_accessible",
            "destination",
            (0, 0, 0, 0),
        ),
    )
}
EXCEPTION = "exception"
EVENT_TYPES = (*MILESTONES, EXCEPTION)
#: Shipment statuses: planned (nothing happened yet) and one per milestone.
STATUSES = ("planned", *MILESTONES)

EXCEPTION_REASONS = ("delay", "damage", "customs_hold", "temperature_excursion", "documents_missing", "other")
#: CBV vocabulary of an exception, by reason.
EXCEPTION_CBV = {
    "delay": ("holding", "in_transit"),
    "damage": ("inspecting", "damaged"),
    "customs_hold": ("holding", "sellable_not_accessible"),
    "temperature_excursion": ("sensor_reporting", "non_conformant"),
    "documents_missing": ("holding", "non_conformant"),
    "other": ("holding", "in_transit"),
}
#: Hours an exception adds to the ETA when the operator gives none.
DEFAULT_DELAY_HOURS = {
    "delay": 12,
    "customs_hold": 24,
    "documents_missing": 24,
    "damage": 0,
    "temperature_excursion": 0,
    "other": 0,
}

STATUS_LABELS = {
    "planned": _l("Planned"),
    "picked_up": _l("Picked up"),
    "departed_origin": _l("Departed origin"),
    "in_transit": _l("In transit"),
    "arrived_border": _l("Arrived at the border"),
    "transloaded": _l("Transloaded at the gauge break"),
    "export_customs_cleared": _l("Export customs cleared"),
    "border_crossed": _l("Border crossed"),
    "import_customs_inspection": _l("Import customs inspection"),
    "import_customs_released": _l("Released by import customs"),
    "arrived_warehouse": _l("Arrived at the Daowai warehouse"),
    "out_for_delivery": _l("Out for delivery"),
    "delivered": _l("Delivered"),
    "exception": _l("Exception"),
}
REASON_LABELS = {
    "delay": _l("Delay"),
    "damage": _l("Damage"),
    "customs_hold": _l("Customs hold"),
    "temperature_excursion": _l("Temperature excursion"),
    "documents_missing": _l("Documents missing"),
    "other": _l("Other"),
}


def inland_clearance(event, history) -> bool:
    """An export clearance recorded before the goods reached the border (an inland post)."""
    return event.type == "export_customs_cleared" and not any(
        e.type == "arrived_border" and e.occurred_at <= event.occurred_at for e in history
    )


def counts_for_status(event, history) -> bool:
    """Whether a milestone can be the shipment's status: an inland export clearance is a fact on
    the timeline, not a position on the route."""
    return event.type in MILESTONES and not inland_clearance(event, history)


def required_closure(code: str) -> list[str]:
    """Every milestone that must precede ``code`` (transitively), in route order."""
    seen: set[str] = set()
    stack = list(MILESTONES[code].requires) if code in MILESTONES else []
    while stack:
        item = stack.pop()
        if item not in seen:
            seen.add(item)
            stack.extend(MILESTONES[item].requires)
    return sorted(seen, key=lambda c: MILESTONES[c].rank)


def dependants(code: str) -> set[str]:
    """Milestones that need ``code`` before them (transitively)."""
    return {other for other in MILESTONES if code in required_closure(other)}


# ---- documents ----------------------------------------------------------------------------------

#: Which goods or modes a document kind is needed for: plant products under quarantine control
#: (``plant``), goods of animal origin (``animal``), grain and its products (``grain``), every
#: shipment (``all``), road or rail.
DOCUMENT_APPLIES = ("plant", "animal", "grain", "all", "road", "rail")

#: code → (applies_to, ru, zh, en, position): seeded by the migrations (logistics_document_kinds).
DOCUMENT_KINDS = {
    "phytosanitary": (
        "plant",
        "Фитосанитарный сертификат (ФГИС «Аргус-Фито»)",
        "植物检疫证书",
        "Phytosanitary certificate (Argus-Fito)",
        1,
    ),
    "veterinary": (
        "animal",
        "Ветеринарный сертификат (ФГИС «Меркурий», э-ВСД)",
        "兽医卫生证书",
        "Veterinary certificate (Mercury e-VSD)",
        2,
    ),
    "sdiz": (
        "grain",
        "СДИЗ (ФГИС «Зерно»)",
        "谷物随附文件 (SDIZ)",
        "Grain accompanying document, SDIZ (FGIS Zerno)",
        3,
    ),
    "origin": ("all", "Сертификат происхождения", "原产地证书", "Certificate of origin", 4),
    "invoice": ("all", "Коммерческий инвойс", "商业发票", "Commercial invoice", 5),
    "packing_list": ("all", "Упаковочный лист", "装箱单", "Packing list", 6),
    "cmr": (
        "road",
        "Международная товарно-транспортная накладная (CMR)",
        "国际公路货运单 (CMR)",
        "CMR consignment note",
        7,
    ),
    "rail_waybill": (
        "rail",
        "Железнодорожная накладная СМГС",
        "国际铁路联运运单 (SMGS)",
        "Rail waybill (SMGS)",
        8,
    ),
}
#: The checklist line for each producer's GACC registration (from the catalog, not uploaded).
GACC = "gacc"
#: Kinds whose number is a reference in a state system and must be given: the e-VSD's UUID in
#: Mercury, the SDIZ number in FGIS Zerno.
NUMBER_REQUIRED = ("veterinary", "sdiz")

#: HS headings (2 or 4 digits) of plant products under Russian phytosanitary quarantine control
#: for China (DOMAIN.md): fresh produce (07, 08), cereals (10), milled grain: flour and groats
#: (1101–1104), oilseeds (12). Not oils (15), confectionery (17, 18), pasta or biscuits (19).
PHYTO_HS = ("07", "08", "10", "1101", "1102", "1103", "1104", "12")
#: Grain and grain products traced in FGIS Zerno (an SDIZ per batch).
SDIZ_HS = ("10", "1101", "1102", "1103", "1104")


def controls(product) -> set[str]:
    """The export controls a product's goods fall under: ``plant``, ``animal``, ``grain``."""
    code = product.hs_code or ""
    result = set()
    if product.category.animal_origin:
        result.add("animal")
    if code.startswith(PHYTO_HS) and not product.category.animal_origin:
        result.add("plant")
    if code.startswith(SDIZ_HS):
        result.add("grain")
    return result


# ---- routes -------------------------------------------------------------------------------------

#: code → (ru, zh, en, modes, hours origin→border, hours border clearance, hours border→Harbin,
#: border lat, border lon, position). DOMAIN.md marks the durations unconfirmed: editable rows.
BORDER_CROSSINGS = {
    "zabaikalsk-manzhouli": (
        "Забайкальск — Маньчжурия",
        "后贝加尔斯克—满洲里",
        "Zabaikalsk – Manzhouli",
        "road,rail",
        168,
        36,
        24,
        "49.6514",
        "117.3269",
        1,
    ),
    "blagoveshchensk-heihe": (
        "Благовещенск — Хэйхэ",
        "布拉戈维申斯克—黑河",
        "Blagoveshchensk – Heihe",
        "road",
        192,
        24,
        12,
        "50.2450",
        "127.5160",
        2,
    ),
    "nizhneleninskoye-tongjiang": (
        "Нижнеленинское — Тунцзян",
        "下列宁斯阔耶—同江",
        "Nizhneleninskoye – Tongjiang",
        "rail",
        216,
        36,
        12,
        "47.6430",
        "132.5060",
        3,
    ),
    "pogranichny-suifenhe": (
        "Пограничный — Суйфэньхэ",
        "波格拉尼奇内—绥芬河",
        "Pogranichny – Suifenhe",
        "road,rail",
        240,
        36,
        10,
        "44.3960",
        "131.1530",
        4,
    ),
}
ORIGIN_COORDS = ("55.1644", "61.4368")  # Chelyabinsk
DESTINATION_COORDS = ("45.7890", "126.6530")  # Harbin, Daowai


# ---- places ---------------------------------------------------------------------------------

PLACE_KINDS = ("city", "station", "customs_post", "crossing", "warehouse")
VEHICLE_KINDS = ("truck", "trailer", "wagon", "container")
VEHICLE_LABELS = {
    "truck": _l("Truck"),
    "trailer": _l("Trailer"),
    "wagon": _l("Wagon"),
    "container": _l("Container"),
}

#: code → (kind, country, ru, zh, en, lat, lon, IANA time zone, GLN or None, position): the
#: gazetteer, seeded by the migrations. GLNs only where a GS1 member assigned one (the platform's
#: own consolidation and receiving points, under its prefix); EPCIS names the rest by URL.
PLACES = {
    "chelyabinsk": (
        "city",
        "RU",
        "Челябинск",
        "车里雅宾斯克",
        "Chelyabinsk",
        "55.1644",
        "61.4368",
        "Asia/Yekaterinburg",
        None,
        1,
    ),  # noqa: E501
    "chelyabinsk-station": (
        "station",
        "RU",
        "Челябинск-Главный",
        "车里雅宾斯克总站",
        "Chelyabinsk-Glavny station",
        "55.1437",
        "61.4156",
        "Asia/Yekaterinburg",
        None,
        2,
    ),  # noqa: E501
    "chelyabinsk-customs": (
        "customs_post",
        "RU",
        "Челябинский таможенный пост",
        "车里雅宾斯克海关",
        "Chelyabinsk customs post",
        "55.1600",
        "61.3800",
        "Asia/Yekaterinburg",
        None,
        3,
    ),  # noqa: E501
    "chelyabinsk-hub": (
        "warehouse",
        "RU",
        "Склад консолидации AgroBridge, Челябинск",
        "AgroBridge 车里雅宾斯克集货仓",
        "AgroBridge consolidation warehouse, Chelyabinsk",
        "55.1930",
        "61.3420",
        "Asia/Yekaterinburg",
        "4607000000014",
        4,
    ),  # noqa: E501
    "omsk": ("station", "RU", "Омск", "鄂木斯克", "Omsk", "54.9885", "73.3242", "Asia/Omsk", None, 10),
    "novosibirsk": (
        "station",
        "RU",
        "Новосибирск",
        "新西伯利亚",
        "Novosibirsk",
        "55.0084",
        "82.9357",
        "Asia/Novosibirsk",
        None,
        11,
    ),  # noqa: E501
    "krasnoyarsk": (
        "station",
        "RU",
        "Красноярск",
        "克拉斯诺亚尔斯克",
        "Krasnoyarsk",
        "56.0153",
        "92.8932",
        "Asia/Krasnoyarsk",
        None,
        12,
    ),  # noqa: E501
    "irkutsk": (
        "station",
        "RU",
        "Иркутск",
        "伊尔库茨克",
        "Irkutsk",
        "52.2870",
        "104.3050",
        "Asia/Irkutsk",
        None,
        13,
    ),  # noqa: E501
    "chita": ("station", "RU", "Чита", "赤塔", "Chita", "52.0340", "113.4990", "Asia/Chita", None, 14),
    "zabaikalsk": (
        "crossing",
        "RU",
        "Забайкальск",
        "后贝加尔斯克",
        "Zabaikalsk",
        "49.6514",
        "117.3269",
        "Asia/Chita",
        None,
        20,
    ),  # noqa: E501
    "manzhouli": (
        "crossing",
        "CN",
        "Маньчжурия",
        "满洲里",
        "Manzhouli",
        "49.5980",
        "117.3790",
        "Asia/Shanghai",
        None,
        21,
    ),  # noqa: E501
    "blagoveshchensk": (
        "crossing",
        "RU",
        "Благовещенск",
        "布拉戈维申斯克",
        "Blagoveshchensk",
        "50.2900",
        "127.5270",
        "Asia/Yakutsk",
        None,
        22,
    ),  # noqa: E501
    "heihe": ("crossing", "CN", "Хэйхэ", "黑河", "Heihe", "50.2450", "127.4880", "Asia/Shanghai", None, 23),
    "nizhneleninskoye": (
        "crossing",
        "RU",
        "Нижнеленинское",
        "下列宁斯阔耶",
        "Nizhneleninskoye",
        "47.9190",
        "132.6250",
        "Asia/Vladivostok",
        None,
        24,
    ),  # noqa: E501
    "tongjiang": (
        "crossing",
        "CN",
        "Тунцзян",
        "同江",
        "Tongjiang",
        "47.6430",
        "132.5060",
        "Asia/Shanghai",
        None,
        25,
    ),  # noqa: E501
    "pogranichny": (
        "crossing",
        "RU",
        "Пограничный",
        "波格拉尼奇内",
        "Pogranichny",
        "44.4020",
        "131.3710",
        "Asia/Vladivostok",
        None,
        26,
    ),  # noqa: E501
    "suifenhe": (
        "crossing",
        "CN",
        "Суйфэньхэ",
        "绥芬河",
        "Suifenhe",
        "44.3960",
        "131.1530",
        "Asia/Shanghai",
        None,
        27,
    ),  # noqa: E501
    "harbin": ("city", "CN", "Харбин", "哈尔滨", "Harbin", "45.8038", "126.5350", "Asia/Shanghai", None, 30),
    "harbin-daowai": (
        "warehouse",
        "CN",
        "Склад в логистической зоне Даовай, Харбин",
        "哈尔滨道外物流园仓库",
        "Harbin, Daowai logistics zone warehouse",
        "45.7890",
        "126.6530",
        "Asia/Shanghai",
        "4607000000021",
        31,
    ),  # noqa: E501
}
#: Each crossing's Russian and Chinese sides.
CROSSING_PLACES = {
    "zabaikalsk-manzhouli": ("zabaikalsk", "manzhouli"),
    "blagoveshchensk-heihe": ("blagoveshchensk", "heihe"),
    "nizhneleninskoye-tongjiang": ("nizhneleninskoye", "tongjiang"),
    "pogranichny-suifenhe": ("pogranichny", "suifenhe"),
}
ORIGIN_PLACE = "chelyabinsk"
DESTINATION_PLACE = "harbin-daowai"


#: Milestones and sensor readings may precede the shipment's record by this much (devices
#: start logging at loading; operators enter shipments late), but not more: a year 31 or
#: 1970 timestamp is a broken device or a typo, not history.
PLAUSIBLE_HISTORY_DAYS = 60


def earliest_plausible(shipment):
    """The oldest time a milestone or reading of this shipment may carry."""
    from datetime import timedelta

    from core.timeutil import aware, utcnow

    start = aware(shipment.created_at) or utcnow()
    planned = aware(shipment.planned_departure)
    if planned is not None and planned < start:
        start = planned
    return start - timedelta(days=PLAUSIBLE_HISTORY_DAYS)
