r"""Catalog search benchmark on PostgreSQL.

    .venv/bin/python bench/catalog_search.py --n 100000 \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/ab_bench

Creates the database if missing, migrates it, fills it with N synthetic products in three
languages (COPY, lexemes built by the app's own normalisation), then prints p50/p95/p99 and
throughput of typical searches through ``catalog.search.search_products`` and through the
HTTP API under gunicorn (one sync worker = one core), and the PostgreSQL plan of a search.
"""

import argparse
import os
import random
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# (zh, ru, en, category, HS) — the base goods; names are built from these and the modifiers.
GOODS = [
    ("荞麦米", "гречневая крупа", "buckwheat groats", "grains", "1008100000"),
    ("绿荞麦", "зелёная гречка", "green buckwheat", "grains", "1008100000"),
    ("燕麦片", "овсяные хлопья", "oat flakes", "grains", "1104120000"),
    ("大麦", "ячмень", "barley", "grains", "1003900000"),
    ("小麦", "пшеница", "wheat", "grains", "1001990000"),
    ("小米", "пшено", "millet", "grains", "1008290000"),
    ("亚麻籽", "семена льна", "flax seeds", "oilseeds_oils", "1204009000"),
    ("亚麻籽油", "льняное масло", "linseed oil", "oilseeds_oils", "1515110000"),
    ("菜籽油", "рапсовое масло", "rapeseed oil", "oilseeds_oils", "1514190000"),
    ("葵花籽油", "подсолнечное масло", "sunflower oil", "oilseeds_oils", "1512191000"),
    ("面粉", "пшеничная мука", "wheat flour", "flour_pasta", "1101001500"),
    ("荞麦面条", "гречневая лапша", "buckwheat noodles", "flour_pasta", "1902190000"),
    ("意大利面", "макароны", "pasta", "flour_pasta", "1902190000"),
    ("椴树蜂蜜", "липовый мёд", "linden honey", "honey", "0409000000"),
    ("荞麦蜂蜜", "гречишный мёд", "buckwheat honey", "honey", "0409000000"),
    ("蜂花粉", "пчелиная пыльца", "bee pollen", "honey", "0410909000"),
    ("冰淇淋", "мороженое пломбир", "ice cream", "dairy", "2105000000"),
    ("奶粉", "сухое молоко", "milk powder", "dairy", "0402210000"),
    ("黄油", "сливочное масло", "butter", "dairy", "0405100000"),
    ("奶酪", "сыр", "cheese", "dairy", "0406908800"),
    ("鸡爪", "куриные лапы", "chicken paws", "meat_poultry", "0207140000"),
    ("鸡翅", "куриные крылья", "chicken wings", "meat_poultry", "0207140000"),
    ("牛肉", "говядина", "beef", "meat_poultry", "0202300000"),
    ("巧克力糖果", "шоколадные конфеты", "chocolate sweets", "confectionery", "1806909000"),
    ("饼干", "печенье", "biscuits", "confectionery", "1905310000"),
    ("软糖", "мармелад", "marmalade", "confectionery", "1704909900"),
    ("豌豆", "горох", "peas", "vegetables", "0713100000"),
    ("鹰嘴豆", "нут", "chickpeas", "vegetables", "0713209000"),
    ("土豆", "картофель", "potatoes", "vegetables", "0701900000"),
    ("越橘", "брусника", "lingonberries", "berries_mushrooms", "0811909500"),
    ("蓝莓", "черника", "bilberries", "berries_mushrooms", "0811905000"),
    ("白蘑菇", "белые грибы", "porcini mushrooms", "berries_mushrooms", "0712390000"),
    ("沙棘", "облепиха", "sea buckthorn", "berries_mushrooms", "0811909500"),
    ("格瓦斯", "квас", "kvass", "beverages", "2202999100"),
    ("伊万茶", "иван-чай", "fireweed tea", "beverages", "0902300000"),
    ("燕麦麸", "овсяные отруби", "oat bran", "other", "2302300000"),
]
MODIFIERS = [
    ("有机", "органическая", "organic"),
    ("优质", "отборная", "premium"),
    ("冷冻", "замороженная", "frozen"),
    ("干", "сушёная", "dried"),
    ("新鲜", "свежая", "fresh"),
    ("天然", "натуральная", "natural"),
    ("农家", "фермерская", "farm"),
    ("精选", "элитная", "select"),
    ("传统", "традиционная", "traditional"),
    ("冷榨", "холодного отжима", "cold-pressed"),
    ("全粒", "цельная", "whole"),
    ("散装", "весовая", "bulk"),
]
PLACES = [
    ("乌拉尔", "уральская", "Ural"),
    ("车里雅宾斯克", "челябинская", "Chelyabinsk"),
    ("南乌拉尔", "южноуральская", "South Ural"),
    ("西伯利亚", "сибирская", "Siberian"),
    ("", "", ""),
]
WORDS_EN = (
    "harvest quality export china harbin wholesale clean sorted packed cooled certified field farm".split()
)
WORDS_RU = "урожай качество экспорт китай опт чистый отборный упакованный охлаждённый поле ферма".split()
WORDS_ZH = "丰收 优质 出口 中国 哈尔滨 批发 清洁 分拣 包装 冷藏 认证 田野 农场".split()

