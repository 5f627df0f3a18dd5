"""Facets of a search: the counts per category, district and organic claim a catalog page
shows beside its results, from groups of matches by (category, producer, organic claim). Used
by the GIN rounds (``catalog.search``) and the name postings' round (``catalog.namesearch``)."""

from sqlalchemy import Integer, exists, func, select
from sqlalchemy.sql import cast as sql_cast

from catalog.data import ORGANIC_KINDS
from catalog.models import Category, Certificate, Producer, today
from core.extensions import db


def category_codes(category: str) -> list[str]:
    return [category] + list(
        db.session.scalars(select(Category.code).where(Category.parent_code == category))
    )


def organic_valid(producer_id, claim: str):
    """The producer holds a valid certificate backing organic ``claim`` today."""
    on = today()
    return exists().where(
        Certificate.producer_id == producer_id,
        Certificate.kind == ORGANIC_KINDS[claim],
        Certificate.valid_from <= on,
        Certificate.valid_until >= on,
    )


def facet_groups(groups):
    """(category, district, organic claim, valid cn, valid ru, n) from groups of matches by
    (category, producer, organic claim): producers summed into their districts in the
    database, so a broad word returns a few hundred rows rather than one per producer."""
    keyed = (
        select(
            groups.c.category_code,
            Producer.district_code,
            groups.c.organic_claim,
            organic_valid(groups.c.producer_id, "cn").label("cn"),
            organic_valid(groups.c.producer_id, "ru").label("ru"),
            groups.c.n,
        )
        .join(Producer, Producer.id == groups.c.producer_id)
        .subquery()
    )
    keys = (keyed.c.category_code, keyed.c.district_code, keyed.c.organic_claim, keyed.c.cn, keyed.c.ru)
    return select(*keys, sql_cast(func.sum(keyed.c.n), Integer).label("n")).group_by(*keys)


def facet_counts(rows, args: dict) -> dict:
    """Facets from ``(category, district, organic claim, valid cn, valid ru, n)`` groups."""
    category, district, organic = args.get("category"), args.get("district"), args.get("organic")
    codes = set(category_codes(category)) if category else None
    by_category: dict[str, int] = {}
    by_district: dict[str, int] = {}
    organic_counts = {"cn": 0, "ru": 0}
    for category_code, district_code, claim, cn, ru, n in rows:
        cn, ru = bool(claim and cn), bool(claim and ru)
        category_ok = codes is None or category_code in codes
        district_ok = not district or district_code == district
        organic_ok = not organic or (cn or ru if organic == "any" else {"cn": cn, "ru": ru}[organic])
        if district_ok and organic_ok:
            by_category[category_code] = by_category.get(category_code, 0) + n
        if category_ok and organic_ok:
            by_district[district_code] = by_district.get(district_code, 0) + n
        if category_ok and district_ok:
            organic_counts["cn"] += n if cn else 0
            organic_counts["ru"] += n if ru else 0
    return {"category": by_category, "district": by_district, "organic": organic_counts}
