"""The names round from the postings (PostgreSQL): the triggers keep them in step with every
write, and a search read from them answers exactly what the GIN round answers."""

import pytest
from sqlalchemy import text

from catalog import namesearch, search
from catalog.models import Producer, Product
from core.extensions import db
from tests import factories
from tests.catalog.helpers import statements_during
from tests.catalog.test_search_meaning import goods  # noqa: F401 - the shared catalog fixture

pytestmark = pytest.mark.usefixtures("postgres_only")


@pytest.fixture
def postgres_only(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the postings are PostgreSQL's (SQLite searches with LIKE)")


def postings(product_id) -> dict[str, int]:
    rows = db.session.execute(
        text("SELECT lexeme, hits FROM catalog_name_postings WHERE product_id = :id"), {"id": product_id}
    )
    return dict(rows.all())


def test_a_listed_product_has_its_name_lexemes_with_their_hits():
    product = factories.ProductFactory(name_zh="荞麦米", name_ru="Гречка", name_en="Buckwheat groats")
    db.session.commit()
    rows = postings(product.id)
    assert rows["荞麦"] >= 1 and rows["гречк"] >= 1 and rows["buckwheat"] >= 1
    # the same numbers ts_rank_cd adds up for a query of one lexeme
    for lexeme in ("荞麦", "гречк", "buckwheat"):
        rank = db.session.scalar(
            text(
                "SELECT ts_rank_cd(name_vector, to_tsquery('simple', :q)) "
                "FROM catalog_products WHERE id = :id"
            ),
            {"q": f"'{lexeme}':A", "id": product.id},
        )
        assert rank == pytest.approx(rows[lexeme])
    assert "грана" not in rows  # category words (weight B) are not name lexemes


def test_renaming_replaces_the_lexemes(app):
    product = factories.ProductFactory(name_zh="荞麦米", name_ru="Гречка", name_en="Buckwheat")
    db.session.commit()
    product.name_en, product.name_ru, product.name_zh = "Linden honey", "Мёд липовый", "椴树蜂蜜"
    search.index_product(product)
    db.session.commit()
    rows = postings(product.id)
    assert "buckwheat" not in rows and "荞麦" not in rows
    assert {"linden", "椴树"} <= set(rows)


def test_only_listed_products_have_postings(app):
    product = factories.ProductFactory(name_en="Buckwheat")
    draft = factories.ProductFactory(name_en="Buckwheat", status="draft")
    db.session.commit()
    assert postings(product.id) and not postings(draft.id)
    # a producer rejected in one statement takes all its products off the postings
    producer = db.session.get(Producer, product.producer_id)
    producer.status = "rejected"
    db.session.commit()
    assert not postings(product.id)
    producer.status = "verified"
    db.session.commit()
    assert postings(product.id)
    product_id = product.id
    db.session.delete(db.session.get(Product, product_id))
    db.session.commit()
    assert not postings(product_id)


def test_stock_and_price_writes_leave_the_postings_alone(app):
    product = factories.ProductFactory(name_en="Buckwheat")
    db.session.commit()
    before = db.session.scalar(
        text("SELECT max(xmin::text::bigint) FROM catalog_name_postings WHERE product_id = :id"),
        {"id": product.id},
    )
    product.stock_on_hand += 1
    db.session.commit()
    after = db.session.scalar(
        text("SELECT max(xmin::text::bigint) FROM catalog_name_postings WHERE product_id = :id"),
        {"id": product.id},
    )
    assert before == after


QUERIES = ["荞麦", "гречка", "grechka", "buckwheat", "蜂蜜", "мёд", "亚麻油", "qiaomai", "lin", "荞卖"]
FILTERS = [
    {},
    {"category": "grains"},
    {"category": "honey"},
    {"district": "uvelsky"},
    {"district": "nowhere"},
    {"organic": "any"},
    {"organic": "cn"},
    {"page": 2, "per_page": 2},
    {"page": 9, "per_page": 2},
]


@pytest.mark.parametrize("q", QUERIES)
def test_the_postings_answer_as_the_gin_index_does(goods, monkeypatch, q):  # noqa: F811
    factories.CertificateFactory(producer=goods["groats"].producer)
    db.session.commit()
    real = namesearch.usable
    for filters in FILTERS:
        args = {"q": q, **filters}
        monkeypatch.setattr(namesearch, "usable", real)
        read = search.search_products(None, dict(args), with_facets=True)
        monkeypatch.setattr(namesearch, "usable", lambda *a: False)
        expected = search.search_products(None, dict(args), with_facets=True)
        assert [p.id for p in read["items"]] == [p.id for p in expected["items"]], filters
        assert (read["total"], read["pages"], read["facets"]) == (
            expected["total"],
            expected["pages"],
            expected["facets"],
        ), filters


def test_a_buyer_and_a_visitor_read_the_postings_others_do_not(app, goods, monkeypatch):  # noqa: F811
    used = []
    real = namesearch.usable

    def spy(*a):
        used.append(real(*a))
        return used[-1]

    monkeypatch.setattr(namesearch, "usable", spy)
    buyer = factories.UserFactory(role="buyer")
    farmer = goods["groats"].producer.owner
    admin = factories.UserFactory(role="admin")
    for user in (None, buyer, farmer, admin):
        used.clear()
        search.search_products(user, {"q": "荞麦"})
        assert used[0] is (user in (None, buyer))
    used.clear()
    search.search_products(None, {"q": "荞麦", "max_price": 10})
    assert used[0] is False


def test_a_draft_is_found_by_its_farmer_not_by_buyers(app):
    draft = factories.ProductFactory(name_en="Buckwheat", status="draft")
    listed = factories.ProductFactory(name_en="Buckwheat")
    db.session.commit()
    assert [p.id for p in search.search_products(None, {"q": "buckwheat"})["items"]] == [listed.id]
    farmer = draft.producer.owner
    mine = search.search_products(farmer, {"q": "buckwheat", "status": "draft"})["items"]
    assert [p.id for p in mine] == [draft.id]


def test_a_search_from_the_postings_is_one_statement_and_the_products(api, goods):  # noqa: F811
    statements, response = statements_during(api, "/api/v1/products?q=荞麦&facets=true")
    assert response.status_code == 200 and response.get_json()["total"] == 6
    assert len([s for s in statements if "catalog_name_postings" in s]) == 1
    assert not [s for s in statements if "name_vector @@" in s]


def test_verifying_a_producer_lists_its_products_in_the_postings(app):
    producer = factories.ProducerFactory(status="pending")
    product = factories.ProductFactory(producer=producer, name_en="Buckwheat")
    db.session.commit()
    assert not postings(product.id)
    producer.status = "verified"  # one UPDATE of all its products, no product loaded
    db.session.commit()
    assert postings(product.id)
