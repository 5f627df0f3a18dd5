r"""Search quality: a judged set of queries over the demo catalog, precision@10 and recall.

    .venv/bin/python bench/search_quality.py                     # SQLite in a temporary folder
    .venv/bin/python bench/search_quality.py \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/ab_quality

Migrates the database, loads the demo catalog (`catalog.seed.seed_catalog`, 44 products) if
it has no products, then runs every query below through `catalog.search.search_products` as
an anonymous buyer and compares what comes back with the judgment.

Judgments: a product is relevant when it is the thing asked for, or is named after it as what
it is made of (buckwheat honey and buckwheat noodles for 荞麦, linseed oil for flax, the
honey cake for honey). A query whose answer is "nothing here" has an empty judgment.

- precision@10: of the first ten results (fewer if fewer came back), the share that is
  relevant; nothing back counts 1 if nothing was relevant, else 0.
- recall: of the relevant products, the share found at all (every page).
- A query that finds nothing but offers a suggestion ("did you mean") is scored on the
  suggestion's results, as the buyer who follows it sees them; such rows are marked "→".

Prints one row a query, then the means per kind and overall, and exits 1 when a mean is
below the goals (precision@10 ≥ 0.9, recall ≥ 0.95).
"""

import argparse
import os
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOALS = {"precision": 0.9, "recall": 0.95}

# The demo catalog's products by English name (catalog/demo.py).
BUCKWHEAT = {
    "Organic buckwheat groats",
    "Green buckwheat",
    "Buckwheat honey",
    "Buckwheat noodles",
    "Buckwheat flour",
    "Organic buckwheat grain",
}
HONEY = {"Linden honey", "Buckwheat honey", "Wildflower honey", "Honey layer cake"}
FLAX = {"Flax seeds", "Cold-pressed linseed oil", "Linseed cake", "Organic oilseed flax"}
LINSEED_OIL = {"Cold-pressed linseed oil"}
CHICKEN = {
    "Frozen chicken paws",
    "Frozen chicken wings",
    "Frozen chicken breast fillet",
    "Halal chicken sausages",
}
WHEAT = {"Durum wheat pasta", "Premium wheat flour", "Organic wheat"}
OATS = {"Rolled oat flakes", "Organic oat bran", "Oatmeal cookies"}
FLOUR = {"Premium wheat flour", "Buckwheat flour"}
SEA_BUCKTHORN = {"Frozen sea buckthorn", "Sea buckthorn drink"}
ORGANIC_BUCKWHEAT = {"Organic buckwheat groats", "Organic buckwheat grain"}