# Each scenario: (label, query arguments). Popular and rare words, every language, filters, pages.
SCENARIOS = [
    ("zh word (荞麦)", {"q": "荞麦"}),
    ("zh phrase (有机荞麦米)", {"q": "有机荞麦米"}),
    ("zh traditional (蕎麥)", {"q": "蕎麥"}),
    ("pinyin (qiaomai)", {"q": "qiaomai"}),
    ("ru form (гречневую)", {"q": "гречневую"}),
    ("ru two words (мёд липовый)", {"q": "мёд липовый"}),
    ("en (linseed oil)", {"q": "linseed oil"}),
    ("en typo (buckweat)", {"q": "buckweat"}),
    (
        "filtered (蜂蜜, honey, organic, ≤80)",
        {"q": "蜂蜜", "category": "honey", "organic": "any", "max_price": "80"},
    ),
    ("filtered no q (district, in stock)", {"district": "uvelsky", "in_stock": True}),
    ("paged (flour, page 5 by price)", {"q": "flour", "page": 5, "sort": "price"}),
    ("browse newest (no q)", {"sort": "newest"}),
    ("with facets (荞麦)", {"q": "荞麦", "facets": True}),
    # What buyers mean: a word family, another alphabet, a synonym no name uses, a quantity,
    # a word only descriptions have (names, then categories, then descriptions), a typo that
    # finds nothing but a suggestion.
    ("ru family (гречка)", {"q": "гречка"}),
    ("translit (grechka)", {"q": "grechka"}),
    ("synonym (亚麻油)", {"q": "亚麻油"}),
    ("quantity (有机荞麦 20吨)", {"q": "有机荞麦 20吨"}),
    ("descriptions only (哈尔滨)", {"q": "哈尔滨"}),
    ("did you mean (荞卖)", {"q": "荞卖"}),
]


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/ab_bench")
    parser.add_argument("--n", type=int, default=100_000, help="products to have in the database")
    parser.add_argument("--repeat", type=int, default=100, help="runs of each search")
    parser.add_argument("--port", type=int, default=0, help="for gunicorn (default: a free one)")
    parser.add_argument("--no-http", action="store_true", help="skip the gunicorn measurement")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--only", help="run only the searches whose label contains this text")
    parser.add_argument(
        "--rounds", action="store_true", help="only compare names-first rounds with one round, interleaved"
    )
    return parser.parse_args()


def ensure_database(url: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    admin = parsed.set(database="postgres").render_as_string(hide_password=False).replace("+psycopg", "")
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (parsed.database,)).fetchone()
        if not exists:
            conn.execute(
                f"CREATE DATABASE \"{parsed.database}\" ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' "
                "LC_CTYPE 'C.UTF-8' TEMPLATE template0"
            )
            print(f"created database {parsed.database}")


