"""The CBR import runs itself: today's file by Moscow's date from CBR_DAILY_URL (a local file
server here), a file already stored is up to date, and a rate too old is not used."""

import threading
from datetime import UTC, datetime, timedelta
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from core.cli import PERIODIC_JOBS
from fx import services as rates
from tests.trade.helpers import cny_rate, order_in


class _Handler(SimpleHTTPRequestHandler):
    requested: list = []

    def do_GET(self):  # noqa: N802 - http.server's name
        _Handler.requested.append(self.path)
        self.path = "/XML_daily.asp"  # every date gets the file (CBR repeats it on holidays)
        return super().do_GET()

    def log_message(self, *args):
        pass


@pytest.fixture
def cbr_server(app, tmp_path, cbr_file):
    (tmp_path / "XML_daily.asp").write_bytes(cbr_file("cbr_2025-11-27.xml"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Handler, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    saved = app.config["CBR_DAILY_URL"]
    app.config["CBR_DAILY_URL"] = f"http://127.0.0.1:{server.server_port}/scripts/XML_daily.asp"
    _Handler.requested = []
    try:
        yield _Handler.requested
    finally:
        app.config["CBR_DAILY_URL"] = saved
        server.shutdown()
        server.server_close()


def test_the_daily_import_is_a_periodic_job():
    assert ("fx.cli:import_daily_job", "40 * * * *") in PERIODIC_JOBS


def test_it_fetches_moscows_day_and_a_repeat_is_up_to_date(app, cbr_server, monkeypatch):
    # 22:30 UTC on 26 November is already 27 November in Moscow (UTC+3).
    monkeypatch.setattr(rates, "utcnow", lambda: datetime(2025, 11, 26, 22, 30, tzinfo=UTC))
    runner = app.test_cli_runner()
    first = runner.invoke(args=["rates", "import"])
    assert first.exit_code == 0, first.output
    assert "Stored 6 rate(s) for 2025-11-27" in first.output
    assert cbr_server == ["/scripts/XML_daily.asp?date_req=27/11/2025"]
    # The weekend: CBR serves the same file again.
    again = runner.invoke(args=["rates", "import"])
    assert again.exit_code == 0, again.output
    assert "Rates for 2025-11-27 are up to date." in again.output


def test_a_server_that_is_down_is_a_clear_cli_error(app):
    saved = app.config["CBR_DAILY_URL"]
    app.config["CBR_DAILY_URL"] = "http://127.0.0.1:9/XML_daily.asp"
    try:
        result = app.test_cli_runner().invoke(args=["rates", "import"])
    finally:
        app.config["CBR_DAILY_URL"] = saved
    assert result.exit_code == 1 and "Cannot read" in result.output


def test_a_rate_older_than_the_limit_is_not_used(app, client, login_as):
    today = rates.moscow_today()
    cny_rate(today - timedelta(days=app.config["FX_MAX_AGE_DAYS"] + 1), "11.0512")
    order = order_in(app)
    assert rates.order_rub_equivalent(order) is None  # not frozen, not shown
    login_as("admin")
    page = client.get("/admin/rates").get_data(as_text=True)
    assert "more than 7 days old" in page


def test_a_fresh_rate_is_used(app):
    cny_rate(rates.moscow_today() - timedelta(days=3), "11.0512")
    equivalent, warning = rates.convert_fresh(rates.Decimal("100.00"))
    assert warning is None and str(equivalent["amount"]) == "1105.12"


def test_an_order_is_dated_by_moscows_calendar(app):
    # Placed at 22:30 UTC on 2 December: already 3 December in Moscow, the day CBR dates by.
    order = order_in(app)
    order.created_at = datetime(2026, 12, 2, 22, 30, tzinfo=UTC)
    cny_rate(datetime(2026, 12, 3).date(), "11.2000")
    cny_rate(datetime(2026, 12, 2).date(), "11.0512")
    assert rates.order_rub_equivalent(order)["rate_date"] == "2026-12-03"