# (kind, query, relevant products)
JUDGED = [
    # Chinese
    ("zh", "荞麦", BUCKWHEAT),
    ("zh", "荞麦米", {"Organic buckwheat groats", "Green buckwheat"}),
    ("zh", "有机荞麦", ORGANIC_BUCKWHEAT),
    ("zh", "荞麦粉", {"Buckwheat flour"}),
    ("zh", "荞麦面", {"Buckwheat noodles"}),
    ("zh", "蜂蜜", HONEY),
    ("zh", "亚麻籽", FLAX),
    ("zh", "菜籽油", {"Refined rapeseed oil"}),
    ("zh", "鸡爪", {"Frozen chicken paws"}),
    ("zh", "鸡肉", CHICKEN),
    ("zh", "冷冻鸡翅", {"Frozen chicken wings"}),
    ("zh", "冰淇淋", {"Plombir ice cream"}),
    ("zh", "奶粉", {"Whole milk powder"}),
    ("zh", "黄油", {"Butter 82.5%"}),
    ("zh", "奶酪", {"Semi-hard cheese Rossiysky"}),
    ("zh", "蓝莓", {"Frozen bilberries"}),
    ("zh", "沙棘", SEA_BUCKTHORN),
    ("zh", "格瓦斯", {"Bread kvass"}),
    ("zh", "小麦", WHEAT),
    ("zh", "燕麦", OATS),
    ("zh", "面粉", FLOUR),
    ("zh", "鹰嘴豆", {"Organic chickpeas"}),
    ("zh", "白蘑菇", {"Dried porcini mushrooms"}),
    # Traditional script
    ("traditional", "蕎麥", BUCKWHEAT),
    ("traditional", "亞麻籽油", LINSEED_OIL),
    ("traditional", "雞爪", {"Frozen chicken paws"}),
    ("traditional", "黃油", {"Butter 82.5%"}),
    ("traditional", "燕麥", OATS),
    ("traditional", "蜂蜜蛋糕", {"Honey layer cake"}),
    # Pinyin
    ("pinyin", "qiaomai", BUCKWHEAT),
    ("pinyin", "qiao mai", BUCKWHEAT),
    ("pinyin", "fengmi", HONEY),
    ("pinyin", "yamaziyou", LINSEED_OIL),
    ("pinyin", "jizhua", {"Frozen chicken paws"}),
    ("pinyin", "naifen", {"Whole milk powder"}),
    ("pinyin", "huangyou", {"Butter 82.5%"}),
    # Russian word forms
    ("ru", "гречка", BUCKWHEAT),
    ("ru", "греча", BUCKWHEAT),
    ("ru", "гречневая", BUCKWHEAT),
    ("ru", "гречиху", BUCKWHEAT),
    ("ru", "гречишный", BUCKWHEAT),
    ("ru", "мёд", HONEY),
    ("ru", "меда", HONEY),
    ("ru", "медовый", HONEY),
    ("ru", "лён", FLAX),
    ("ru", "льняного масла", LINSEED_OIL),
    ("ru", "курица", CHICKEN),
    ("ru", "куриные лапы", {"Frozen chicken paws"}),
    ("ru", "пшеница", WHEAT),
    ("ru", "пшеничная мука", {"Premium wheat flour"}),
    ("ru", "подсолнечное масло", {"Refined sunflower oil"}),
    ("ru", "облепиха", SEA_BUCKTHORN),
    ("ru", "мороженое", {"Plombir ice cream"}),
    ("ru", "сыр", {"Semi-hard cheese Rossiysky"}),
    ("ru", "овсяное печенье", {"Oatmeal cookies"}),
    ("ru", "горох", {"Yellow split peas"}),
    ("ru", "мука", FLOUR),
    # Russian typed in Latin letters, Latin in Cyrillic
    ("translit", "grechka", BUCKWHEAT),
    ("translit", "grechnevaya", BUCKWHEAT),
    ("translit", "myod", HONEY),
    ("translit", "oblepikha", SEA_BUCKTHORN),
    ("translit", "kvas", {"Bread kvass"}),
    ("translit", "podsolnechnoe maslo", {"Refined sunflower oil"}),
    ("translit", "pshenitsa", WHEAT),
    ("translit", "syr", {"Semi-hard cheese Rossiysky"}),
    ("translit", "российский", {"Semi-hard cheese Rossiysky"}),
    # English
    ("en", "buckwheat", BUCKWHEAT),
    ("en", "honey", HONEY),
    ("en", "linseed oil", LINSEED_OIL),
    ("en", "flax", FLAX),
    ("en", "chicken", CHICKEN),
    ("en", "sunflower oil", {"Refined sunflower oil"}),
    ("en", "sea buckthorn", SEA_BUCKTHORN),
    ("en", "ice cream", {"Plombir ice cream"}),
    ("en", "milk powder", {"Whole milk powder"}),
    ("en", "oats", OATS),
    ("en", "wheat flour", {"Premium wheat flour"}),
    ("en", "porcini", {"Dried porcini mushrooms"}),
    ("en", "kvass", {"Bread kvass"}),
    ("en", "chocolate", {"Ural chocolate sweets"}),
    ("en", "beeswax", {"Beeswax"}),
    ("en", "pineapple", set()),
    # Typos
    ("typo", "buckweat", BUCKWHEAT),
    ("typo", "hony", HONEY),
    ("typo", "linsed oil", LINSEED_OIL),
    ("typo", "chiken", CHICKEN),
    ("typo", "гречкп", BUCKWHEAT),
    ("typo", "подсолнечое масло", {"Refined sunflower oil"}),
    ("typo", "荞卖", BUCKWHEAT),  # the same pinyin: a slip of the pinyin keyboard
    ("typo", "蜂密", HONEY),
    ("typo", "grechkaa", BUCKWHEAT),
    # Synonyms: names the products do not use
    ("synonym", "亚麻油", LINSEED_OIL),
    ("synonym", "胡麻油", LINSEED_OIL),
    ("synonym", "葵花油", {"Refined sunflower oil"}),
    ("synonym", "凤爪", {"Frozen chicken paws"}),
    ("synonym", "flaxseed oil", LINSEED_OIL),
    ("synonym", "canola", {"Rapeseed", "Refined rapeseed oil"}),
    ("synonym", "chicken feet", {"Frozen chicken paws"}),
    ("synonym", "blueberries", {"Frozen bilberries"}),
    ("synonym", "cowberry", {"Frozen lingonberries"}),
    ("synonym", "пломбир", {"Plombir ice cream"}),
    ("synonym", "картошка", set()),
    # Broader words: categories, several products, a claim (written after the thesaurus, not
    # tuned to it; "grain" and "organic honey" are known misses, see docs/BENCHMARKS.md)
    (
        "broad",
        "масло",
        {"Cold-pressed linseed oil", "Refined rapeseed oil", "Refined sunflower oil", "Butter 82.5%"},
    ),
    (
        "broad",
        "油",
        {"Cold-pressed linseed oil", "Refined rapeseed oil", "Refined sunflower oil", "Butter 82.5%"},
    ),
    ("broad", "milk", {"Whole milk powder"}),
    (
        "broad",
        "frozen chicken",
        {"Frozen chicken paws", "Frozen chicken wings", "Frozen chicken breast fillet"},
    ),
    ("broad", "frozen berries", {"Frozen lingonberries", "Frozen bilberries", "Frozen sea buckthorn"}),
    ("broad", "蜂产品", {"Linden honey", "Buckwheat honey", "Wildflower honey", "Bee pollen", "Beeswax"}),
    (
        "broad",
        "dairy",
        {"Plombir ice cream", "Whole milk powder", "Butter 82.5%", "Semi-hard cheese Rossiysky"},
    ),
    ("broad", "sweets", {"Ural chocolate sweets", "Berry marmalade"}),
    ("broad", "halal", {"Halal chicken sausages"}),
    ("broad", "organic buckwheat", ORGANIC_BUCKWHEAT),
    (
        "broad",
        "grain",
        {
            "Organic buckwheat groats",
            "Green buckwheat",
            "Malting barley",
            "Organic wheat",
            "Organic buckwheat grain",
        },
    ),
    ("broad", "organic honey", {"Linden honey", "Buckwheat honey"}),
    # A quantity in the query
    ("quantity", "有机荞麦 20吨", ORGANIC_BUCKWHEAT),
    ("quantity", "гречка 5 тонн", BUCKWHEAT),
    ("quantity", "linseed oil 1000 l", LINSEED_OIL),
    ("quantity", "蜂蜜 500公斤", HONEY),
]


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", help="default: a new SQLite file in a temporary folder")
    parser.add_argument("--verbose", action="store_true", help="list what each query found")
    return parser.parse_args()


