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
        Milestone(
            "export_customs_cleared",
            5,
            ("arrived_border",),
            "inspecting",
            "conformant",
            "border",
            (0, 0.5, 1, 0),
        ),
        Milestone(
            "border_crossed",
            6,
            ("export_customs_cleared",),
            "entering_exiting",
            "in_transit",
            "border",
            (0, 0.5, 1, 0),
        ),
        Milestone(
            "import_customs_inspection",
            7,
            ("border_crossed",),
            "inspecting",
            "in_progress",
            "border",
            (0, 0.5, 1, 0),
            True,
        ),
        Milestone(
            "import_customs_released",
            8,
            ("border_crossed",),
            "inspecting",
            "conformant",
            "border",
            (0, 0, 1, 0),
        ),
        Milestone(
            "arrived_warehouse",
            9,
            ("import_customs_released",),
            "receiving",
            "in_progress",
            "destination",
            (0, 0, 0, 12),
        ),
        Milestone(
            "out_for_delivery",
            10,
            ("arrived_warehouse",),
            "shipping",
            "in_transit",
            "destination",
            (0, 0, 0, 4),
        ),
        Milestone(
            "delivered",
            11,
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

#: Which goods or modes a document kind is needed for.
DOCUMENT_APPLIES = ("plant", "animal", "all", "road", "rail")

#: code → (applies_to, ru, zh, en, position): seeded by the migration (logistics_document_kinds).
DOCUMENT_KINDS = {
    "phytosanitary": ("plant", "Фитосанитарный сертификат", "植物检疫证书", "Phytosanitary certificate", 1),
    "veterinary": ("animal", "Ветеринарный сертификат", "兽医卫生证书", "Veterinary certificate", 2),
    "origin": ("all", "Сертификат происхождения", "原产地证书", "Certificate of origin", 3),
    "invoice": ("all", "Коммерческий инвойс", "商业发票", "Commercial invoice", 4),
    "packing_list": ("all", "Упаковочный лист", "装箱单", "Packing list", 5),
    "cmr": (
        "road",
        "Международная товарно-транспортная накладная (CMR)",
        "国际公路货运单 (CMR)",
        "CMR consignment note",
        6,
    ),
    "rail_waybill": (
        "rail",
        "Железнодорожная накладная СМГС",
        "国际铁路联运运单 (SMGS)",
        "Rail waybill (SMGS)",
        7,
    ),
}
#: The checklist line for each producer's GACC registration (from the catalog, not uploaded).
GACC = "gacc"

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
