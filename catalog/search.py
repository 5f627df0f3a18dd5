"""Product search: the index column, typo tolerance, filters, ranking and facets.

PostgreSQL: ``catalog_products.search_vector`` is a ``tsvector`` with a GIN index, queried
with ``@@`` and ranked with ``ts_rank_cd``; unknown Latin/Cyrillic words are corrected from
``catalog_search_terms`` with a pg_trgm index. SQLite: the same lexemes as text, matched
with ``LIKE`` (a fallback for development and tests).
"""

import difflib
from decimal import Decimal

from sqlalchemy import case, desc, func, literal, select
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import contains_eager, joinedload, selectinload
from sqlalchemy.sql import cast as sql_cast

from catalog import textsearch
from catalog.models import Category, District, Producer, Product, SearchTerm
from catalog.queries import in_stock_clause, organic_clause, visibility_clause
from core.extensions import db

SORTS = ("relevance", "price", "-price", "newest")
MAX_CORRECTIONS = 3


def dialect() -> str:
    return db.session.get_bind().dialect.name


def product_document(product: Product) -> textsearch.Document:
    category = product.category or db.session.get(Category, product.category_code)
    return textsearch.product_document(
        names=product.names,
        descriptions=product.descriptions,
        category_names=category.names if category else {},
        hs_code=product.hs_code,
    )


def index_product(product: Product) -> None:
    """Refresh the product's search lexemes and the typo vocabulary (inside the caller's transaction)."""
    document = product_document(product)
    product.search_vector = document.tsvector() if dialect() == "postgresql" else document.like_text()
    add_vocabulary(document.vocabulary())


def add_vocabulary(terms: set[str]) -> None:
    if not terms:
        return
    insert = pg_insert if dialect() == "postgresql" else sqlite_insert
    rows = [{"term": t[:64]} for t in sorted(terms)]
    db.session.execute(insert(SearchTerm).on_conflict_do_nothing(), rows)


def correct(groups: list[textsearch.Group]) -> None:
    """Add close vocabulary words as alternatives for words nobody has used (typos)."""
    wanted = {g.correctable for g in groups if g.correctable}
    if not wanted:
        return
    known = set(db.session.scalars(select(SearchTerm.term).where(SearchTerm.term.in_(wanted))))
    for group in groups:
        word = group.correctable
        if not word or word in known:
            continue
        if dialect() == "postgresql":
            similarity = func.similarity(SearchTerm.term, word)
            stmt = (
                select(SearchTerm.term, similarity)
                .where(SearchTerm.term.op("%")(word))
                .order_by(similarity.desc(), SearchTerm.term)
                .limit(MAX_CORRECTIONS)
            )
            scored = [(term, float(score)) for term, score in db.session.execute(stmt)]
        else:
            pool = db.session.scalars(select(SearchTerm.term).where(SearchTerm.term.like(word[:1] + "%")))
            scored = [
                (term, difflib.SequenceMatcher(None, word, term).ratio())
                for term in difflib.get_close_matches(word, list(pool), n=MAX_CORRECTIONS, cutoff=0.75)
            ]
        # Only the closest spellings: a far second guess adds noise ("linsed" is not "linden").
        best = max((score for _, score in scored), default=0)
        candidates = [term for term, score in scored if score >= best - 0.1]
        group.alternatives += [(textsearch.Term(c),) for c in candidates]


def match_and_rank(q: str):
    """(where clause, rank expression) for the text query, or (None, None) if it has no words."""
    groups = textsearch.parse_query(q)
    if not groups:
        return None, None
    correct(groups)
    if dialect() == "postgresql":
        query = sql_cast(literal(textsearch.tsquery(groups)), TSQUERY)
        return Product.search_vector.op("@@")(query), func.ts_rank_cd(Product.search_vector, query)
    vector = Product.search_vector

    def like(term: textsearch.Term):
        return vector.like(f"% {term.lexeme}{'%' if term.prefix else '/%'}")

    from sqlalchemy import and_, or_

    where = and_(*[or_(*[and_(*[like(t) for t in alt]) for alt in g.alternatives]) for g in groups])
    rank = sum(
        (
            case((vector.like(f"% {t.lexeme}/A %"), 3), (like(t), 1), else_=0)
            for g in groups
            for alt in g.alternatives
            for t in alt
        ),
        literal(0),
    )
    return where, rank


