"""Times with their zone: the reader's zone (profile, else a default by language), one way of
printing a time that always names its zone, and reading a date/time a person typed in a zone."""

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime as babel_format_datetime
from babel.dates import get_timezone_location
from flask import current_app, g, has_app_context, has_request_context
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

#: The zones a profile may choose: the route's (Russia west to east, then China) and UTC.
ZONES = (
    "Asia/Shanghai",
    "Europe/Moscow",
    "Asia/Yekaterinburg",
    "Asia/Omsk",
    "Asia/Novosibirsk",
    "Asia/Krasnoyarsk",
    "Asia/Irkutsk",
    "Asia/Chita",
    "Asia/Yakutsk",
    "Asia/Vladivostok",
    "UTC",
)

#: Typed date/time formats accepted per interface language, besides ISO (``2026-12-05T08:00``).
TYPED_FORMATS = {
    "ru": ("%d.%m.%Y %H:%M", "%d.%m.%y %H:%M", "%d.%m.%Y, %H:%M", "%d.%m.%Y"),
    "zh": ("%Y/%m/%d %H:%M", "%Y年%m月%d日 %H:%M", "%Y-%m-%d %H:%M", "%Y/%m/%d"),
    "en": ("%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%d"),
}
TYPED_HINTS = {"ru": "ДД.ММ.ГГГГ ЧЧ:ММ", "zh": "YYYY/MM/DD HH:MM", "en": "YYYY-MM-DD HH:MM"}


def default_zone(language: str | None, role: str | None) -> str:
    """Chinese readers and buyers live on Beijing time; farmers and operators in the Urals
    (Chelyabinsk, where the route starts); other Russian readers on Moscow time."""
    if role in ("farmer", "operator"):
        return "Asia/Yekaterinburg"
    if language == "zh" or role == "buyer":
        return "Asia/Shanghai"
    if language == "ru":
        return "Europe/Moscow"
    return "UTC"


def valid_zone(zone: str | None) -> bool:
    if not zone or not isinstance(zone, str) or len(zone) > 64:
        return False
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _language() -> str:
    return str(get_locale() or "en").split("_")[0]


def user_zone() -> str:
    """The zone times are shown in: an e-mail's recipient's, else the reader's profile's,
    else one by the interface language."""
    if has_app_context():
        forced = g.get("zone_override")
        if forced:
            return forced
    if has_request_context() and current_user and current_user.is_authenticated:
        zone = getattr(current_user, "time_zone", None)
        if valid_zone(zone):
            return zone
    language = _language() if has_request_context() else "en"
    if language in ("zh", "ru"):
        return default_zone(language, None)
    return current_app.config.get("BABEL_DEFAULT_TIMEZONE", "UTC") if has_app_context() else "UTC"


def select_timezone() -> str:
    """Flask-Babel's timezone selector: its format_datetime uses the reader's zone too."""
    return user_zone()


def utc_offset_label(at: datetime, zone: str) -> str:
    """``UTC+5``, ``UTC+5:30``, ``UTC``."""
    offset = at.astimezone(ZoneInfo(zone)).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    if not minutes:
        return "UTC"
    sign = "+" if minutes > 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def zone_city(zone: str) -> str:
    """The zone's city in the reader's language (``Екатеринбург``, ``叶卡捷琳堡``)."""
    if zone == "UTC":
        return "UTC"
    try:
        return get_timezone_location(ZoneInfo(zone), locale=get_locale() or "en", return_city=True)
    except Exception:  # noqa: BLE001 - an unknown zone in Babel's data: its IANA name
        return zone


def zone_label(zone: str, at: datetime | None = None) -> str:
    """``Екатеринбург, UTC+5`` (the offset at ``at``, else now)."""
    at = at or datetime.now(UTC)
    offset = utc_offset_label(at, zone)
    city = zone_city(zone)
    return offset if city == offset else f"{city}, {offset}"


def _as_datetime(value) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if value.tzinfo is None:  # stored as UTC (SQLite hands back naive datetimes)
        value = value.replace(tzinfo=UTC)
    return value


def format_when(value, format: str = "short", zone: str | None = None) -> str:
    """A time as the reader reads it, always naming its zone:
    ``05.12.2026, 08:00 (Екатеринбург, UTC+5)``. ``zone``: a place's own zone, else the reader's."""
    at = _as_datetime(value)
    if at is None:
        return "—"
    zone = zone if valid_zone(zone) else user_zone()
    text = babel_format_datetime(at, format, tzinfo=ZoneInfo(zone), locale=get_locale() or "en")
    return f"{text} ({zone_label(zone, at)})"


def zone_choices() -> list[tuple[str, str]]:
    """The profile's zone list, labelled in the reader's language."""
    return [(zone, zone_label(zone)) for zone in ZONES]


def parse_local(text: str | None, zone: str, language: str | None = None) -> datetime | None:
    """A date/time typed or picked in ``zone`` → aware UTC. ISO (from a datetime-local input,
    with or without an offset) or the language's usual format. ``None`` for an empty value.

    :raise ValueError: the text is not a date and time (the caller shows it on the field)
    """
    text = (text or "").strip()
    if not text:
        return None
    if len(text) > 40:
        raise ValueError(text)
    parsed = None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        normalised = re.sub(r"\s+", " ", text)
        for fmt in TYPED_FORMATS.get(language or _language(), ()) + TYPED_FORMATS["en"]:
            try:
                parsed = datetime.strptime(normalised, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        raise ValueError(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(zone))
    return parsed.astimezone(UTC)


def input_value(value, zone: str) -> str:
    """An aware time as a datetime-local input's value in ``zone`` (``2026-12-05T08:00``)."""
    at = _as_datetime(value)
    return at.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M") if at else ""


UNPARSEABLE = _l("Not a date and time. Use the picker or type it as %(example)s.")
