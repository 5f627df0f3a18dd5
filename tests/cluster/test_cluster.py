"""Two app instances behind nginx, one killed with SIGKILL under mixed traffic and restarted.

Proven here: no GET fails (nginx sends it to the other instance); every order placed with an
``Idempotency-Key`` exists once, however often the client had to retry; a file uploaded through
one instance is served by the other (files in PostgreSQL); a session started on one is accepted
by the other; the log-in counters are one for the cluster (Redis); the scheduler fires each
periodic job once per slot though two schedulers run; /metrics parses; a body over nginx's limit
gets the API's JSON 413. The figures are printed (``-s``) and kept in docs/BENCHMARKS.md.
"""

import re
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from datetime import UTC, datetime
from http.cookiejar import CookieJar

import pytest
from prometheus_client.parser import text_string_to_metric_families

from accounts.seed import DEMO_PASSWORD
from tests.cluster.conftest import ACCOUNT_LIMIT
from tests.servers import ROOT, http, until

pytestmark = [pytest.mark.cluster, pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

#: Seconds of traffic before the kill, while the instance is down, and after it is back.
BEFORE_KILL, DOWN_FOR, AFTER_RESTART = 6, 6, 5
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class Traffic:
    """Mixed clients through nginx; every answer recorded as (time, kind, method, status)."""

    def __init__(self, url: str):
        self.url = url
        self.records: list[tuple[float, str, str, int]] = []
        self.orders: dict[str, list] = {}  # Idempotency-Key → [order ids answered]
        self.order_attempts = Counter()
        self.unexpected: list = []
        self.stop = threading.Event()
        self.lock = threading.Lock()

    def record(self, kind: str, method: str, status: int) -> None:
        with self.lock:
            self.records.append((time.monotonic(), kind, method, status))

    def get(self, kind: str, path: str, headers=None):
        # A generous timeout: on a loaded machine the surviving instance serves everyone alone.
        status, body, _ = http(self.url + path, headers=headers, timeout=60)
        self.record(kind, "GET", status)
        return status, body

    def browsing(self, product_ids: list[int]):
        pages = [
            "/",
            "/catalog",
            "/catalog?q=%D0%B3%D1%80%D0%B5%D1%87%D0%BA%D0%B0",
            "/api/v1/products?q=honey",
        ]
        pages += [f"/catalog/products/{pid}" for pid in product_ids[:4]]
        pages += [f"/api/v1/products/{pid}" for pid in product_ids[:4]]
        i = 0
        while not self.stop.is_set():
            path = pages[i % len(pages)]
            self.get("search" if "q=" in path else "page", path)
            i += 1

    def logging_in(self, email: str):
        while not self.stop.is_set():
            status, body, _ = http(
                self.url + "/api/v1/auth/token", "POST", {"email": email, "password": DEMO_PASSWORD}
            )
            self.record("login", "POST", status)
            # A log-in caught on the killed instance fails (nginx never resends a POST it
            # sent); the client logs in again. Anything else is a bug.
            if status not in (200, 0, 502):
                self.unexpected.append(("login", status, body))
            self.stop.wait(0.5)

    def ordering(self, headers: dict, product: dict, limit: int):
        """Orders with an Idempotency-Key, retried with the same key until answered."""
        body = {"lines": [{"product_id": product["id"], "quantity": product["moq"] or "1"}]}
        for _ in range(limit):
            if self.stop.is_set():
                return
            key = uuid.uuid4().hex
            self.orders[key] = []
            for _attempt in range(100):
                status, answer, _ = http(
                    self.url + "/api/v1/orders", "POST", body, {**headers, "Idempotency-Key": key}, timeout=30
                )
                self.record("order", "POST", status)
                self.order_attempts[key] += 1
                if status in (200, 201):
                    self.orders[key].append(answer["id"])
                    break
                if status not in (0, 409, 502, 503, 504):  # 409: the key is still held elsewhere
                    self.unexpected.append(("order", status, answer))
                    break
                time.sleep(0.2)
            self.stop.wait(0.3)

    def readings(self, headers: dict, shipment_id: int, sensor: str):
        """Batches of readings; one caught on the killed instance is resent as is (a reading
        already kept is ignored: same sensor and time)."""
        while not self.stop.is_set():
            now = datetime.now(UTC).replace(microsecond=0)
            rows = [
                {"sensor_id": sensor, "recorded_at": now.replace(second=s).isoformat(), "celsius": "4.5"}
                for s in range(0, 60, 6)
            ]
            for _attempt in range(20):
                status, answer, _ = http(
                    self.url + f"/api/v1/shipments/{shipment_id}/temperature-readings",
                    "POST",
                    {"readings": rows},
                    headers,
                    timeout=30,
                )
                self.record("readings", "POST", status)
                if status == 200:
                    break
                if status not in (0, 502, 503, 504):
                    self.unexpected.append(("readings", status, answer))
                    break
                time.sleep(0.2)
            self.stop.wait(0.4)


def _token(url: str, email: str) -> dict:
    status, body, _ = http(url + "/api/v1/auth/token", "POST", {"email": email, "password": DEMO_PASSWORD})
    assert status == 200, body
    return {"Authorization": f"Bearer {body['token']}"}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _browser():
    jar = CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect), jar


