"""The names round of a buyer's search from ``catalog_name_postings`` (PostgreSQL).

A word that one product in ten has in its name (荞麦, гречка, buckwheat) matches thousands of
products. Through the GIN index each of them is a row of ``catalog_products`` to read — a
wide heap page per match — to check the lexeme's weight and to compute ``ts_rank_cd``. The
postings (migration 0023, kept by triggers) hold each listed product's name lexemes with
their number of positions and the facet keys under a covering primary key: the same round is
an index-only scan of a few hundred pages.

Same answer as the GIN round: for a query of alternatives (``'荞麦':A | '~buckwheat':A``)
``ts_rank_cd`` is the sum of the matched positions' weights, 1 for weight A — the postings'
``hits`` added up. Used for what most searches are: one word (any number of alternatives,
each one lexeme), by a visitor or a buyer, by relevance, with or without the category,
district, producer and organic filters. Several words, prices, stock, another order or
another role take the GIN round.
"""

from sqlalchemy import (
    Boolean,
    Integer,
    String,
    and_,
    column,
    func,
    literal,
    null,
    or_,
    select,
    table,
    union_all,
)
from sqlalchemy.sql import cast as sql_cast

from catalog.facets import category_codes, facet_counts, facet_groups, organic_valid
from catalog.models import Producer
from core.extensions import db

POSTINGS = table(
    "catalog_name_postings",
    column("lexeme", String),
    column("product_id", Integer),
    column("hits", Integer),
    column("category_code", String),
    column("producer_id", Integer),
    column("organic_claim", Boolean),
)

#: The postings of listed products (what the triggers write), for bulk loads: append more
#: conditions on ``p`` with AND.
FILL_FROM_PRODUCTS = """
INSERT INTO catalog_name_postings (lexeme, product_id, hits, category_code, producer_id, organic_claim)
SELECT u.lexeme, p.id, (SELECT count(*) FROM unnest(u.weights) AS w WHERE w = 'A')::smallint,
       p.category_code, p.producer_id, p.organic_claim
  FROM catalog_products AS p, unnest(p.name_vector) AS u
 WHERE 'A' = ANY (u.weights) AND p.listed
"""

#: Filters the postings can apply; any other one sends the search through the GIN round.
HANDLED = {"q", "category", "district", "organic", "producer", "page", "per_page", "facets", "sort", "status"}


def usable(user, args: dict, groups, weights: str | None, dialect: str) -> bool:
    """Whether this round of ``groups`` can be read from the postings."""
    if dialect != "postgresql" or weights != "A" or len(groups) != 1:
        return False
    if any(len(alternative) != 1 for alternative in groups[0].alternatives):
        return False
    if user is not None and user.role != "buyer":  # farmers see their own drafts; admins all
        return False
    if (args.get("status") or "active") != "active" or (args.get("sort") or "relevance") != "relevance":
        return False
    return not any(value not in (None, "", False) for key, value in args.items() if key not in HANDLED)


def _postings(exact: list[str], prefixes: list[str], producer_id):
    """The postings of the words: one index-only range per exact list and per prefix, each
    posting once. (``lexeme IN (…) OR lexeme LIKE 'p%'`` made PostgreSQL OR two bitmaps and read
    the table's pages instead: 0.75 s for ``grechka`` at a million products.)"""
    parts = []
    if exact:
        parts.append([POSTINGS.c.lexeme.in_(exact)])
    for i, prefix in enumerate(prefixes):
        where = [POSTINGS.c.lexeme.startswith(prefix, autoescape=True)]
        if exact:
            where.append(POSTINGS.c.lexeme.not_in(exact))
        where += [~POSTINGS.c.lexeme.startswith(p, autoescape=True) for p in prefixes[:i]]
        parts.append(where)
    if producer_id:
        parts = [where + [POSTINGS.c.producer_id == producer_id] for where in parts]
    selects = [select(*POSTINGS.c).where(*where) for where in parts]
    return (selects[0] if len(selects) == 1 else union_all(*selects)).subquery("postings")