def make_app(url: str):
    os.environ["DATABASE_URL"] = url
    # Required beyond SQLite; a benchmark's own (servers it starts inherit it).
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "0" * 53)
    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    return app


#: Analysed fields: (text, weight, is a name) → (weighted lexemes, words as written).
_FIELDS: dict[tuple, tuple] = {}


def product_document(*, names: dict, descriptions: dict, category_names: dict, hs_code: str):
    """``catalog.textsearch.product_document``, the same document, with each field analysed
    once: names and categories repeat across products (a million products have ~2,000
    names), and ``Document.add`` only appends a field's lexemes and words."""
    from catalog import textsearch

    doc = textsearch.Document()
    fields = [(names.get(lang), "A", True) for lang in ("zh", "ru", "en")]
    fields += [(category_names.get(lang), "B", False) for lang in ("zh", "ru", "en")]
    fields += [(descriptions.get(lang), "C", False) for lang in ("zh", "ru", "en")]
    for text_, weight, name in fields:
        if not text_:
            continue
        hit = _FIELDS.get((text_, weight, name))
        if hit is None:
            part = textsearch.Document()
            part.add(text_, weight, name=name)
            hit = (part.items, part.words)
            if len(_FIELDS) < 500_000:
                _FIELDS[(text_, weight, name)] = hit
        doc.items += hit[0]
        for lexeme, word in hit[1].items():
            doc.words.setdefault(lexeme, word)
    if hs_code:
        doc.add_raw({hs_code, hs_code[:4], hs_code[:6]}, "D")
    return doc


