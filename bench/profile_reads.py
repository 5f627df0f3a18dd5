r"""Where a read's time goes: pyinstrument over the app's own request handling.

    .venv/bin/python bench/profile_reads.py \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/ab_bench --repeat 50

Runs the product read (API and page), a search (API and page), the producer page and the
home page through Flask's test client (no HTTP server, no network), each ``--repeat`` times
after one warm-up, with pyinstrument, and prints each profile's tree (``--html DIR`` writes
HTML profiles too). ``PUBLIC_CACHE`` is off unless ``--warm``.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGETS = {
    "api-product": "/api/v1/products/{product}",
    "api-search": "/api/v1/products?q=%E8%8D%9E%E9%BA%A6",
    "page-product": "/catalog/products/{product}",
    "page-search": "/catalog?q=%E8%8D%9E%E9%BA%A6",
    "page-producer": "/catalog/producers/{producer}",
    "home": "/",
}


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/ab_bench")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL"))
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--only", help="only the targets whose name contains this text")
    parser.add_argument("--warm", action="store_true", help="with the response cache on")
    parser.add_argument("--html", help="also write HTML profiles into this directory")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    if args.redis_url:
        os.environ["REDIS_URL"] = args.redis_url
    os.environ["PUBLIC_CACHE"] = "1" if args.warm else "0"
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "0" * 53)
    from pyinstrument import Profiler
    from sqlalchemy import text

    from app import create_app
    from core.extensions import db

    app = create_app({"RATELIMIT_ENABLED": True, "SESSION_COOKIE_SECURE": False})
    with app.app_context():
        product = db.session.scalar(text("SELECT id FROM catalog_products WHERE listed ORDER BY id LIMIT 1"))
        producer = db.session.scalar(
            text("SELECT id FROM catalog_producers WHERE status = 'verified' LIMIT 1")
        )
    client = app.test_client()
    for name, template in TARGETS.items():
        if args.only and args.only not in name:
            continue
        path = template.format(product=product, producer=producer)
        assert client.get(path, headers={"Accept-Language": "zh"}).status_code == 200, path
        profiler = Profiler(interval=0.0005)
        start = time.perf_counter()
        profiler.start()
        for _ in range(args.repeat):
            client.get(path, headers={"Accept-Language": "zh"})
        profiler.stop()
        per = (time.perf_counter() - start) / args.repeat * 1000
        print(f"\n===== {name} {path}: {per:.2f} ms per request (wall, profiled)")
        print(profiler.output_text(unicode=True, color=False, show_all=False, short_mode=False))
        if args.html:
            Path(args.html).mkdir(parents=True, exist_ok=True)
            Path(args.html, f"{name}.html").write_text(profiler.output_html())


if __name__ == "__main__":
    main()
