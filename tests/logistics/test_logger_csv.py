"""Temperature loggers' CSV exports: common layouts read, bad rows refused with a reason, a
preview before anything is stored, and wrong files reported with nothing stored."""

import io
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from core.extensions import db
from core.timeutil import utcnow
from logistics.models import TemperatureReading
from logistics.services.logger_csv import parse, parse_celsius, parse_time
from tests import factories
from tests.logistics.helpers import shipment_with

PLUS5 = timezone(timedelta(hours=5))


def _stamp(hours_ago: float, fmt: str) -> str:
    return (utcnow().astimezone(PLUS5) - timedelta(hours=hours_ago)).strftime(fmt)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-05-01T08:00:00+08:00", datetime(2026, 5, 1, 0, 0, tzinfo=UTC)),
        ("2026-05-01 08:00", datetime(2026, 5, 1, 3, 0, tzinfo=UTC)),
        ("01.05.2026 08:00", datetime(2026, 5, 1, 3, 0, tzinfo=UTC)),
        ("01.05.2026 08:00:30", datetime(2026, 5, 1, 3, 0, 30, tzinfo=UTC)),
        ("01/05/2026 08:00", datetime(2026, 5, 1, 3, 0, tzinfo=UTC)),
        ("2026-05-01T03:00:00Z", datetime(2026, 5, 1, 3, 0, tzinfo=UTC)),
        ("31.02.2026 08:00", None),
        ("yesterday", None),
        ("", None),
    ],
)
def test_times_iso_and_day_first_on_the_loggers_clock(text, expected):
    assert parse_time(text, PLUS5) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4.5", 4.5),
        ("4,5", 4.5),
        ("-18,25", -18.25),
        ("−3,0", -3.0),
        ("+2", 2.0),
        ("abc", None),
        ("1e3", None),
        ("", None),
    ],
)
def test_temperatures_with_a_point_or_a_comma(text, expected):
    assert parse_celsius(text) == expected


def _parse(text: str, app):
    earliest = utcnow() - timedelta(days=30)
    return parse(text.encode("utf-8"), PLUS5, earliest, utcnow())


@pytest.mark.parametrize(
    "layout",
    [
        "Timestamp,Temperature (°C)\n{a},4.5\n{b},5.0\n",
        "Дата/время;Температура, °С\n{d};4,5\n{e};5,0\n",
        "Date\tTime\tTemp\n{f}\t4,5\n{g}\t5\n",
        "Logger: TL-30 serial 12345\nStart: whatever\n\nNo.;Дата и время;T, °C\n1;{d};4,5\n2;{e};5,0\n",
    ],
)
def test_common_layouts_give_the_same_readings(app, layout):
    text = layout.format(
        a=_stamp(3, "%Y-%m-%dT%H:%M:%S"),
        b=_stamp(2, "%Y-%m-%dT%H:%M:%S"),
        d=_stamp(3, "%d.%m.%Y %H:%M"),
        e=_stamp(2, "%d.%m.%Y %H:%M"),
        f=_stamp(3, "%d.%m.%Y\t%H:%M"),
        g=_stamp(2, "%d.%m.%Y\t%H:%M"),
    )
    preview = _parse(text, app)
    assert preview.temps == [4.5, 5.0]
    assert preview.refused_count == 0
    assert preview.last - preview.first == timedelta(hours=1)


def test_bad_rows_are_refused_with_their_reason(app):
    good = _stamp(3, "%d.%m.%Y %H:%M")
    text = (
        "Время;Температура\n"
        f"{good};4,5\n"
        "32.13.2026 10:00;4,0\n"
        f"{_stamp(2, '%d.%m.%Y %H:%M')};warm\n"
        f"{_stamp(1, '%d.%m.%Y %H:%M')};95\n"
        f"{_stamp(-48, '%d.%m.%Y %H:%M')};4\n"
        f"{good};4,6\n"
        "only-one-field\n"
    )
    preview = _parse(text, app)
    assert preview.accepted == 1
    assert [r.line for r in preview.refused] == [3, 4, 5, 6, 7, 8]
    reasons = [str(r.reason) for r in preview.refused]
    assert "is not a date and time" in reasons[0]
    assert "is not a number" in reasons[1]
    assert "−80 and +80" in reasons[2]
    assert "future" in reasons[3]
    assert "twice" in reasons[4]
    assert "Fewer fields" in reasons[5]


def _upload(client, shipment_id, content: bytes, **fields):
    data = {
        "file": (io.BytesIO(content), "logger.csv"),
        "sensor_id": "TL-30",
        "utc_offset": "+05:00",
        **fields,
    }
    return client.post_form(
        f"/logistics/shipments/{shipment_id}/logger", data, content_type="multipart/form-data"
    )


def _count():
    return db.session.scalar(select(func.count()).select_from(TemperatureReading))


def test_operator_previews_then_confirms_and_the_readings_are_stored(app, client):
    operator = factories.UserFactory(role="operator")
    shipment_id, _ = shipment_with(app)
    client.login(operator)
    celsius = [f"{4 + i / 10:.1f}".replace(".", ",") for i in range(6)]
    rows = "\n".join(f"{_stamp(5 - i * 0.5, '%d.%m.%Y %H:%M')};{c}" for i, c in enumerate(celsius))
    content = ("Дата/время;Температура\n" + rows + "\nbroken;row\n").encode("cp1251")
    preview = _upload(client, shipment_id, content)
    assert preview.status_code == 200
    page = preview.get_data(as_text=True)
    assert 'data-testid="accepted">6<' in page and 'data-testid="refused">1<' in page
    assert _count() == 0  # nothing before the confirmation
    token = page.split('name="token" type="hidden" value="')[1].split('"')[0]
    done = client.post_form(
        f"/logistics/shipments/{shipment_id}/logger/confirm",
        {"token": token, "sensor_id": "TL-30", "utc_offset": "+05:00"},
    )
    assert done.status_code == 302
    assert _count() == 6
    values = db.session.scalars(
        select(TemperatureReading.celsius).order_by(TemperatureReading.recorded_at)
    ).all()
    assert [float(v) for v in values] == [4.0, 4.1, 4.2, 4.3, 4.4, 4.5]
    again = client.post_form(
        f"/logistics/shipments/{shipment_id}/logger/confirm",
        {"token": token, "sensor_id": "TL-30", "utc_offset": "+05:00"},
        follow_redirects=True,
    )
    assert "expired" in again.get_data(as_text=True)  # the file is used once
    assert _count() == 6


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Name,Weight\nbuckwheat,25\n", "No time and temperature columns"),
        (b"Timestamp,Temperature\n", "no readings"),
        (b"\x00\xff\xfe\x00binary", "No time and temperature columns"),
        (
            ("Timestamp;Temperature\n" + "2026-05-01 08:00;4\n" * 10_001).encode(),
            "at most 10000 per upload",
        ),
    ],
)
def test_wrong_files_are_reported_and_nothing_is_stored(app, client, content, message):
    shipment_id, _ = shipment_with(app)
    client.login(factories.UserFactory(role="operator"))
    response = _upload(client, shipment_id, content)
    assert response.status_code in (413, 422)
    assert message in response.get_data(as_text=True).replace(",", "")
    assert "Confirm and save" not in response.get_data(as_text=True)
    assert _count() == 0


def test_only_staff_upload(app, client):
    shipment_id, orders = shipment_with(app)
    client.login(orders[0].buyer)
    assert client.get(f"/logistics/shipments/{shipment_id}/logger").status_code == 403
    client.login(factories.UserFactory(role="operator"))
    assert client.get("/logistics/shipments/999999/logger").status_code == 404