def fill(app, n: int, seed: int) -> None:
    """Top the database up to ``n`` products with COPY (names in three languages, lexemes, tiers, lots)."""
    from sqlalchemy import text

    from catalog import namesearch, search
    from catalog.data import DISTRICTS
    from catalog.models import Category
    from core.extensions import db
    from core.timeutil import utcnow

    rng = random.Random(seed)
    with app.app_context():
        have = db.session.scalar(text("SELECT count(*) FROM catalog_products"))
        if have >= n:
            print(f"{have} products already there")
            # A migration may have rewritten rows since: fresh statistics and visibility map.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE catalog_products"))
            return
        categories = {c.code: c.names for c in db.session.query(Category)}
        raw = db.session.connection().connection.driver_connection  # psycopg 3
        owner_ids = []
        producer_count = max(20, n // 500)
        existing_producers = db.session.scalar(text("SELECT count(*) FROM catalog_producers"))
        with raw.cursor() as cur:
            if existing_producers < producer_count:
                now = utcnow()
                for i in range(existing_producers, producer_count):
                    cur.execute(
                        "INSERT INTO users (email, password_hash, name, company, phone, language, role, active,"  # noqa: E501
                        " session_version, created_at, updated_at) VALUES (%s, 'x', %s, '', '', 'ru', 'farmer', true,"  # noqa: E501
                        " 1, %s, %s) RETURNING id",
                        (f"bench-farmer-{i}@bench.invalid", f"Bench farmer {i}", now, now),
                    )
                    owner_ids.append(cur.fetchone()[0])
                districts = list(DISTRICTS)
                with cur.copy(
                    "COPY catalog_producers (owner_id, name_ru, name_zh, name_en, description_ru, description_zh,"  # noqa: E501
                    " description_en, district_code, address, contact_name, contact_phone, contact_email, website,"  # noqa: E501
                    " gacc_registration, gacc_expires_at, status, rejection_reason, created_at, updated_at) FROM STDIN"  # noqa: E501
                ) as copy:
                    for j, owner_id in enumerate(owner_ids):
                        i = existing_producers + j
                        copy.write_row(
                            (
                                owner_id,
                                f"ООО Ферма {i}",
                                f"农场{i}",
                                f"Farm {i}",
                                "",
                                "",
                                "",
                                rng.choice(districts),
                                "",
                                "",
                                "",
                                "",
                                "",
                                f"CRUS{900000000000 + i:014d}",
                                "2031-01-01",
                                "verified" if i % 10 else "pending",
                                "",
                                now,
                                now,
                            )
                        )
                cur.execute(
                    "INSERT INTO catalog_certificates (producer_id, kind, number, issuer, valid_from, valid_until,"  # noqa: E501
                    " created_at) SELECT id, CASE WHEN id % 3 = 0 THEN 'organic_cn' ELSE 'organic_ru' END,"
                    " 'B-' || id, 'bench', DATE '2024-01-01', DATE '2031-01-01', now() FROM catalog_producers"
                    " WHERE id % 2 = 0 AND NOT EXISTS (SELECT 1 FROM catalog_certificates c WHERE c.producer_id ="  # noqa: E501
                    " catalog_producers.id)"
                )
            verified = dict(cur.execute("SELECT id, status = 'verified' FROM catalog_producers").fetchall())
            producer_ids = list(verified)
            start = time.perf_counter()
            vocabulary: dict[str, str] = {}
            first_id = (cur.execute("SELECT coalesce(max(id), 0) FROM catalog_products").fetchone()[0]) + 1
            todo = n - have
            tiers, lots = [], []
            now = utcnow()
            # The postings' row trigger would insert ~40 rows per product one by one: off during
            # COPY, then one INSERT … SELECT for the new products.
            cur.execute("ALTER TABLE catalog_products DISABLE TRIGGER catalog_name_postings_write")
            with cur.copy(
                "COPY catalog_products (id, producer_id, name_zh, name_ru, name_en, description_zh, description_ru,"  # noqa: E501
                " description_en, category_code, hs_code, unit, net_weight_kg, packaging, origin, organic_claim,"  # noqa: E501
                " storage_temp_min_c, storage_temp_max_c, shelf_life_days, tracks_lots, stock_on_hand,"
                " stock_reserved, status, listed, price_min_cny, price_max_cny, search_vector, name_vector,"
                " created_at, updated_at)"
                " FROM STDIN"
            ) as copy:
                for k in range(todo):
                    pid = first_id + k
                    zh, ru, en, category, hs = rng.choice(GOODS)
                    mzh, mru, men = rng.choice(MODIFIERS)
                    pzh, pru, pen = rng.choice(PLACES)
                    names = {
                        "zh": f"{pzh}{mzh}{zh}",
                        "ru": f"{mru} {ru} {pru}".strip().capitalize(),
                        "en": f"{pen} {men} {en}".strip().capitalize(),
                    }
                    if rng.random() < 0.1:
                        names[rng.choice(["zh", "ru", "en"])] = ""
                    descriptions = {
                        "zh": "".join(rng.sample(WORDS_ZH, 4)),
                        "ru": " ".join(rng.sample(WORDS_RU, 5)),
                        "en": " ".join(rng.sample(WORDS_EN, 5)),
                    }
                    doc = product_document(
                        names=names,
                        descriptions=descriptions,
                        category_names=categories[category],
                        hs_code=hs,
                    )
                    for term, word in doc.vocabulary().items():
                        vocabulary.setdefault(term, word)
                    base = Decimal(rng.randint(300, 90000)) / 100
                    tier_prices = [
                        base,
                        (base * Decimal("0.95")).quantize(Decimal("0.01")),
                        (base * Decimal("0.9")).quantize(Decimal("0.01")),
                    ][: rng.randint(1, 3)]
                    moq = rng.choice([10, 50, 100, 500, 1000])
                    for t, price in enumerate(tier_prices):
                        tiers.append((pid, moq * (10**t), price))
                    uses_lots = rng.random() < 0.1
                    if uses_lots:
                        lots.append(
                            (pid, f"L{pid}", "2024-01-01", rng.choice(["2025-06-01", "2029-01-01"]), 500)
                        )
                    created = now.replace(microsecond=0) - __import__("datetime").timedelta(minutes=todo - k)
                    # Drawn in the order the row used to draw them: the same data as before.
                    producer_id = rng.choice(producer_ids)
                    organic = rng.random() < 0.4
                    stock = 0 if uses_lots else rng.choice([0, 1000, 50000])
                    status = "active" if rng.random() < 0.95 else "draft"
                    copy.write_row(
                        (
                            pid,
                            producer_id,
                            names["zh"],
                            names["ru"],
                            names["en"],
                            descriptions["zh"],
                            descriptions["ru"],
                            descriptions["en"],
                            category,
                            hs,
                            "kg",
                            "1.000",
                            "",
                            "",
                            organic,
                            0,
                            25,
                            365,
                            uses_lots,
                            stock,
                            0,
                            status,
                            status == "active" and verified[producer_id],
                            min(tier_prices),
                            max(tier_prices),
                            doc.tsvector(),
                            doc.tsvector(search.NAME_WEIGHTS),
                            created,
                            created,
                        )
                    )
                    if (k + 1) % 20000 == 0:
                        print(f"  {k + 1} products built ({time.perf_counter() - start:.0f} s)")
            cur.execute("ALTER TABLE catalog_products ENABLE TRIGGER catalog_name_postings_write")
            cur.execute(namesearch.FILL_FROM_PRODUCTS + " AND p.id >= %s", (first_id,))
            with cur.copy(
                "COPY catalog_price_tiers (product_id, min_quantity, unit_price) FROM STDIN"
            ) as copy:
                for row in tiers:
                    copy.write_row(row)
            with cur.copy(
                "COPY catalog_lots (product_id, lot_number, produced_on, best_before, quantity, quantity_reserved,"  # noqa: E501
                " created_at) FROM STDIN"
            ) as copy:
                for row in lots:
                    copy.write_row((*row, 0, now))
            cur.executemany(
                "INSERT INTO catalog_search_terms (term, word) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                [(t[:64], vocabulary[t][:64]) for t in sorted(vocabulary)],
            )
            cur.execute(
                "SELECT setval(pg_get_serial_sequence('catalog_products', 'id'), (SELECT max(id) FROM catalog_products))"  # noqa: E501
            )
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
        print(f"filled {todo} products in {time.perf_counter() - start:.1f} s")


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    q = statistics.quantiles(ordered, n=100, method="inclusive")
    return statistics.median(ordered), q[94], q[98]


def report(title: str, rows: list[tuple[str, list[float], int]]) -> None:
    print(f"\n{title}")
    print("| search | p50 ms | p95 ms | p99 ms | searches/s | hits |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, samples, hits in rows:
        p50, p95, p99 = percentiles(samples)
        print(
            f"| {label} | {p50:.1f} | {p95:.1f} | {p99:.1f} | {1000 / statistics.mean(samples):.0f} | {hits} |"  # noqa: E501
        )


def bench_service(app, repeat: int) -> None:
    from catalog import search
    from catalog.schemas import ProductQuerySchema
    from core.extensions import db

    rows = []
    with app.test_request_context("/"):
        for label, args in SCENARIOS:
            # The arguments as the API hands them over (parsed by its query schema).
            full = ProductQuerySchema().load(
                {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in args.items()}
            )
            facets = bool(full.pop("facets", False))
            search.search_products(None, full, with_facets=facets)  # warm-up
            db.session.rollback()
            samples, hits = [], 0
            for _ in range(repeat):
                start = time.perf_counter()
                result = search.search_products(None, full, with_facets=facets)
                samples.append((time.perf_counter() - start) * 1000)
                hits = result["total"]
                db.session.rollback()
            rows.append((label, samples, hits))
    report("Service: catalog.search.search_products (one process, one thread)", rows)


def bench_rounds(app, repeat: int) -> None:
    """The same searches with names-first rounds and with one round over the whole document
    (as before the rounds), interleaved in one process so that the machine's load hits both
    alike: what the rounds cost, whatever else runs on the machine."""
    from catalog import search
    from catalog.schemas import ProductQuerySchema
    from core.extensions import db

    variants = (("one round", (None,)), ("names first", search.TIERS))
    samples = {(label, name): [] for label, _ in SCENARIOS for name, _ in variants}
    with app.test_request_context("/"):
        loaded = []
        for label, args in SCENARIOS:
            full = ProductQuerySchema().load(
                {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in args.items()}
            )
            loaded.append((label, full, bool(full.pop("facets", False))))
        try:
            for _ in range(repeat):
                for label, full, facets in loaded:
                    for name, tiers in variants:
                        search.TIERS = tiers
                        start = time.perf_counter()
                        search.search_products(None, full, with_facets=facets)
                        samples[(label, name)].append((time.perf_counter() - start) * 1000)
                        db.session.rollback()
        finally:
            search.TIERS = variants[1][1]
    print(f"\nRounds, interleaved ({repeat} each; load average {os.getloadavg()[0]:.1f})")
    print("| search | one round p50 | one round p95 | names first p50 | names first p95 |")
    print("|---|---:|---:|---:|---:|")
    for label, _ in SCENARIOS:
        cells = []
        for name, _ in variants:
            values = samples[(label, name)]
            cells += [statistics.median(values), statistics.quantiles(values, n=20)[18]]
        print(f"| {label} | " + " | ".join(f"{c:.1f}" for c in cells) + " |")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bench_http(url: str, port: int, repeat: int) -> None:
    port = port or free_port()
    env = dict(os.environ, DATABASE_URL=url, RATELIMIT_ENABLED="0", SESSION_COOKIE_SECURE="0")
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    server = subprocess.Popen(
        [gunicorn, "--workers", "1", "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "app:app"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2).read()  # noqa: S310 (our own server)
                break
            except OSError:
                time.sleep(0.2)
        rows = []
        for label, args in SCENARIOS:
            query = urllib.parse.urlencode(
                {k: str(v).lower() if isinstance(v, bool) else v for k, v in args.items()}
            )
            target = f"{base}/api/v1/products?{query}"
            urllib.request.urlopen(target, timeout=30).read()  # noqa: S310  warm-up
            samples = []
            body = b""
            for _ in range(repeat):
                start = time.perf_counter()
                with urllib.request.urlopen(target, timeout=30) as response:  # noqa: S310
                    body = response.read()
                samples.append((time.perf_counter() - start) * 1000)
            import json

            rows.append((label, samples, json.loads(body)["total"]))
        report("HTTP: GET /api/v1/products under gunicorn, 1 sync worker, sequential client", rows)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)


def explain(app) -> None:
    from sqlalchemy import func, select

    from catalog import search
    from catalog.models import Producer, Product
    from core.extensions import db

    with app.test_request_context("/"):
        for label, args in (("q=荞麦", {"q": "荞麦"}), ("sort=newest (count)", {"sort": "newest"})):
            full = {**args, "page": 1, "per_page": 20}
            # The first round of a search: names only (catalog.search.TIERS).
            page_stmt, count_stmt, ranked, *_ = search.page_statements(None, full, weights=search.TIERS[0])
            stmt = page_stmt if ranked else count_stmt
            compiled = stmt.compile(db.engine, compile_kwargs={"literal_binds": True})
            # A tsquery's weights (``'荞麦':A``) would read as bind parameters to text().
            sql = str(compiled).replace(":", "\\:")
            plan = db.session.execute(db.text(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) {sql}")).scalars()
            print(f"\nEXPLAIN ANALYZE of the {'page' if ranked else 'count'} query for {label}:")
            print("\n".join("    " + line for line in plan))
        total = db.session.scalar(select(func.count(Product.id)))
        verified = db.session.scalar(select(func.count(Producer.id)).where(Producer.status == "verified"))
        print(f"\n{total} products, {verified} verified producers")


def main():
    args = parse_args()
    if args.only:
        SCENARIOS[:] = [scenario for scenario in SCENARIOS if args.only in scenario[0]]
    ensure_database(args.database_url)
    app = make_app(args.database_url)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    fill(app, args.n, args.seed)
    print(f"\nmachine: {os.cpu_count()} CPU(s); Python {sys.version.split()[0]}")
    if args.rounds:
        bench_rounds(app, args.repeat)
        return
    bench_service(app, args.repeat)
    if not args.no_http:
        bench_http(args.database_url, args.port, args.repeat)
    explain(app)


if __name__ == "__main__":
    main()
