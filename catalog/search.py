"""Product search: the index column, typo tolerance, filters, ranking and facets.

PostgreSQL: ``catalog_products.search_vector`` is a ``tsvector`` with a GIN index, queried
with ``@@`` and ranked with ``ts_rank_cd``; unknown Latin/Cyrillic words are corrected from
``catalog_search_terms`` with a pg_trgm index. SQLite: the same lexemes as text, matched
with ``LIKE`` (a fallback for development and tests).

What a buyer means: the words are looked for in product names first, then in category names,
then anywhere (descriptions, HS codes) — the first of these that finds something is the
answer, so a description that mentions buckwheat does not bring wheat pasta to a search for
荞麦. A quantity with its unit (``荞麦 20吨``) is read as a quantity, not as words; a search that
finds nothing offers a close query that does ("did you mean").
"""

import math
import re
from decimal import ROUND_CEILING, Decimal

from flask import current_app
from sqlalchemy import (
    Float,
    Integer,
    String,
    and_,
    case,
    desc,
    func,
    literal,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql import cast as sql_cast

from catalog import namesearch, readmodel, searchwords, textsearch
from catalog.facets import category_codes, facet_counts, facet_groups, organic_valid
from catalog.models import Category, District, Producer, Product, SearchTerm
from catalog.queries import in_stock_clause, organic_clause
from catalog.searchwords import TextQuery, correct, read_query  # noqa: F401 - the search API
from core.extensions import db

SORTS = ("relevance", "price", "-price", "newest")
#: Where the words must be, tried in turn until one finds something: names (weight A), names
#: and category names (A, B), anywhere (descriptions C, HS codes D).
TIERS = ("A", "AB", None)
#: The weights ``Product.name_vector`` keeps (the first two rounds look only there).
NAME_WEIGHTS = "AB"


dialect = searchwords.dialect


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
    if dialect() == "postgresql":
        product.search_vector = document.tsvector()
        product.name_vector = document.tsvector(NAME_WEIGHTS)
    else:
        product.search_vector = document.like_text()
    add_vocabulary(document.vocabulary())


def add_vocabulary(terms: dict[str, str]) -> None:
    """Record lexemes with a word as written (kept from the first product that had it)."""
    if not terms:
        return
    insert = (pg_insert if dialect() == "postgresql" else sqlite_insert)(SearchTerm)
    # Cut to the column first: two long terms may share their first 64 characters, and one
    # statement may not update the same row twice.
    cut = {term[:64]: word[:64] for term, word in sorted(terms.items(), reverse=True)}
    rows = [{"term": term, "word": cut[term]} for term in sorted(cut)]
    stmt = insert.on_conflict_do_update(
        index_elements=["term"], set_={"word": insert.excluded.word}, where=SearchTerm.word.is_(None)
    )
    db.session.execute(stmt, rows)


def text_match(groups: list[textsearch.Group], weights: str | None = None):
    """(where clause, rank expression) for parsed words, in fields of ``weights`` (None: all);
    (None, None) if there are no words."""
    if not groups:
        return None, None
    if dialect() == "postgresql":
        query = sql_cast(literal(textsearch.tsquery(groups, weights)), TSQUERY)
        # Names and categories have their own column and index: a word every description
        # has costs nothing in the rounds that look at names.
        vector = (
            Product.name_vector if weights and set(weights) <= set(NAME_WEIGHTS) else Product.search_vector
        )
        return vector.op("@@")(query), func.ts_rank_cd(vector, query)
    vector = Product.search_vector

    def like(term: textsearch.Term):
        if weights is None:
            return vector.like(f"% {term.lexeme}{'%' if term.prefix else '/%'}")
        if term.prefix:  # LIKE's % would run past the word: a pattern that stays inside it
            return vector.regexp_match(f" {re.escape(term.lexeme)}\\S*/[{weights}] ")
        return or_(*[vector.like(f"% {term.lexeme}/{weight} %") for weight in weights])

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


def match_and_rank(q: str):
    """(where clause, rank expression) for the text query in any field, or (None, None) if it has no words."""
    return text_match(read_query(q).groups)


FACET_FILTERS = ("category", "district", "organic")


def _visibility(user, status: str) -> tuple[list, bool]:
    """(clauses, whether they need producers joined): what ``user`` may see with ``status``.

    Buyers and visitors see listed products only (active, of a verified producer): the
    denormalised ``listed`` flag and its partial indexes, no join. The same rows as
    ``queries.visibility_clause``.
    """
    if user is not None and user.role == "admin":
        return [Product.status == status], False
    if user is not None and user.role == "farmer":
        return [or_(Product.listed == true(), Producer.owner_id == user.id), Product.status == status], True
    if status == "active":
        return [Product.listed == true()], False
    return [Product.listed == true(), Product.status == status], False


def _filters(user, args: dict, text_clause, skip=()) -> tuple[list, bool]:
    """(where clauses, whether they need producers joined) for ``args``, less the ``skip`` filters."""
    clauses, join = _visibility(user, args.get("status") or "active")
    if text_clause is not None:
        clauses.append(text_clause)
    if args.get("category") and "category" not in skip:
        clauses.append(Product.category_code.in_(category_codes(args["category"])))
    if args.get("district") and "district" not in skip:
        clauses.append(Producer.district_code == args["district"])
        join = True
    if args.get("producer"):
        clauses.append(Product.producer_id == args["producer"])
    organic = args.get("organic")
    if organic and "organic" not in skip:
        if organic == "any":
            clauses.append(or_(organic_clause("cn"), organic_clause("ru")))
        else:
            clauses.append(organic_clause(organic))
    if args.get("min_price") is not None:
        clauses.append(Product.price_max_cny >= args["min_price"])
    if args.get("max_price") is not None:
        clauses.append(Product.price_min_cny <= args["max_price"])
    if args.get("in_stock") is True:
        clauses.append(in_stock_clause())
    return clauses, join


def _matching(columns, clauses: list, join: bool):
    stmt = select(*columns).select_from(Product)
    if join:
        stmt = stmt.join(Product.producer)
    return stmt.where(*clauses)


def _order(sort: str, rank):
    if sort == "price":
        return [Product.price_min_cny.asc().nulls_last(), Product.id.asc()]
    if sort == "-price":
        return [Product.price_min_cny.desc().nulls_last(), Product.id.desc()]
    if sort == "relevance" and rank is not None:
        return [desc(rank), Product.id.desc()]
    return [Product.created_at.desc(), Product.id.desc()]


def page_statements(
    user, args: dict, *, query: TextQuery | None = None, weights: str | None = None, only_ids=None
):
    """(page statement, count statement, ranked, text clause, rank) for ``args`` — the words
    of ``query`` (default: read from ``args["q"]``) looked for in fields of ``weights``.

    Ranked: the page statement yields ``(id, total)`` rows — the rank is computed in a
    subquery that only carries ``(id, rank)``, so the window count buffers narrow rows, not
    whole products. Otherwise it yields ids in an index order and the total is the count
    statement's (``count(*)``: an index-only scan when only listed products are asked for).
    ``only_ids``: rank these products (the capped candidates of ``_text_candidates``) instead
    of matching the words again.
    """
    page, per_page = args.get("page", 1), args.get("per_page", 20)
    if query is None:
        query = read_query(args.get("q") or "")
    text_clause, rank = text_match(query.groups, weights)
    if only_ids is not None:
        text_clause = Product.id.in_(only_ids)
    clauses, join = _filters(user, args, text_clause)
    sort = args.get("sort") or "relevance"
    count_stmt = _matching([func.count()], clauses, join)
    if rank is not None and sort == "relevance":
        # OFFSET 0 keeps the subquery from being flattened into the window's input.
        ranked = _matching([Product.id.label("id"), rank.label("rank")], clauses, join).offset(0).subquery()
        page_stmt = select(ranked.c.id, func.count().over().label("total")).order_by(
            ranked.c.rank.desc(), ranked.c.id.desc()
        )
        is_ranked = True
    else:
        page_stmt = _matching([Product.id], clauses, join).order_by(*_order(sort, rank))
        is_ranked = False
    page_stmt = page_stmt.limit(per_page).offset((page - 1) * per_page)
    return page_stmt, count_stmt, is_ranked, text_clause, rank


def search_products(user, args: dict, *, with_facets: bool = False) -> dict:
    """One page of products ``user`` may see that match ``args`` (the API's query arguments),
    with ``total``, ``pages``, what was ``understood`` of ``q`` and, when nothing matched, a
    ``suggestion`` that does.

    A fixed number of queries whatever ``per_page``: the page with its total (or the page and
    a count), four eager loads, and one facet query when asked — or, for a ranked search
    without category/district/organic filters, one query for the page, total and facets. The
    words are looked for in names first; only if that finds nothing, in category names, then
    anywhere (a round each).
    """
    page, per_page = args.get("page", 1), args.get("per_page", 20)
    query = read_query(args.get("q") or "")
    capped = False
    for weights in TIERS if query.groups else (None,):
        ids, total, counts, text_clause, capped = _page(user, args, query, weights, with_facets)
        if total or weights is None:
            break
    items = readmodel.load_products(ids) if ids else []
    result = {
        "items": items,
        "total": total,
        "page": page,
        "per_page": per_page,
        "pages": max(1, math.ceil(total / per_page)),
        "total_capped": capped,
        "understood": query.understood() if args.get("q") else None,
        "suggestion": suggest(user, args, query) if not total and query.groups else None,
    }
    if with_facets:
        result["facets"] = counts if counts is not None else facets(user, args, text_clause)
    return result


def _text_candidates(user, args: dict, query: TextQuery) -> tuple[list[int] | None, bool]:
    """(ids, capped) of the last round — words found only in descriptions: the newest
    SEARCH_TEXT_CAP matches, and whether there were more; (None, False) when that round is not
    ranked. A word that many descriptions hold (哈尔滨) would otherwise have every match's
    whole text read to rank it; the newest are found by walking the listing order."""
    cap = current_app.config["SEARCH_TEXT_CAP"]
    if not cap or (args.get("sort") or "relevance") != "relevance":
        return None, False
    text_clause, _ = text_match(query.groups, None)
    clauses, join = _filters(user, args, text_clause)
    newest = _matching([Product.id], clauses, join).order_by(*_order("newest", None)).limit(cap + 1)
    ids = list(db.session.scalars(newest))
    return ids[:cap], len(ids) > cap


def _page(user, args: dict, query: TextQuery, weights: str | None, with_facets: bool):
    """(page ids, total, facets or None, text clause, total capped) of one round of
    ``search_products``."""
    page = args.get("page", 1)
    only_ids, capped = None, False
    if weights is None and query.groups:
        only_ids, capped = _text_candidates(user, args, query)
    if namesearch.usable(user, args, query.groups, weights, dialect()):
        ids, total, counts = namesearch.page(
            args,
            query.groups[0],
            with_facets=with_facets,
        )
        return ids, total, counts, text_match(query.groups, weights)[0], False
    page_stmt, count_stmt, ranked, text_clause, rank = page_statements(
        user, args, query=query, weights=weights, only_ids=only_ids
    )
    counts = None
    if ranked and with_facets and not any(args.get(name) for name in FACET_FILTERS):
        ids, total, counts = _ranked_page_with_facets(user, args, text_clause, rank)
    elif ranked:
        # Ranking reads every match anyway: a window count over the same narrow scan gives
        # the total for free (a separate COUNT doubled the cost of broad searches).
        rows = db.session.execute(page_stmt).all()
        ids = [row.id for row in rows]
        total = rows[0].total if rows else (0 if page == 1 else db.session.scalar(count_stmt))
    else:
        # Ordered by an index (newest, price): the page stops early, the count is its own query.
        total = db.session.scalar(count_stmt)
        ids = list(db.session.scalars(page_stmt))
    return ids, total, counts, text_clause, capped


def suggest(user, args: dict, query: TextQuery) -> str | None:
    """A query close to ``query`` that finds something for ``user`` with the same filters
    ("did you mean"), or None: each word nobody has is replaced by the closest word some
    product has — Chinese by the same pinyin (荞卖 → 荞麦, the usual slip of a pinyin keyboard)
    or one character apart, Latin and Cyrillic by spelling, also across alphabets."""
    suggestion = searchwords.suggestion_text(query)
    if suggestion is None:
        return None
    text_clause, _ = text_match(read_query(suggestion).groups)
    clauses, join = _filters(user, args, text_clause)
    # One match is enough to offer it: counting them all took a second at a million products.
    found = db.session.scalar(_matching([Product.id], clauses, join).limit(1))
    return suggestion if found is not None else None


def _ranked_page_with_facets(user, args: dict, text_clause, rank) -> tuple[list[int], int, dict]:
    """(page ids, total, facets) in one pass over the matches, for a search whose facets count
    the same rows as its page (no category, district or organic filter).

    The matches — id, rank and the three facet keys — are read once into a CTE; the page is its
    top ``per_page`` by rank; one aggregate by (category, producer, organic claim) gives a few
    hundred groups that each facet sums; the category counts add up to the total.
    """
    page, per_page = args.get("page", 1), args.get("per_page", 20)
    clauses, join = _filters(user, args, text_clause)
    matches = _matching(
        [
            Product.id.label("id"),
            rank.label("rank"),
            Product.category_code.label("category_code"),
            Product.producer_id.label("producer_id"),
            Product.organic_claim.label("organic_claim"),
        ],
        clauses,
        join,
    ).cte("matches")
    top = (
        select(matches.c.id, matches.c.rank)
        .order_by(matches.c.rank.desc(), matches.c.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
        .subquery()
    )
    # One aggregate over the matches (a few hundred groups), then each facet sums its groups.
    groups = (
        select(
            matches.c.category_code,
            matches.c.producer_id,
            matches.c.organic_claim,
            func.count().label("n"),
        )
        .group_by(matches.c.category_code, matches.c.producer_id, matches.c.organic_claim)
        .cte("groups")
    )
    cn, ru = (organic_valid(groups.c.producer_id, claim) for claim in ("cn", "ru"))
    no_text, no_int = sql_cast(null(), String), sql_cast(null(), Integer)
    no_rank = sql_cast(null(), Float)

    def count_if(condition):
        return func.coalesce(func.sum(case((condition, groups.c.n), else_=0)), 0)

    parts = [
        select(literal(0).label("part"), top.c.id, top.c.rank, no_text.label("key"), no_int, no_int),
        select(literal(1), no_int, no_rank, groups.c.category_code, func.sum(groups.c.n), no_int).group_by(
            groups.c.category_code
        ),
        select(literal(2), no_int, no_rank, Producer.district_code, func.sum(groups.c.n), no_int)
        .join(Producer, Producer.id == groups.c.producer_id)
        .group_by(Producer.district_code),
        select(
            literal(3),
            no_int,
            no_rank,
            no_text,
            count_if(and_(groups.c.organic_claim == true(), cn)),
            count_if(and_(groups.c.organic_claim == true(), ru)),
        ),
    ]
    rows = db.session.execute(union_all(*parts)).all()
    page_rows = sorted((row for row in rows if row[0] == 0), key=lambda row: (row[2], row[1]), reverse=True)
    by_category = {row[3]: int(row[4]) for row in rows if row[0] == 1}
    by_district = {row[3]: int(row[4]) for row in rows if row[0] == 2}
    organic = next(row for row in rows if row[0] == 3)
    counts = {
        "category": by_category,
        "district": by_district,
        "organic": {"cn": int(organic[4]), "ru": int(organic[5])},
    }
    return [row[1] for row in page_rows], sum(by_category.values()), counts


def facets(user, args: dict, text_clause) -> dict:
    """Counts per category, district and organic claim; each ignores its own filter.

    One pass over the matches without those three filters, grouped by (category, producer,
    organic claim) — at most a few thousand groups — joined to the producers' district and
    valid organic certificates; each facet then sums the groups that pass the other two.
    """
    clauses, join = _filters(user, args, text_clause, skip=FACET_FILTERS)
    groups = (
        _matching(
            [Product.category_code, Product.producer_id, Product.organic_claim, func.count().label("n")],
            clauses,
            join,
        )
        .group_by(Product.category_code, Product.producer_id, Product.organic_claim)
        .subquery()
    )
    return facet_counts(db.session.execute(facet_groups(groups)).all(), args)


def quantities_in_units(products, understood: dict | None) -> dict[int, Decimal]:
    """Product id → the quantity a search named (``荞麦 20吨``) in that product's own unit,
    for the products it converts to: by weight (kg, t) through each unit's net weight, or
    the same unit. Rounded up to what the unit allows (20 t of 25 kg bags is 800 bags)."""
    if not understood or not understood.get("quantity"):
        return {}
    amount, unit = Decimal(understood["quantity"]), understood["unit"]
    kilograms = {"kg": amount, "tonne": amount * 1000}.get(unit)
    out = {}
    for product in products:
        if product.unit == unit:
            value = amount
        elif kilograms is None:
            continue
        elif product.unit == "kg":
            value = kilograms
        elif product.unit == "tonne":
            value = kilograms / 1000
        elif product.net_weight_kg:
            value = kilograms / product.net_weight_kg
        else:
            continue
        step = Decimal(1).scaleb(-product.quantity_decimals)
        value = (value / step).to_integral_value(rounding=ROUND_CEILING) * step
        out[product.id] = Decimal(format(value.normalize(), "f"))  # "20000", never "2E+4"
    return out


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
