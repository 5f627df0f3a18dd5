r"""Side-by-side throughput: the app against a framework floor, under the same gunicorn.

    .venv/bin/python bench/throughput.py \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/ab_bench \
        --redis-url redis://127.0.0.1:6379/4 --duration 10

Fills (or reuses) the benchmark database of ``bench/catalog_search.py``, starts
``bench/floor_app.py`` (a bare Flask app, one indexed SELECT) and the app, each under
``gunicorn -w 2`` (sync workers) one after the other, and drives each request with ``wrk
-t2 -c8`` (or, without wrk, a Python client with 8 threads). Prints requests per second, p50,
p99 and the ratio to the floor: product reads against the primary-key floor, searches and
pages against the full-text floor.

Searches use a mix of ~250 distinct queries in Chinese, Russian, English and pinyin, drawn
with a Zipf-like popularity (weight 1/rank); product, producer and search pages draw their
ids and queries the same way. Each app row is measured twice: **cold** (the app's response
cache off, ``PUBLIC_CACHE=0``) and **warm** (cache on, after a warm-up pass of the same mix).
The machine's load average is printed beside each row: the machine may be shared, so only
ratios measured in the same run mean much.
"""

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import catalog_search  # noqa: E402  (the benchmark database and its goods)

#: (label, path template or "mix:<kind>", floor, app?) — the rows of the table, in order.
ROWS = [
    ("floor: one row by primary key", "mix:floor_pk", "pk", False),
    ("floor: top-20 full-text match", "mix:floor_fts", "fts", False),
    ("GET /api/v1/products/<id>", "mix:api_product", "pk", True),
    ("GET /api/v1/products?q=荞麦", "/api/v1/products?q=" + urllib.parse.quote("荞麦"), "fts", True),
    ("GET /api/v1/products?q=гречка", "/api/v1/products?q=" + urllib.parse.quote("гречка"), "fts", True),
    ("GET /api/v1/products?q=<mix>", "mix:api_search", "fts", True),
    ("GET /api/v1/products (newest)", "/api/v1/products?sort=newest", "fts", True),
    ("/catalog?q=荞麦 page", "/catalog?q=" + urllib.parse.quote("荞麦"), "fts", True),
    ("/catalog?q=<mix> page", "mix:page_search", "fts", True),
    ("product page", "mix:page_product", "pk", True),
    ("producer page", "mix:page_producer", "fts", True),
    ("home page", "/", "pk", True),
]


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/ab_bench")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--n", type=int, default=100_000, help="products the database should hold")
    parser.add_argument("--duration", type=int, default=10, help="seconds per row")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up before each row")
    parser.add_argument(
        "--prime",
        type=int,
        default=200,
        help="warm rows: first ask the N most popular paths of the mix once each",
    )
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=7400, help="the floor's port; the app's is port+1")
    parser.add_argument(
        "--only",
        help="only rows whose label contains this text, or one of texts split by | (floors always run)",
    )
    parser.add_argument("--modes", default="cold,warm", help="cold, warm or both")
    parser.add_argument(
        "--python-client", action="store_true", help="use the Python client even if wrk is here"
    )
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument(
        "--app-dir",
        default=str(ROOT),
        help="the checkout whose app to run (another commit, for a before/after)",
    )
    return parser.parse_args()


# ---------------------------------------------------------------- the query mix


def query_mix(seed: int = 16) -> list[str]:
    """~250 distinct searches buyers type: goods in zh/ru/en/pinyin, with modifiers and places."""
    from pypinyin import lazy_pinyin

    queries: list[str] = []
    for zh, ru, en, _category, _hs in catalog_search.GOODS:
        queries += [zh, ru, en, "".join(lazy_pinyin(zh)), ru.split()[-1], en.split()[-1]]
    for (mzh, mru, men), (zh, ru, en, *_rest) in zip(
        catalog_search.MODIFIERS * 3, catalog_search.GOODS, strict=False
    ):
        queries += [mzh + zh, f"{mru} {ru}", f"{men} {en}"]
    for pzh, pru, pen in catalog_search.PLACES[:4]:
        queries += [pzh, pru, pen]
    seen, unique = set(), []
    for q in queries:
        if q and q.lower() not in seen:
            seen.add(q.lower())
            unique.append(q)
    random.Random(seed).shuffle(unique)  # popularity rank independent of the list's order
    return unique


def zipf_weights(n: int, s: float = 1.0) -> list[float]:
    return [1.0 / (rank**s) for rank in range(1, n + 1)]


