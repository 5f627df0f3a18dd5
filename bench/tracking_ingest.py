"""Tracking ingest benchmark: temperature readings and milestone events posted in bulk through
the HTTP API under gunicorn on PostgreSQL, beside a floor measured in the same run (the same
rows written straight with psycopg COPY).

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/ab_bench \
        .venv/bin/python bench/tracking_ingest.py [--readings 200000] [--workers 4] [--clients 8]

It migrates the (scratch!) database, creates an operator, orders and shipments, starts
gunicorn on a free port, and prints readings/s and events/s end to end and the COPY floor.
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BATCH = 10_000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def setup(app, shipments: int):
    """An operator with a token, and ``shipments`` shipments of paid, ready orders."""
    from decimal import Decimal

    from flask_migrate import upgrade

    from accounts.services import create_user, issue_token
    from bench.sellers import bench_buyer, bench_product
    from core.extensions import db
    from logistics.models import ShipmentDocument
    from logistics.services.shipments import create_shipment
    from marketplace.services.orders import apply_move, place_order

    with app.app_context():
        upgrade()
        stamp = int(time.time())
        operator = create_user(
            email=f"bench-op-{stamp}@example.com",
            password="bench-password-1",
            role="operator",
            name="Bench operator",
        )
        buyer = bench_buyer("bench", stamp)
        farmer, product = bench_product(
            "bench",
            stamp,
            Decimal("1000000"),
            name_en="Bench milk",
            category_code="dairy",
            hs_code="0401200000",
            storage_temp_min_c=2,
            storage_temp_max_c=6,
        )
        ids = []
        for _ in range(shipments):
            order = place_order(buyer, {"lines": [{"product_id": product.id, "quantity": "10"}]})
            apply_move(order, "paid", None)
            apply_move(order, "confirmed", farmer)
            apply_move(order, "ready_for_pickup", farmer)
            db.session.commit()
            shipment, _ = create_shipment(
                operator, {"order_ids": [order.id], "mode": "road", "border_crossing": "zabaikalsk-manzhouli"}
            )
            for kind in ("veterinary", "origin", "invoice", "packing_list", "cmr"):
                db.session.add(
                    ShipmentDocument(
                        shipment_id=shipment.id,
                        kind_code=kind,
                        file_name="x.pdf",
                        content_type="application/pdf",
                        size_bytes=1,
                    )
                )
            db.session.commit()
            ids.append(shipment.id)
        token, _record = issue_token(operator)
        return ids, token


def reading_batches(shipment_ids, total: int):
    """In-band readings (2…6 °C): ``total`` spread over the shipments and 4 sensors."""
    # Recent times: readings older than their shipment's plausible start are refused.
    start = datetime.now(UTC) - timedelta(days=50)
    per_shipment = total // len(shipment_ids)
    batches = []
    for shipment_id in shipment_ids:
        rows = [
            {
                "sensor_id": f"S{i % 4}",
                "recorded_at": (start + timedelta(seconds=15 * (i // 4))).isoformat(),
                "celsius": round(3 + (i % 17) * 0.1, 2),
            }
            for i in range(per_shipment)
        ]
        for offset in range(0, len(rows), BATCH):
            batches.append((shipment_id, json.dumps({"readings": rows[offset : offset + BATCH]}).encode()))
    return batches


def post(url, token, body):
    request = urllib.request.Request(  # noqa: S310 (our own local server)
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=300) as response:  # noqa: S310 (our own local server)
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:  # the status counts; the first refusal's reason is shown
        print(f"{url}: {exc.code} {exc.read()[:300]!r}", file=sys.stderr)
        return exc.code, None


def run_parallel(base, token, jobs, clients):
    statuses = []
    lock = threading.Lock()

    def send(job):
        path, body = job
        status, _ = post(base + path, token, body)
        with lock:
            statuses.append(status)

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(send, jobs))
    return time.perf_counter() - started, statuses


def copy_floor(dsn: str, shipment_id: int, total: int) -> float:
    """The same number of rows written straight into the table with COPY (one transaction)."""
    import psycopg

    start = datetime(2027, 1, 1, tzinfo=UTC)
    rows = [
        (shipment_id, f"C{i % 4}", start + timedelta(seconds=15 * (i // 4)), 3 + (i % 17) * 0.1)
        for i in range(total)
    ]
    with psycopg.connect(dsn) as conn:
        started = time.perf_counter()
        with (
            conn.cursor() as cur,
            cur.copy(
                "COPY logistics_temperature_readings (shipment_id, sensor_id, recorded_at, celsius) "
                "FROM STDIN"
            ) as copy,
        ):
            for row in rows:
                copy.write_row(row)
        conn.commit()
        return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readings", type=int, default=200_000)
    parser.add_argument("--events", type=int, default=20, help="shipments whose whole journey is posted")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        sys.exit("Set DATABASE_URL to a scratch PostgreSQL database (postgresql+psycopg://…).")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    from app import create_app

    app = create_app({"RATELIMIT_ENABLED": False})
    shipments = max(args.clients, 8)
    ids, token = setup(app, shipments + args.events)
    reading_ids, event_ids = ids[:shipments], ids[shipments:]
    port = free_port()
    env = dict(os.environ, FORCE_HTTPS="0", RATELIMIT_ENABLED="0", JOBS_INLINE="1")
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "--workers",
            str(args.workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "app:app",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        batches = reading_batches(reading_ids, args.readings)
        jobs = [(f"/api/v1/shipments/{sid}/temperature-readings", body) for sid, body in batches]
        total_readings = sum(len(json.loads(body)["readings"]) for _, body in batches)
        elapsed, statuses = run_parallel(base, token, jobs, args.clients)
        assert set(statuses) == {200}, statuses
        readings_per_s = total_readings / elapsed

        kinds = (
            "picked_up",
            "departed_origin",
            "in_transit",
            "arrived_border",
            "export_customs_cleared",
            "border_crossed",
            "import_customs_inspection",
            "import_customs_released",
            "arrived_warehouse",
            "out_for_delivery",
            "delivered",
        )
        origin = datetime.now(UTC) - timedelta(days=20)
        event_jobs = []
        for sid in event_ids:
            body = [
                {
                    "type": k,
                    "occurred_at": (origin + timedelta(hours=10 * i)).isoformat(),
                    "location": {"name": "bench"},
                    "event_id": f"bench-{sid}-{i}",
                }
                for i, k in enumerate(kinds)
            ]
            event_jobs.append((f"/api/v1/shipments/{sid}/events", json.dumps(body).encode()))
        event_elapsed, event_statuses = run_parallel(base, token, event_jobs, args.clients)
        assert set(event_statuses) == {201}, event_statuses
        events_per_s = len(event_jobs) * len(kinds) / event_elapsed

        dsn = url.replace("postgresql+psycopg://", "postgresql://")
        floor_elapsed = copy_floor(dsn, reading_ids[0], total_readings)
        floor = total_readings / floor_elapsed
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"gunicorn workers: {args.workers}, client threads: {args.clients}, batch: {BATCH} readings")
    print(f"readings: {total_readings} in {elapsed:.2f} s → {readings_per_s:,.0f} readings/s end to end")
    print(f"COPY floor: {total_readings} in {floor_elapsed:.2f} s → {floor:,.0f} readings/s")
    print(f"end to end / COPY: {100 * readings_per_s / floor:.0f} %")
    print(
        f"events: {len(event_jobs) * len(kinds)} in {event_elapsed:.2f} s → {events_per_s:,.0f} events/s "
        f"({len(kinds)} per request)"
    )


if __name__ == "__main__":
    main()