def _filters(user, args: dict, text_clause, skip: str | None = None) -> list:
    clauses = [visibility_clause(user), Product.status == (args.get("status") or "active")]
    if text_clause is not None:
        clauses.append(text_clause)
    if args.get("category") and skip != "category":
        codes = [args["category"]] + list(
            db.session.scalars(select(Category.code).where(Category.parent_code == args["category"]))
        )
        clauses.append(Product.category_code.in_(codes))
    if args.get("district") and skip != "district":
        clauses.append(Producer.district_code == args["district"])
    if args.get("producer"):
        clauses.append(Product.producer_id == args["producer"])
    organic = args.get("organic")
    if organic and skip != "organic":
        if organic == "any":
            from sqlalchemy import or_

            clauses.append(or_(organic_clause("cn"), organic_clause("ru")))
        else:
            clauses.append(organic_clause(organic))
    if args.get("min_price") is not None:
        clauses.append(Product.price_max_cny >= args["min_price"])
    if args.get("max_price") is not None:
        clauses.append(Product.price_min_cny <= args["max_price"])
    if args.get("in_stock") is True:
        clauses.append(in_stock_clause())
    return clauses


def _order(sort: str, rank):
    if sort == "price":
        return [Product.price_min_cny.asc().nulls_last(), Product.id.asc()]
    if sort == "-price":
        return [Product.price_min_cny.desc().nulls_last(), Product.id.desc()]
    if sort == "relevance" and rank is not None:
        return [desc(rank), Product.id.desc()]
    return [Product.created_at.desc(), Product.id.desc()]


def search_products(user, args: dict, *, with_facets: bool = False) -> dict:
    """One page of products ``user`` may see that match ``args`` (the API's query arguments).

    A fixed number of queries whatever ``per_page``: the page with its total, four eager
    loads, and three facet counts when asked.
    """
    page, per_page = args.get("page", 1), args.get("per_page", 20)
    text_clause, rank = match_and_rank(args.get("q") or "")
    clauses = _filters(user, args, text_clause)
    sort = args.get("sort") or "relevance"
    order = _order(sort, rank)
    count_stmt = select(func.count(Product.id)).join(Product.producer).where(*clauses)
    ids_stmt = select(Product.id).join(Product.producer).where(*clauses).order_by(*order)
    ids_stmt = ids_stmt.limit(per_page).offset((page - 1) * per_page)
    if rank is not None and sort == "relevance":
        # Ranking reads every match anyway: a window count over the same narrow scan gives
        # the total for free (a separate COUNT doubled the cost of broad searches).
        rows = db.session.execute(ids_stmt.add_columns(func.count().over().label("total"))).all()
        ids = [row.id for row in rows]
        total = rows[0].total if rows else (0 if page == 1 else db.session.scalar(count_stmt))
    else:
        # Ordered by an index (newest, price): the page stops early, the count is its own query.
        total = db.session.scalar(count_stmt)
        ids = list(db.session.scalars(ids_stmt))
    items = []
    if ids:
        loaded = db.session.scalars(
            select(Product)
            .join(Product.producer)
            .where(Product.id.in_(ids))
            .options(
                contains_eager(Product.producer).selectinload(Producer.certificates),
                joinedload(Product.category),
                selectinload(Product.price_tiers),
                selectinload(Product.lots),
                selectinload(Product.photos),
            )
        ).unique()
        by_id = {product.id: product for product in loaded}
        items = [by_id[i] for i in ids]
    result = {"items": items, "total": total, "page": page, "per_page": per_page}
    if with_facets:
        result["facets"] = facets(user, args, text_clause)
    return result


def facets(user, args: dict, text_clause) -> dict:
    """Counts per category, district and organic claim; each ignores its own filter."""
    by_category = db.session.execute(
        select(Product.category_code, func.count(Product.id))
        .join(Product.producer)
        .where(*_filters(user, args, text_clause, skip="category"))
        .group_by(Product.category_code)
    ).all()
    by_district = db.session.execute(
        select(Producer.district_code, func.count(Product.id))
        .select_from(Product)
        .join(Product.producer)
        .where(*_filters(user, args, text_clause, skip="district"))
        .group_by(Producer.district_code)
    ).all()
    organic = db.session.execute(
        select(
            func.coalesce(func.sum(case((organic_clause("cn"), 1), else_=0)), 0),
            func.coalesce(func.sum(case((organic_clause("ru"), 1), else_=0)), 0),
        )
        .select_from(Product)
        .join(Product.producer)
        .where(*_filters(user, args, text_clause, skip="organic"))
    ).one()
    return {
        "category": {code: count for code, count in by_category},
        "district": {code: count for code, count in by_district},
        "organic": {"cn": int(organic[0]), "ru": int(organic[1])},
    }


def known_codes(model, code: str | None) -> bool:
    return code is None or db.session.get(model, code) is not None


def check_filters(args: dict) -> dict:
    """Field errors for filter values that name nothing."""
    from flask_babel import lazy_gettext as _l

    errors = {}
    if not known_codes(Category, args.get("category")):
        errors["category"] = [_l("Unknown category.")]
    if not known_codes(District, args.get("district")):
        errors["district"] = [_l("Unknown district.")]
    low, high = args.get("min_price"), args.get("max_price")
    if low is not None and high is not None and Decimal(low) > Decimal(high):
        errors["max_price"] = [_l("The highest price is below the lowest.")]
    return errors