def targets(url: str) -> dict[str, list[tuple[str, float]]]:
    """Paths and weights for each ``mix:`` row, read from the benchmark database."""
    import psycopg

    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        product_ids = [
            r[0]
            for r in conn.execute("SELECT id FROM catalog_products WHERE listed ORDER BY random() LIMIT 2000")
        ]
        producer_ids = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM catalog_producers WHERE status = 'verified' ORDER BY id LIMIT 200"
            )
        ]
    queries = query_mix()
    q_weights = zipf_weights(len(queries))
    p_weights = zipf_weights(len(product_ids))
    r_weights = zipf_weights(len(producer_ids))
    quote = urllib.parse.quote
    return {
        "floor_pk": [(f"/pk/{i}", w) for i, w in zip(product_ids, p_weights, strict=True)],
        "floor_fts": [(f"/fts?q={quote(q)}", w) for q, w in zip(queries, q_weights, strict=True)],
        "api_product": [(f"/api/v1/products/{i}", w) for i, w in zip(product_ids, p_weights, strict=True)],
        "api_search": [
            (f"/api/v1/products?q={quote(q)}", w) for q, w in zip(queries, q_weights, strict=True)
        ],
        "page_search": [(f"/catalog?q={quote(q)}", w) for q, w in zip(queries, q_weights, strict=True)],
        "page_product": [(f"/catalog/products/{i}", w) for i, w in zip(product_ids, p_weights, strict=True)],
        "page_producer": [
            (f"/catalog/producers/{i}", w) for i, w in zip(producer_ids, r_weights, strict=True)
        ],
    }


# ---------------------------------------------------------------- load generators

WRK_SCRIPT = """
local paths = %s
local slots = {}
for _, entry in ipairs(paths) do
  for _ = 1, entry[2] do slots[#slots + 1] = entry[1] end
end
local seeded = false
request = function()
  if not seeded then math.randomseed(os.time() + math.floor(os.clock() * 1000000)); seeded = true end
  return wrk.format("GET", slots[math.random(#slots)], {["Accept-Language"] = "zh-CN,zh;q=0.9"})
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %%d %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), summary.errors.status + summary.errors.connect
    + summary.errors.read + summary.errors.write + summary.errors.timeout, latency:percentile(95)))
end
"""


def lua_table(entries: list[tuple[str, float]]) -> str:
    """Weights become slot counts (out of ~4,000), every path at least once."""
    total = sum(w for _, w in entries)
    items = []
    for path, weight in entries:
        count = max(1, round(4000 * weight / total))
        items.append(f"{{{json.dumps(path)}, {count}}}")
    return "{" + ",".join(items) + "}"


def run_wrk(base: str, entries, duration: int, connections: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(WRK_SCRIPT % lua_table(entries))
        script = fh.name
    try:
        out = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", script, base],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script)
    line = next(line for line in out.splitlines() if line.startswith("RESULT"))
    requests, duration_us, p50, p99, errors, p95 = (int(x) for x in line.split()[1:])
    non2xx = 0
    for row in out.splitlines():
        if "Non-2xx or 3xx responses" in row:
            non2xx = int(row.split(":")[1])
    return {
        "rps": requests / (duration_us / 1e6),
        "p50": p50 / 1000,
        "p95": p95 / 1000,
        "p99": p99 / 1000,
        "errors": errors + non2xx,
        "requests": requests,
    }


def run_python(base: str, entries, duration: int, connections: int) -> dict:
    """Fallback load generator: ``connections`` threads, keep-alive-less urllib."""
    paths = [p for p, _ in entries]
    weights = [w for _, w in entries]
    samples: list[float] = []
    errors = [0]
    stop = time.perf_counter() + duration
    lock = threading.Lock()

    def client(seed):
        rng = random.Random(seed)
        mine = []
        while time.perf_counter() < stop:
            path = rng.choices(paths, weights)[0]
            start = time.perf_counter()
            try:
                with urllib.request.urlopen(base + path, timeout=10) as response:  # noqa: S310 (our own server)
                    response.read()
            except OSError:
                errors[0] += 1
            mine.append((time.perf_counter() - start) * 1000)
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    cuts = statistics.quantiles(samples, n=100)
    return {
        "rps": len(samples) / duration,
        "p50": statistics.median(samples),
        "p95": cuts[94],
        "p99": cuts[98],
        "errors": errors[0],
        "requests": len(samples),
    }


# ---------------------------------------------------------------- servers


class Server:
    def __init__(self, app: str, port: int, workers: int, env: dict, cwd: Path = ROOT):
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        self.base = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [gunicorn, "-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning", app],
            cwd=cwd,
            env={**os.environ, **env},
            start_new_session=True,
        )

    def wait(self, path: str) -> None:
        for _ in range(150):
            try:
                urllib.request.urlopen(self.base + path, timeout=2).read()  # noqa: S310
                return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"server at {self.base} did not start")

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def prime(base: str, entries, count: int) -> None:
    """Each of the ``count`` most popular paths once, two at a time: what a warm cache holds
    after real traffic, without eight connections missing the same entry at once."""
    from concurrent.futures import ThreadPoolExecutor

    def get(path):
        try:
            urllib.request.urlopen(base + path, timeout=60).read()  # noqa: S310 (our own server)
        except OSError:
            pass

    top = [p for p, _ in sorted(entries, key=lambda e: -e[1])[:count]]
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(get, top))


