"""Temperature loggers' CSV exports: read the common layouts into readings, preview what will
be stored and what is refused (and why), then store through the readings ingestion.

Layouts met in practice: ``,`` ``;`` or tab between fields; a decimal comma; one time column
or a date and a time column; ISO 8601 times or ``dd.mm.yyyy hh:mm[:ss]`` (also with ``/``);
headers in English or Russian, sometimes after a few lines of logger details. A time without
a zone is on the logger's clock, whose UTC offset the operator gives.
"""

import csv
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import NotFound as HTTPNotFound

from core.errors import NotFound, ValidationFailed
from core.timeutil import utcnow
from core.uploads import read_limited, storage
from logistics.rules import earliest_plausible
from logistics.services import readings
from logistics.services.access import require_staff, shipment_for

MAX_ROWS = readings.MAX_READINGS
MAX_BYTES = 2 * 1024 * 1024
#: Lines before the header a logger may print (model, serial, start time…).
HEADER_SEARCH_LINES = 30
#: Refused rows listed on the preview (all are counted).
MAX_REFUSED_SHOWN = 200

_TIME_NAMES = (
    "timestamp",
    "date/time",
    "date time",
    "datetime",
    "date and time",
    "time",
    "recorded at",
    "дата/время",
    "дата и время",
    "дата время",
    "время",
    "время измерения",
)
_DATE_NAMES = ("date", "дата")
_CLOCK_NAMES = ("time", "время")
_TEMP_NAMES = (
    "temperature",
    "temp",
    "celsius",
    "t",
    "°c",
    "t°c",
    "t, °c",
    "температура",
    "темп",
    "т",
    "t,°c",
)


def _norm(name: str) -> str:
    text = re.sub(r"\s+", " ", name.strip().strip('"').lower().replace("\ufeff", ""))
    # "Temperature (°C)", "Температура, °С", "Temp[C]": the unit is not part of the name.
    text = re.sub(r"[\(\[].*?[\)\]]", "", text).replace("°с", "°c")
    text = re.sub(r"(,\s*|\s+|°)°?c$", "", text) if text not in ("°c", "t°c") else text
    return text.strip(" ,:")


def _is_temp(name: str) -> bool:
    return name in _TEMP_NAMES or name.startswith(("temperature", "температура")) or name in ("°c", "t°c")


@dataclass
class Refused:
    line: int
    text: str
    reason: object


@dataclass
class Preview:
    times: list = field(default_factory=list)
    temps: list = field(default_factory=list)
    refused: list = field(default_factory=list)
    refused_count: int = 0
    separator: str = ","
    columns: tuple = ()

    @property
    def accepted(self) -> int:
        return len(self.times)

    @property
    def first(self):
        return min(self.times) if self.times else None

    @property
    def last(self):
        return max(self.times) if self.times else None

    @property
    def low(self):
        return min(self.temps) if self.temps else None

    @property
    def high(self):
        return max(self.temps) if self.temps else None


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    message = _l("The file is not text (UTF-8 or Windows-1251).")
    raise ValidationFailed(message, code="not_csv", fields={"file": [message]})


def _separator(lines: list[str]) -> str:
    sample = [line for line in lines[:HEADER_SEARCH_LINES] if line.strip()]
    counts = {sep: sum(line.count(sep) for line in sample) for sep in ("\t", ";", ",")}
    # A semicolon or tab file uses commas as decimal marks: prefer them when present.
    for sep in ("\t", ";"):
        if counts[sep] >= len(sample) // 2 and counts[sep]:
            return sep
    return ","