def page(args: dict, group, *, with_facets: bool):
    """(page ids, total, facets or None) in one statement: the matches grouped by product,
    the page of them that passes the filters, and (when asked) their facet groups."""
    page_no, per_page = args.get("page", 1), args.get("per_page", 20)
    exact = sorted({t.lexeme for (t,) in group.alternatives if not t.prefix})
    prefixes = sorted({t.lexeme for (t,) in group.alternatives if t.prefix})
    postings = _postings(exact, prefixes, args.get("producer"))
    columns = [postings.c.product_id.label("id"), func.sum(postings.c.hits).label("rank")]
    if with_facets or any(args.get(name) for name in ("category", "district", "organic")):
        # Every row of a product carries the same keys: min() and bool_or() just pick them.
        columns += [
            func.min(postings.c.category_code).label("category_code"),
            func.min(postings.c.producer_id).label("producer_id"),
            func.bool_or(postings.c.organic_claim).label("organic_claim"),
        ]
    matches = select(*columns).group_by(postings.c.product_id).cte("matches")
    if with_facets:  # read twice (the page, the facet groups): once from the index
        matches = matches.prefix_with("MATERIALIZED")
    passing = []
    if args.get("category"):
        passing.append(matches.c.category_code.in_(category_codes(args["category"])))
    if args.get("district"):
        passing.append(
            matches.c.producer_id.in_(select(Producer.id).where(Producer.district_code == args["district"]))
        )
    organic = args.get("organic")
    if organic:
        claims = ("cn", "ru") if organic == "any" else (organic,)
        valid = or_(*[organic_valid(matches.c.producer_id, claim) for claim in claims])
        passing.append(and_(matches.c.organic_claim, valid))
    top = (
        select(matches.c.id, matches.c.rank, func.count().over().label("total"))
        .where(*passing)
        .order_by(matches.c.rank.desc(), matches.c.id.desc())
        .limit(per_page)
        .offset((page_no - 1) * per_page)
        .subquery()
    )
    no_text, no_bool = sql_cast(null(), String), sql_cast(null(), Boolean)
    parts = [
        select(
            literal(0).label("part"),
            top.c.id,
            top.c.rank,
            top.c.total,
            no_text.label("category_code"),
            no_text.label("district_code"),
            no_bool.label("organic_claim"),
            no_bool.label("cn"),
            no_bool.label("ru"),
        )
    ]
    if with_facets:
        groups = (
            select(
                matches.c.category_code,
                matches.c.producer_id,
                matches.c.organic_claim,
                func.count().label("n"),
            )
            .group_by(matches.c.category_code, matches.c.producer_id, matches.c.organic_claim)
            .subquery()
        )
        keyed = facet_groups(groups).subquery()
        no_int = sql_cast(null(), Integer)
        parts.append(
            select(
                literal(1),
                no_int,
                no_int,
                keyed.c.n,
                keyed.c.category_code,
                keyed.c.district_code,
                keyed.c.organic_claim,
                keyed.c.cn,
                keyed.c.ru,
            )
        )
    rows = db.session.execute(union_all(*parts)).all()
    page_rows = sorted((r for r in rows if r.part == 0), key=lambda r: (r.rank, r.id), reverse=True)
    ids = [r.id for r in page_rows]
    if page_rows:
        total = int(page_rows[0].total)
    elif page_no == 1:
        total = 0
    else:  # past the last page: the count on its own
        total = db.session.scalar(select(func.count()).select_from(matches).where(*passing))
    facets = None
    if with_facets:
        groups_rows = [
            (r.category_code, r.district_code, r.organic_claim, r.cn, r.ru, int(r.total))
            for r in rows
            if r.part == 1
        ]
        facets = facet_counts(groups_rows, args)
    return ids, total, facets
