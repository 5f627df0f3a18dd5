"""Throughput through nginx with one and with two app instances (the cluster of `make cluster`).

    .venv/bin/python bench/cluster_throughput.py \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/ab_cluster_bench \
        --redis-url redis://127.0.0.1:6379/3 --port 7350 --app-ports 7351,7352 --seconds 15

The database is migrated and seeded with the demo data if it is empty. For each instance count
it starts nginx in front of that many gunicorn instances (``--workers`` sync workers each), plus
the job worker and the scheduler, warms up, and drives `wrk` (``--connections`` over 2 threads)
at a catalog search (`GET /api/v1/products?q=…`) and at a product page (`GET
/catalog/products/<id>`), then stops everything it started. Prints requests/s, latency,
errors and the machine's load average per case (wrk's timeout: 10 s).
"""

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tools.cluster import Cluster  # noqa: E402

PATHS = {
    "search": "/api/v1/products?q=%E8%8D%9E%E9%BA%A6",  # 荞麦 (buckwheat)
    "product page": "/catalog/products/{id}",
}


def wrk(url: str, seconds: int, connections: int) -> dict:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    errors = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    socket_errors = re.search(r"Socket errors: (.*)", out)
    latency = dict(re.findall(r"\s+(50|90|99)%\s+([\d.]+\w+)", out))
    return {
        "rps": rps,
        "requests": total,
        "errors": errors,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
        "p50": latency.get("50"),
        "p99": latency.get("99"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--app-ports", default="8001,8002")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per instance")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk)")

    ports = [int(p) for p in args.app_ports.split(",")]
    run = Path(tempfile.mkdtemp(prefix="agrobridge-cluster-bench-"))
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin",
        "HOME": str(run),
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "SECRET_KEY": "bench-" + "0" * 58,
        "RATELIMIT_ENABLED": "0",
        "LOG_LEVEL": "WARNING",
    }
    results = []
    seeded = False
    for count in (1, 2):
        cluster = Cluster(
            run / f"n{count}",
            port=args.port,
            app_ports=ports[:count],
            env=env,
            workers=args.workers,
            access_log=False,
        )
        cluster.up(migrate=not seeded, seed=not seeded)
        seeded = True
        try:
            with urllib.request.urlopen(cluster.url + "/api/v1/products?per_page=1", timeout=10) as r:  # noqa: S310
                product_id = json.load(r)["items"][0]["id"]
            for name, path in PATHS.items():
                url = cluster.url + path.format(id=product_id)
                wrk(url, 6, args.connections)  # warm-up: every worker loaded (jieba's dictionary…)
                figures = wrk(url, args.seconds, args.connections)
                load = Path("/proc/loadavg").read_text().split()[0]
                results.append({"instances": count, "case": name, **figures, "load": load})
                print(json.dumps(results[-1], ensure_ascii=False), flush=True)
        finally:
            cluster.down()

    print("\n| case | instances × workers | req/s | p50 | p99 | non-2xx | requests | load (1 min) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in results:
        print(
            f"| {r['case']} | {r['instances']} × {args.workers} | {r['rps']:.0f} | {r['p50']} | {r['p99']} "
            f"| {r['errors']} | {r['requests']} | {r['load']} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
