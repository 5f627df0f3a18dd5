"""The denormalised ``Product.listed`` flag stays in step with product and producer status, and
the fast search paths (listed-only filters, one-pass page + facets, typo terms dropped) return
what the general ones do."""

from sqlalchemy import select

from catalog import search, textsearch
from catalog.models import Product
from catalog.services import producers, products
from core.extensions import db
from tests import factories


def stored_listed(product) -> bool:
    """The flag as stored, not as the session remembers it."""
    db.session.expire_all()
    return db.session.scalar(select(Product.listed).where(Product.id == product.id))


def test_listed_follows_product_and_producer_status(api):
    admin = factories.UserFactory(role="admin")
    producer = factories.ProducerFactory(status="pending")
    draft = factories.ProductFactory(producer=producer, status="draft")
    active = factories.ProductFactory(producer=producer, status="active")
    db.session.commit()
    assert not stored_listed(draft) and not stored_listed(active)

    producers.verify_producer(admin, producer)
    assert not stored_listed(draft) and stored_listed(active)
    assert active.listed is True  # the loaded object is refreshed too

    producers.reject_producer(admin, producer, "Blurred GACC scan")
    assert not stored_listed(active)

    producer.status = "verified"
    db.session.commit()
    assert stored_listed(active)
    products.archive_product(admin, active)
    assert not stored_listed(active)

    owner = producer.owner
    products.update_product(owner, draft, {"status": "active"})
    assert stored_listed(draft)

    # New credentials send a verified profile back to review: its products leave the catalog.
    producers.update_producer(owner, producer, {"name": {"ru": "ООО Новое имя"}})
    assert producer.status == "pending" and not stored_listed(draft)


def test_listed_of_new_products_and_producer_changes_in_one_flush():
    producer = factories.ProducerFactory(status="pending")
    product = factories.ProductFactory(producer=producer)
    db.session.commit()
    assert not stored_listed(product)
    # Both change before one flush: the product's own value wins over the bulk update.
    producer.status = "verified"
    product.status = "active"
    db.session.commit()
    assert stored_listed(product)
    producer.status = "pending"
    product.status = "archived"
    db.session.commit()
    assert not stored_listed(product)
    producer.status = "verified"
    db.session.commit()
    assert not stored_listed(product)  # archived stays unlisted


def test_buyers_see_listed_products_only_and_farmers_also_their_own(api):
    mine = factories.ProducerFactory(status="pending")
    other = factories.ProducerFactory()
    hidden = factories.ProductFactory(producer=mine, name_en="Buckwheat hidden")
    shown = factories.ProductFactory(producer=other, name_en="Buckwheat shown")
    draft = factories.ProductFactory(producer=other, name_en="Buckwheat draft", status="draft")

    def ids(query):
        return {item["id"] for item in api.get(f"/api/v1/products?{query}").get_json()["items"]}

    assert ids("q=buckwheat") == {shown.id}
    assert ids("sort=newest") == {shown.id}
    assert ids("status=draft") == set()
    api.as_user(mine.owner)
    assert ids("q=buckwheat") == {shown.id, hidden.id}
    api.as_user(other.owner)
    assert ids("q=buckwheat&status=draft") == {draft.id}


def test_one_pass_page_and_facets_match_the_general_queries(api):
    uvelka = factories.ProducerFactory(district_code="uvelsky")
    factories.CertificateFactory(producer=uvelka, kind="organic_cn")
    kunashak = factories.ProducerFactory(district_code="kunashaksky")
    factories.CertificateFactory(producer=kunashak, kind="organic_ru")
    for i in range(7):
        factories.ProductFactory(
            producer=(uvelka, kunashak)[i % 2],
            name_en=f"Buckwheat {'groats ' * (i % 3)}{i}",
            category_code=("grains", "flour_pasta", "honey")[i % 3],
            organic_claim=i % 3 != 1,
        )
    for page in (1, 2, 3):
        args = {"q": "buckwheat", "page": page, "per_page": 3}
        page_stmt, count_stmt, ranked, text_clause, rank = search.page_statements(None, args)
        rows = db.session.execute(page_stmt).all()
        ids, total, facets = search._ranked_page_with_facets(None, args, text_clause, rank)
        assert ids == [row.id for row in rows]
        assert total == db.session.scalar(count_stmt) == 7
        assert facets == search.facets(None, args, text_clause)
    body = api.get("/api/v1/products?q=buckwheat&facets=true").get_json()
    assert body["facets"]["organic"] == {"cn": 3, "ru": 2}
    assert body["facets"]["district"] == {"uvelsky": 4, "kunashaksky": 3}
    # No match at all: empty facets, total 0.
    body = api.get("/api/v1/products?q=pineapple&facets=true").get_json()
    assert body["total"] == 0
    assert body["facets"] == {"category": {}, "district": {}, "organic": {"cn": 0, "ru": 0}}


def test_a_misspelt_word_nobody_has_is_replaced_not_kept(api):
    groats = factories.ProductFactory(name_en="Buckwheat groats")
    # Named "buckwheat…" in English only: the factory's Chinese and Russian names are buckwheat.
    factories.ProductFactory(name_en="Buckwheatish flakes", name_zh="燕麦片", name_ru="Хлопья")
    groups = textsearch.parse_query("buckweat")
    search.correct(groups)
    lexemes = {t.lexeme for alt in groups[0].alternatives for t in alt}
    assert "buckweat" not in lexemes and "buckwheat" in lexemes
    # A prefix that longer words have is kept: "buckwheati…" still finds "buckwheatish".
    groups = textsearch.parse_query("buckwheati")
    search.correct(groups)
    assert ("buckwheati", True) in {(t.lexeme, t.prefix) for alt in groups[0].alternatives for t in alt}
    # Corrections are whole words (as before): the typo finds "buckwheat", not "buckwheatish".
    body = api.get("/api/v1/products?q=buckweat").get_json()
    assert [item["id"] for item in body["items"]] == [groats.id] and body["total"] == 1