def measure(server: Server, path: str, mixes: dict, args, warm: bool = False) -> dict:
    entries = mixes[path[4:]] if path.startswith("mix:") else [(path, 1.0)]
    drive = run_python if args.python_client or not _has_wrk() else run_wrk
    if warm:
        prime(server.base, entries, args.prime)
    if args.warmup:  # worker start-up (jieba, imports) and, when warm, the caches
        drive(server.base, entries, args.warmup, args.connections)
    result = drive(server.base, entries, args.duration, args.connections)
    result["load"] = os.getloadavg()[0]
    return result


def _has_wrk() -> bool:
    from shutil import which

    return which("wrk") is not None


def main():
    args = parse_args()
    catalog_search.ensure_database(args.database_url)
    app = catalog_search.make_app(args.database_url)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    catalog_search.fill(app, args.n, 7)
    mixes = targets(args.database_url)
    n_queries = len(query_mix())
    only = args.only.split("|") if args.only else []
    rows = [r for r in ROWS if not r[3] or not only or any(text in r[0] for text in only)]
    modes = [m for m in args.modes.split(",") if m]
    results: dict[tuple[str, str], dict] = {}
    app_env = {
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "SESSION_COOKIE_SECURE": "0",
        "LOG_LEVEL": "WARNING",
    }
    floor_env = {"FLOOR_DATABASE_URL": args.database_url}
    print(
        f"machine: {os.cpu_count()} CPU(s); gunicorn -w {args.workers} (sync); "
        f"{'wrk -t2' if _has_wrk() and not args.python_client else 'Python client'} -c{args.connections} "
        f"-d{args.duration}s; {n_queries} distinct queries (Zipf); load average at start "
        f"{os.getloadavg()[0]:.2f}",
        flush=True,
    )
    with Server("bench.floor_app:app", args.port, args.workers, floor_env) as floor:
        floor.wait("/pk/1")
        for label, path, _f, is_app in rows:
            if not is_app:
                results[(label, "floor")] = measure(floor, path, mixes, args)
                print(f"  {label}: {results[(label, 'floor')]['rps']:.0f} rps", flush=True)
    for mode in modes:
        env = {**app_env, "PUBLIC_CACHE": "1" if mode == "warm" else "0"}
        if mode == "cold":
            # Nothing left over from a warm run may answer.
            env["PUBLIC_CACHE_PREFIX"] = f"cold{time.time_ns()}"
        with Server("app:app", args.port + 1, args.workers, env, cwd=Path(args.app_dir)) as server:
            server.wait("/healthz")
            for label, path, _f, is_app in rows:
                if is_app:
                    results[(label, mode)] = measure(server, path, mixes, args, warm=mode == "warm")
                    r = results[(label, mode)]
                    print(f"  {mode} {label}: {r['rps']:.0f} rps p99 {r['p99']:.1f} ms", flush=True)
    floors = {
        "pk": results[("floor: one row by primary key", "floor")]["rps"],
        "fts": results[("floor: top-20 full-text match", "floor")]["rps"],
    }
    print(f"\nload average at end {os.getloadavg()[0]:.2f}\n")
    print("| request | mode | rps | p50 ms | p99 ms | × floor | errors | load |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    out = []
    for label, _path, floor_kind, is_app in rows:
        for mode in modes if is_app else ["floor"]:
            r = results[(label, mode)]
            ratio = r["rps"] / floors[floor_kind]
            print(
                f"| {label} | {mode} | {r['rps']:,.0f} | {r['p50']:.1f} | {r['p99']:.1f} | {ratio:.2f} "
                f"| {r['errors']} | {r['load']:.2f} |"
            )
            out.append({"request": label, "mode": mode, **r, "ratio": ratio})
    if args.json:
        Path(args.json).write_text(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