def _open(opener, url, data=None):
    try:
        with opener.open(url, data=data, timeout=30) as response:
            return response.status, response.read().decode(errors="replace"), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace"), error.headers


def test_two_instances_behind_nginx_survive_a_killed_one(cluster):
    import psycopg
    import redis as redis_lib

    url = cluster.url
    web1, web2 = (cluster.app_url(name) for name in cluster.webs)
    db = psycopg.connect(cluster.libpq_url, autocommit=True)
    redis = redis_lib.Redis.from_url(cluster.env["REDIS_URL"])
    figures = {}

    # A second scheduler, as on a second machine: the lock lets one fire.
    second_scheduler = subprocess.Popen(
        cluster.command("scheduler"),
        env=cluster.process_env(),
        cwd=ROOT,
        stdout=open(cluster.run / "logs" / "scheduler2.log", "wb"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _cluster_checks(cluster, url, web1, web2, db, redis, figures)
    finally:
        second_scheduler.send_signal(signal.SIGTERM)
        second_scheduler.wait(timeout=20)
        db.close()
        print("\ncluster figures: " + ", ".join(f"{k}={v}" for k, v in figures.items()))


def _cluster_checks(cluster, url, web1, web2, db, redis, figures):
    # ---- a session started on one instance is accepted by the other -------------------------------
    opener, jar = _browser()
    status, page, _ = _open(opener, web1 + "/login")
    assert status == 200
    token = CSRF_RE.search(page).group(1)
    form = urllib.parse.urlencode(
        {"csrf_token": token, "email": "buyer2@agrobridge.demo", "password": DEMO_PASSWORD}
    ).encode()
    status, _, headers = _open(opener, web1 + "/login", form)
    assert status == 302, "log-in on the first instance"
    status, page, headers = _open(opener, web2 + "/dashboard")
    assert status == 200, f"the second instance refused the first one's session ({status})"
    assert "buyer2@agrobridge.demo" in page or "李娜" in page

    # ---- rate-limit counters are one for the cluster ---------------------------------------------
    answers = []
    for attempt in range(ACCOUNT_LIMIT + 1):
        instance = (web1, web2)[attempt % 2]
        status, _, _ = http(
            instance + "/api/v1/auth/token",
            "POST",
            {"email": "farmer2@agrobridge.demo", "password": "wrong-one"},
        )
        answers.append(status)
    assert answers == [401] * ACCOUNT_LIMIT + [429], answers

    # ---- a file uploaded through one instance is served by the other -----------------------------
    operator = _token(url, "operator@agrobridge.demo")
    status, shipments, _ = http(url + "/api/v1/shipments?per_page=50", headers=operator)
    assert status == 200, shipments
    shipment_ids = [s["id"] for s in shipments["items"]]
    pdf = b"%PDF-1.4\n% cluster test " + uuid.uuid4().hex.encode() + b"\n" + b"0" * 300_000 + b"\n%%EOF\n"
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nphytosanitary\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="phyto.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + pdf
        + f"\r\n--{boundary}--\r\n".encode()
    )
    status, document, _ = http(
        web1 + f"/api/v1/shipments/{shipment_ids[0]}/documents",
        "POST",
        headers={**operator, "Content-Type": f"multipart/form-data; boundary={boundary}"},
        raw=body,
    )
    assert status == 201, document
    request = urllib.request.Request(web2 + document["url"], headers=operator)  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
        assert response.read() == pdf, "the other instance served different bytes"
    assert db.execute("SELECT count(*) FROM stored_files").fetchone()[0] > 0
    assert not (cluster.run / "uploads").exists(), "a file was written to an instance's disk"

    # ---- 413 from nginx in the API's shape ------------------------------------------------------
    status, answer, _ = http(
        url + "/api/v1/products",
        "POST",
        headers={**operator, "Content-Type": "application/json"},
        raw=b"{" + b" " * (21 * 1024 * 1024) + b"}",
    )
    assert status == 413, status
    assert answer["error"]["code"] == "payload_too_large", answer

    # ---- mixed traffic, one instance killed and restarted ---------------------------------------
    buyer = _token(url, "buyer@agrobridge.demo")
    status, page, _ = http(url + "/api/v1/products?per_page=50")
    assert status == 200, page
    products = [p for p in page["items"] if float(p["stock_quantity"]) >= float(p["moq"] or 1) * 20]
    assert len(products) >= 2, "not enough demo stock"
    reading_shipment = None
    for shipment_id in shipment_ids:
        now = datetime.now(UTC).replace(microsecond=0).isoformat()
        status, _, _ = http(
            url + f"/api/v1/shipments/{shipment_id}/temperature-readings",
            "POST",
            {"readings": [{"sensor_id": "probe", "recorded_at": now, "celsius": "4.0"}]},
            operator,
        )
        if status == 200:
            reading_shipment = shipment_id
            break
    assert reading_shipment is not None, "no demo shipment takes readings"
    readings_before = db.execute("SELECT count(*) FROM logistics_temperature_readings").fetchone()[0]
    orders_before = db.execute("SELECT count(*) FROM orders").fetchone()[0]

    traffic = Traffic(url)
    ids = [p["id"] for p in page["items"]]
    threads = [threading.Thread(target=traffic.browsing, args=(ids,)) for _ in range(3)]
    threads += [threading.Thread(target=traffic.logging_in, args=("buyer2@agrobridge.demo",))]
    threads += [threading.Thread(target=traffic.ordering, args=(buyer, p, 20)) for p in products[:2]]
    threads += [
        threading.Thread(target=traffic.readings, args=(operator, reading_shipment, f"cluster-{n}"))
        for n in range(2)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.daemon = True
        thread.start()
    time.sleep(BEFORE_KILL)
    killed_at = time.monotonic()
    cluster.kill(cluster.webs[0])
    time.sleep(DOWN_FOR)
    cluster.start(cluster.webs[0])
    cluster.wait_ready(cluster.webs[0], seconds=90)
    back_at = time.monotonic()
    time.sleep(AFTER_RESTART)
    # Requests reach the restarted instance again (nginx retries it after fail_timeout).
    until(lambda: _served_by_first(cluster), seconds=20, what="traffic on the restarted instance")
    traffic.stop.set()
    for thread in threads:
        thread.join(timeout=60)
    ended = time.monotonic()

    records = traffic.records
    failed_gets = [r for r in records if r[2] == "GET" and (r[3] == 0 or r[3] >= 500)]
    failures = [r for r in records if r[3] == 0 or r[3] >= 500]
    by_kind = Counter(r[1] for r in records)
    figures.update(
        requests=len(records),
        seconds=round(ended - started, 1),
        gets=sum(1 for r in records if r[2] == "GET"),
        failed_gets=len(failed_gets),
        **{f"{kind}_requests": n for kind, n in sorted(by_kind.items())},
        failed_posts=len(failures) - len(failed_gets),
        failure_window_s=round(failures[-1][0] - failures[0][0], 2) if failures else 0,
        down_s=round(back_at - killed_at, 1),
        orders=sum(1 for ids in traffic.orders.values() if ids),
        order_retries=sum(n - 1 for n in traffic.order_attempts.values()),
    )
    assert not failed_gets, f"GETs failed: {Counter(r[3] for r in failed_gets)}"
    assert not traffic.unexpected, traffic.unexpected[:5]
    assert by_kind["page"] and by_kind["search"] and by_kind["login"] and by_kind["order"]

    # ---- every order exists once ----------------------------------------------------------------
    answered = {key: ids for key, ids in traffic.orders.items() if ids}
    assert answered and all(len(ids) == 1 for ids in answered.values())
    unanswered = [key for key, ids in traffic.orders.items() if not ids]
    assert not unanswered, f"{len(unanswered)} order(s) never answered"
    order_ids = [ids[0] for ids in answered.values()]
    assert len(set(order_ids)) == len(order_ids), "two keys answered with the same order"
    created = db.execute("SELECT count(*) FROM orders").fetchone()[0] - orders_before
    assert created == len(order_ids), f"{created} orders in the database for {len(order_ids)} keys"
    readings = (
        db.execute("SELECT count(*) FROM logistics_temperature_readings").fetchone()[0] - readings_before
    )
    figures["readings_stored"] = readings
    assert readings > 0

    # ---- the scheduler fired each slot once, though two ran --------------------------------------
    fired = [line.decode().split(" ") for line in redis.lrange("agrobridge:scheduler:fired", 0, -1)]
    slots = Counter((slot, path) for slot, path, _ in fired)
    assert fired, "the scheduler fired nothing"
    assert max(slots.values()) == 1, [s for s, n in slots.items() if n > 1]
    for path in {path for _, path in slots}:
        rows = db.execute("SELECT count(*) FROM job_outbox WHERE path = %s", (path,)).fetchone()[0]
        assert rows == sum(1 for _, p in slots if p == path), path
    figures["scheduler_firings"] = len(fired)
    figures["scheduler_processes"] = len({who for *_, who in fired})

    # ---- metrics through nginx, summed over an instance's workers -------------------------------
    status, text, _ = http(url + "/metrics")
    assert status == 200
    families = {f.name: f for f in text_string_to_metric_families(text)}
    counts = sum(
        s.value for s in families["agrobridge_request_duration_seconds"].samples if s.name.endswith("_count")
    )
    assert counts > 0
    placed = sum(s.value for s in families["agrobridge_orders_placed"].samples)
    assert placed >= orders_before + created


def _served_by_first(cluster) -> bool:
    """The restarted instance answers through nginx: its request log grows."""
    log = cluster.run / "logs" / f"{cluster.webs[0]}.log"
    size = log.stat().st_size
    for _ in range(6):
        http(cluster.url + "/healthz")
    return log.stat().st_size > size