def _find_columns(rows: list[list[str]]):
    """(header row index, time column, date column, clock column, temperature column)."""
    for index, row in enumerate(rows[:HEADER_SEARCH_LINES]):
        names = [_norm(cell) for cell in row]
        temp = next((i for i, n in enumerate(names) if _is_temp(n)), None)
        if temp is None:
            continue
        date_col = next((i for i, n in enumerate(names) if n in _DATE_NAMES), None)
        clock_col = next((i for i, n in enumerate(names) if n in _CLOCK_NAMES and i != date_col), None)
        if date_col is not None and clock_col is not None:
            return index, None, date_col, clock_col, temp
        when = next((i for i, n in enumerate(names) if n in _TIME_NAMES or n in _DATE_NAMES), None)
        if when is not None and when != temp:
            return index, when, None, None, temp
    message = _l(
        "No time and temperature columns found. The header needs a time column (timestamp, date/time, "
        "дата/время…) and a temperature column (temperature, °C, температура…)."
    )
    raise ValidationFailed(message, code="wrong_columns", fields={"file": [message]})


_DMY = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})[ T,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?$")
_YMD = re.compile(r"^(\d{4})[./-](\d{1,2})[./-](\d{1,2})[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?$")
_NUMBER = re.compile(r"^[+-−]?\d{1,3}(?:[.,]\d{1,6})?$")


def parse_time(text: str, zone: timezone) -> datetime | None:
    """An ISO 8601 time (its own zone, else ``zone``) or ``dd.mm.yyyy hh:mm[:ss]``; None if neither."""
    text = text.strip().strip('"')
    if not 10 <= len(text) <= 40:
        return None
    when = None
    if match := _DMY.match(text):
        day, month, year, hour, minute, second = match.groups()
        parts = (int(year), int(month), int(day), int(hour), int(minute), int(second or 0))
    elif match := _YMD.match(text):
        year, month, day, hour, minute, second = match.groups()
        parts = (int(year), int(month), int(day), int(hour), int(minute), int(second or 0))
    else:
        parts = None
        try:
            when = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
    if parts is not None:
        try:
            when = datetime(*parts)
        except ValueError:
            return None
    return when if when.tzinfo else when.replace(tzinfo=zone)


def parse_celsius(text: str) -> float | None:
    text = text.strip().strip('"').replace("\u2212", "-").replace(" ", "")
    if not _NUMBER.match(text):
        return None
    return float(text.replace(",", "."))


def parse_offset(text: str) -> timezone:
    """``+05:00`` → a fixed zone. :raise ValidationFailed: anything else."""
    match = re.fullmatch(r"([+-])(\d{2}):(\d{2})", text or "")
    if not match or int(match.group(2)) > 14 or int(match.group(3)) >= 60:
        message = _l("Choose the logger clock's time zone.")
        raise ValidationFailed(message, fields={"utc_offset": [message]})
    sign = 1 if match.group(1) == "+" else -1
    return timezone(sign * timedelta(hours=int(match.group(2)), minutes=int(match.group(3))))


def parse(data: bytes, zone: timezone, earliest: datetime, now: datetime) -> Preview:
    """The readings of a logger export, and its refused rows with the reason of each.

    :raise ValidationFailed: not text, no time or temperature column, no data rows, more than
        10,000 data rows (nothing is kept in any of these cases)
    """
    lines = _decode(data).splitlines()
    sep = _separator(lines)
    rows = list(csv.reader(lines, delimiter=sep))
    header, when_col, date_col, clock_col, temp_col = _find_columns(rows)
    data_rows = [
        (header + 2 + i, row) for i, row in enumerate(rows[header + 1 :]) if any(c.strip() for c in row)
    ]
    if not data_rows:
        message = _l("The file has a header but no readings.")
        raise ValidationFailed(message, code="no_rows", fields={"file": [message]})
    if len(data_rows) > MAX_ROWS:
        message = _l(
            "The file has %(rows)d readings: at most %(max)d per upload. Split it and upload each part.",
            rows=len(data_rows),
            max=MAX_ROWS,
        )
        raise readings.TooManyReadings(message, fields={"file": [message]}, extra={"limit": MAX_ROWS})
    latest = now + timedelta(minutes=current_app.config.get("EVENT_FUTURE_TOLERANCE_MINUTES", 5))
    preview = Preview(separator=sep, columns=tuple(rows[header]))
    need = max(c for c in (when_col, date_col, clock_col, temp_col) if c is not None)
    seen = set()
    for line, row in data_rows:
        reason = None
        if len(row) <= need:
            reason = _l("Fewer fields than the header.")
        else:
            text = (
                row[when_col] if when_col is not None else f"{row[date_col].strip()} {row[clock_col].strip()}"
            )
            when = parse_time(text, zone)
            celsius = parse_celsius(row[temp_col])
            if when is None:
                reason = _l("The time “%(value)s” is not a date and time.", value=text.strip()[:40])
            elif celsius is None:
                reason = _l("The temperature “%(value)s” is not a number.", value=row[temp_col].strip()[:20])
            elif when > latest or when < max(earliest, readings.EARLIEST):
                reason = _l("The time is in the future or before the shipment began.")
            elif not readings.MIN_CELSIUS <= celsius <= readings.MAX_CELSIUS:
                reason = _l("Between −80 and +80 °C.")
            elif when in seen:
                reason = _l("The same time appears twice.")
            else:
                seen.add(when)
                preview.times.append(when)
                preview.temps.append(round(celsius, 2))
                continue
        preview.refused_count += 1
        if len(preview.refused) < MAX_REFUSED_SHOWN:
            preview.refused.append(Refused(line, sep.join(row)[:120], reason))
    return preview


# ---- the two steps: preview (the file is kept aside) and confirm ------------------------------


def _key(shipment_id: int, token: str) -> str:
    if not re.fullmatch(r"[0-9a-f]{32}", token or ""):
        raise NotFound(_l("This upload has expired. Upload the file again."))
    return f"logistics/loggers/{shipment_id}-{token}.csv"


def preview_upload(user, shipment_id: int, file, sensor_id: str, utc_offset: str) -> tuple[Preview, str]:
    """Read an uploaded export and keep it aside for confirmation. → (preview, token).
    Operators and admins.

    :raise 404: shipment not visible
    :raise 403: not staff
    :raise 413: file too large
    :raise 422: bad sensor id or zone, not CSV, wrong columns, no rows, over 10,000 rows
    """
    shipment = shipment_for(user, shipment_id)
    require_staff(user)
    _check_sensor(sensor_id)
    zone = parse_offset(utc_offset)
    data = read_limited(file, current_app.config.get("LOGGER_CSV_MAX_BYTES", MAX_BYTES), "file")
    preview = parse(data, zone, earliest_plausible(shipment), utcnow())
    token = secrets.token_hex(16)
    if preview.accepted:
        storage().save(data, _key(shipment.id, token))
    return preview, token


def _check_sensor(sensor_id: str) -> None:
    if not isinstance(sensor_id, str) or not readings.SENSOR_RE.match(sensor_id):
        message = _l("A sensor id: 1–64 letters, digits or . _ : / -")
        raise ValidationFailed(message, fields={"sensor_id": [message]})


def confirm_upload(user, shipment_id: int, token: str, sensor_id: str, utc_offset: str) -> dict:
    """Store the readings of a previewed export through the readings ingestion (duplicates
    ignored, excursions detected); the refused rows stay out. Operators and admins.

    :raise 404: shipment not visible, or the upload is gone
    :raise 403: not staff
    """
    shipment = shipment_for(user, shipment_id)
    require_staff(user)
    _check_sensor(sensor_id)
    zone = parse_offset(utc_offset)
    key = _key(shipment.id, token)
    try:
        with storage().open(key) as fh:
            data = fh.read()
    except (HTTPNotFound, OSError) as exc:
        raise NotFound(_l("This upload has expired. Upload the file again.")) from exc
    preview = parse(data, zone, earliest_plausible(shipment), utcnow())
    body = {
        "readings": [
            {"sensor_id": sensor_id, "recorded_at": when.isoformat(), "celsius": celsius}
            for when, celsius in zip(preview.times, preview.temps, strict=True)
        ]
    }
    result = readings.ingest(user, shipment.id, body)
    storage().delete(key)
    result["refused"] = preview.refused_count
    return result
