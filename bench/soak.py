"""Soak test: mixed traffic against gunicorn for a bounded time, then errors and memory.

    .venv/bin/python bench/soak.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/ab_soak \
        [--minutes 10] [--workers 2] [--clients 4] [--warmup 60]

It migrates the (scratch!) database, adds the demo data (``flask seed-demo``), starts gunicorn
on a free port and runs ``--clients`` threads, each looping over a mix a day of trade brings:
catalog searches (API and page, Chinese, Russian, English), product pages, orders placed with
an Idempotency-Key and cancelled again (so stock never runs out), and temperature readings
posted by the operator. It prints the requests, errors and p50/p95 of each kind, and each
worker's resident memory after the warm-up and at the end. Exit status 1 on any error (a 5xx,
an unexpected status, a broken connection) or a worker growing by 10 % or more.
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
SEARCHES = ("荞麦", "蜂蜜", "гречка", "мёд", "buckwheat", "honey", "linseed oil", "qiaomai")
MAX_GROWTH = 0.10


def demo_password() -> str:
    from accounts.seed import DEMO_PASSWORD

    return DEMO_PASSWORD


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Client:
    """A tiny HTTP client that counts: ``call(kind, method, path, ok=...)``."""

    def __init__(self, base: str, stats):
        self.base = base
        self.stats = stats

    def call(self, kind, method, path, body=None, headers=None, ok=(200,)):
        import json

        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)  # noqa: S310
        if body is not None:
            request.add_header("Content-Type", "application/json")
        for key, value in (headers or {}).items():
            request.add_header(key, value)
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our server
                status, payload = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, payload = error.code, error.read()
        except OSError as error:
            status, payload = 0, str(error).encode()
        self.stats.record(kind, time.perf_counter() - started, status in ok, f"{method} {path} → {status}")
        if status in ok and payload[:1] in (b"{", b"["):
            return json.loads(payload)
        return None


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.times = defaultdict(list)
        self.errors = defaultdict(int)
        self.examples = []

    def record(self, kind, seconds, ok, what):
        with self.lock:
            self.times[kind].append(seconds)
            if not ok:
                self.errors[kind] += 1
                if len(self.examples) < 10:
                    self.examples.append(what)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def workers_of(master: int) -> list[int]:
    return sorted(int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split())


def token(client: Client, email: str) -> dict:
    body = client.call("login", "POST", "/api/v1/auth/token", {"email": email, "password": demo_password()})
    if body is None:
        raise SystemExit(f"cannot log in as {email}")
    return {"Authorization": f"Bearer {body['token']}"}


def traffic(client: Client, stop: threading.Event, world: dict, seed: int):
    rng = random.Random(seed)
    buyer, operator = world["buyer"], world["operator"]
    while not stop.is_set():
        word = rng.choice(SEARCHES)
        client.call("search api", "GET", f"/api/v1/products?q={urllib.parse.quote(word)}")
        client.call("search page", "GET", f"/catalog?q={urllib.parse.quote(word)}")
        product = rng.choice(world["products"])
        client.call("product page", "GET", f"/catalog/products/{product['id']}")
        client.call("product api", "GET", f"/api/v1/products/{product['id']}")
        if rng.random() < 0.5:
            key = {"Idempotency-Key": uuid.uuid4().hex}
            body = {"lines": [{"product_id": product["id"], "quantity": product["moq"] or "1"}]}
            order = client.call("order", "POST", "/api/v1/orders", body, {**buyer, **key}, ok=(201,))
            if order:
                reason = {"reason": "soak test"}
                client.call("cancel", "POST", f"/api/v1/orders/{order['id']}/cancel", reason, buyer)
        now = datetime.now(UTC)
        readings = [
            {
                "sensor_id": f"soak-{seed}",
                "recorded_at": now.replace(microsecond=rng.randrange(1_000_000)).isoformat(),
                "celsius": round(rng.uniform(2.0, 6.0), 2),
            }
            for _ in range(10)
        ]
        client.call(
            "readings",
            "POST",
            f"/api/v1/shipments/{world['shipment']}/temperature-readings",
            {"readings": readings},
            operator,
            ok=(200, 201),
        )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"), required=False)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=60, help="seconds before the first memory reading")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    if not args.database_url:
        parser.error("--database-url (or DATABASE_URL) of a scratch PostgreSQL database is required")

    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "FLASK_DEBUG", "JOBS_INLINE"}}
    env.update(
        FLASK_APP="app",
        DATABASE_URL=args.database_url,
        SECRET_KEY="soak-" + "0" * 59,
        SESSION_COOKIE_SECURE="0",
        RATELIMIT_ENABLED="0",
        PYTHONUNBUFFERED="1",
    )
    for command in (("db", "upgrade"), ("seed-demo",)):
        subprocess.run([str(BIN / "flask"), *command], env=env, cwd=ROOT, check=True, capture_output=True)
    port = free_port()
    log = open(os.devnull, "wb")  # noqa: SIM115 - lives as long as gunicorn
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "-w", str(args.workers), "-b", f"127.0.0.1:{port}", "app:app"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    stats = Stats()
    client = Client(base, stats)
    try:
        deadline = time.monotonic() + 120  # a busy machine boots slowly
        while client.call("health", "GET", "/healthz") is None:
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("gunicorn did not start")
            time.sleep(0.2)
        stats.__init__()  # the start-up probes are not traffic
        world = {
            "buyer": token(client, "buyer@agrobridge.demo"),
            "operator": token(client, "operator@agrobridge.demo"),
        }
        page = client.call("product api", "GET", "/api/v1/products?per_page=50")
        world["products"] = [p for p in page["items"] if float(p["stock_quantity"]) >= float(p["moq"] or 1)]
        shipments = client.call("shipments", "GET", "/api/v1/shipments", headers=world["operator"])
        items = shipments["items"] if isinstance(shipments, dict) else shipments
        world["shipment"] = items[0]["id"]

        stop = threading.Event()
        threads = [
            threading.Thread(target=traffic, args=(Client(base, stats), stop, world, n), daemon=True)
            for n in range(args.clients)
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        time.sleep(min(args.warmup, args.minutes * 60 / 2))
        workers = workers_of(server.pid)
        memory_start = {pid: rss_kib(pid) for pid in workers}
        time.sleep(max(0.0, started + args.minutes * 60 - time.monotonic()))
        memory_end = {pid: rss_kib(pid) for pid in workers_of(server.pid)}
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=30)

    total = sum(len(t) for t in stats.times.values())
    errors = sum(stats.errors.values())
    print(f"{args.minutes:g} min, {args.workers} workers, {args.clients} clients: "
          f"{total} requests ({total / elapsed:.1f}/s), {errors} errors")  # fmt: skip
    print(f"{'kind':<14}{'requests':>10}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}")
    for kind, times in sorted(stats.times.items()):
        p50 = statistics.median(times) * 1000
        p95 = statistics.quantiles(times, n=20)[-1] * 1000 if len(times) > 1 else p50
        print(f"{kind:<14}{len(times):>10}{stats.errors[kind]:>8}{p50:>9.1f}{p95:>9.1f}")
    for example in stats.examples:
        print("error:", example)
    growths = []
    print("worker  RSS after warm-up  RSS at end  growth")
    for pid, start in memory_start.items():
        end = memory_end.get(pid)
        if end is None:
            print(f"{pid:<8}{start / 1024:>14.1f} MiB  (worker gone: restarted)")
            growths.append(float("inf"))
            continue
        growth = (end - start) / start
        growths.append(growth)
        print(f"{pid:<8}{start / 1024:>14.1f} MiB{end / 1024:>9.1f} MiB{growth * 100:>7.1f} %")
    ok = errors == 0 and all(g < MAX_GROWTH for g in growths)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