def score(found: list[str], relevant: set[str]) -> tuple[float, float]:
    top = found[:10]
    if not top:
        precision = 1.0 if not relevant else 0.0
    else:
        precision = sum(name in relevant for name in top) / len(top)
    if not relevant:
        recall = 1.0 if not found else 0.0
    else:
        recall = len(relevant & set(found)) / len(relevant)
    return precision, recall


def main() -> int:
    args = parse_args()
    folder = tempfile.mkdtemp(prefix="search-quality-")
    url = args.database_url or f"sqlite:///{os.path.join(folder, 'quality.sqlite3')}"
    os.environ.setdefault("INSTANCE_PATH", folder)

    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from app import create_app
    from catalog import search
    from catalog.models import Product
    from catalog.seed import seed_catalog
    from core.extensions import db

    settings = {"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False}
    app = create_app({**settings, "UPLOAD_DIR": os.path.join(folder, "uploads")})
    with app.app_context():
        upgrade()
        if not db.session.scalar(select(func.count()).select_from(Product)):
            seed_catalog(lambda message: None)
        names = {p.id: p.name_en for p in db.session.scalars(select(Product))}
        missing = {n for _, _, relevant in JUDGED for n in relevant} - set(names.values())
        if missing:
            raise SystemExit(f"judged products not in the catalog: {sorted(missing)}")

        by_kind = defaultdict(list)
        print(f"{'kind':<12} {'query':<24} {'P@10':>5} {'recall':>6} {'found':>5}  notes")
        for kind, q, relevant in JUDGED:
            result = search.search_products(None, {"q": q, "per_page": 100})
            via = ""
            # .get: the same judged set also runs on code from before suggestions (the "before" figures)
            if not result["total"] and result.get("suggestion"):
                via = f"→ {result['suggestion']}"
                result = search.search_products(None, {"q": result["suggestion"], "per_page": 100})
            found = [names[p.id] for p in result["items"]]
            precision, recall = score(found, relevant)
            by_kind[kind].append((precision, recall))
            notes = [via] if via else []
            extra = [n for n in found[:10] if n not in relevant]
            missed = sorted(relevant - set(found))
            if extra:
                notes.append("extra: " + ", ".join(extra))
            if missed:
                notes.append("missed: " + ", ".join(missed))
            if args.verbose:
                notes.append("found: " + ", ".join(found))
            print(f"{kind:<12} {q:<24} {precision:5.2f} {recall:6.2f} {len(found):5d}  {'; '.join(notes)}")
        everything = [pair for pairs in by_kind.values() for pair in pairs]
        print()
        print(f"{'kind':<12} {'queries':>7} {'P@10':>6} {'recall':>7}")
        for kind, pairs in [*by_kind.items(), ("all", everything)]:
            mean_p = sum(p for p, _ in pairs) / len(pairs)
            mean_r = sum(r for _, r in pairs) / len(pairs)
            print(f"{kind:<12} {len(pairs):7d} {mean_p:6.3f} {mean_r:7.3f}")
        mean_p = sum(p for p, _ in everything) / len(everything)
        mean_r = sum(r for _, r in everything) / len(everything)
        met = mean_p >= GOALS["precision"] and mean_r >= GOALS["recall"]
        print(
            f"\n{db.engine.dialect.name}: {len(everything)} queries, precision@10 {mean_p:.3f} "
            f"(goal {GOALS['precision']}), recall {mean_r:.3f} (goal {GOALS['recall']}): "
            + ("met" if met else "NOT met")
        )
        return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
