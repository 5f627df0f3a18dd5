"""Search in Chinese (words, Traditional script, pinyin), Russian and English; filters,
facets, sorting, paging and a query count that does not grow with the page size."""

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import event

from catalog import textsearch
from core.extensions import db
from tests import factories
from tests.catalog.helpers import statements_during

D = Decimal


@pytest.fixture
def catalog():
    """A small catalog in three languages."""
    uvelka = factories.ProducerFactory(district_code="uvelsky")
    factories.CertificateFactory(producer=uvelka, kind="organic_cn")
    kunashak = factories.ProducerFactory(district_code="kunashaksky")
    factories.CertificateFactory(producer=kunashak, kind="organic_ru")
    items = {
        "buckwheat": factories.ProductFactory(
            producer=uvelka,
            name_zh="有机荞麦米",
            name_ru="Гречневая крупа ядрица",
            name_en="Organic buckwheat groats",
            organic_claim=True,
            tiers=((D("500"), D("12.50")), (D("5000"), D("11.00"))),
        ),
        "flour": factories.ProductFactory(
            producer=uvelka,
            name_zh="荞麦面粉",
            name_ru="Мука гречневая",
            name_en="Buckwheat flour",
            category_code="flour_pasta",
            hs_code="1102900000",
            tiers=((D("100"), D("9.00")),),
            stock_on_hand=D("0"),
        ),
        "honey": factories.ProductFactory(
            producer=kunashak,
            name_zh="椴树蜂蜜",
            name_ru="Мёд липовый",
            name_en="Linden honey",
            category_code="honey",
            hs_code="0409000000",
            organic_claim=True,
            tiers=((D("50"), D("80.00")), (D("500"), D("72.00"))),
        ),
        "oil": factories.ProductFactory(
            producer=kunashak,
            name_zh="冷榨亚麻籽油",
            name_ru="Льняное масло холодного отжима",
            name_en="Cold-pressed linseed oil",
            category_code="oilseeds_oils",
            hs_code="1515110000",
            unit="litre",
            tiers=((D("200"), D("35.00")),),
        ),
        "english_only": factories.ProductFactory(
            producer=uvelka,
            name_zh="",
            name_ru="",
            name_en="Peas, yellow split",
            hs_code="0713100000",
            category_code="vegetables",
            tiers=((D("1000"), D("4.20")),),
        ),
    }
    return items


def ids(api, query):
    response = api.get(f"/api/v1/products?{query}")
    assert response.status_code == 200, response.get_json()
    return [item["id"] for item in response.get_json()["items"]]


@pytest.mark.parametrize(
    "q, expected",
    [
        ("荞麦", {"buckwheat", "flour"}),  # a word inside longer names
        ("蕎麥", {"buckwheat", "flour"}),  # Traditional script
        ("qiaomai", {"buckwheat", "flour"}),  # pinyin
        ("qiao mai", {"buckwheat", "flour"}),
        ("Qiáomài", {"buckwheat", "flour"}),  # pinyin with tones
        ("蜂蜜", {"honey"}),
        ("亚麻籽油", {"oil"}),
        ("亞麻籽油", {"oil"}),
        ("yamazi", {"oil"}),
        ("гречневую", {"buckwheat", "flour"}),  # another word form
        ("ГРЕЧНЕВАЯ КРУПА", {"buckwheat"}),
        ("мед", {"honey"}),  # е for ё
        ("мёд липовый", {"honey"}),
        ("льняного масла", {"oil"}),
        ("buckwheat", {"buckwheat", "flour"}),
        ("Honey", {"honey"}),
        ("oils", {"oil"}),
        ("buckweat", {"buckwheat", "flour"}),  # a typo
        ("linsed", {"oil"}),
        ("pea", {"english_only"}),  # prefix of the last word
        ("1008", {"buckwheat"}),  # HS heading
        ("Зерно", {"buckwheat"}),  # the category's name
        ("pineapple", set()),
        ("荞麦 蜂蜜", set()),  # every word must match
    ],
)
def test_search_languages(api, catalog, q, expected):
    found = set(ids(api, f"q={q}"))
    assert found == {catalog[name].id for name in expected}


def test_relevance_puts_name_matches_first(api, catalog):
    # "гречнев" is in both names; "крупа" only in the groats' name.
    assert ids(api, "q=гречневая крупа") == [catalog["buckwheat"].id]
    ranked = ids(api, "q=荞麦米")
    assert ranked[0] == catalog["buckwheat"].id


def test_missing_language_falls_back(api, catalog, client):
    item = api.get(f"/api/v1/products/{catalog['english_only'].id}").get_json()
    assert item["name"] == {"zh": None, "ru": None, "en": "Peas, yellow split"}
    client.raw.set_cookie("lang", "zh")
    page = client.get(f"/catalog/products/{catalog['english_only'].id}").get_data(as_text=True)
    assert "Peas, yellow split" in page and 'lang="en"' in page and "lang-mark" in page


def test_filters(api, catalog):
    c = catalog
    assert set(ids(api, "category=honey")) == {c["honey"].id}
    assert set(ids(api, "district=kunashaksky")) == {c["honey"].id, c["oil"].id}
    assert set(ids(api, "organic=cn")) == {c["buckwheat"].id}
    assert set(ids(api, "organic=ru")) == {c["honey"].id}
    assert set(ids(api, "organic=any")) == {c["buckwheat"].id, c["honey"].id}
    assert set(ids(api, f"producer={c['honey'].producer_id}")) == {c["honey"].id, c["oil"].id}
    assert set(ids(api, "min_price=30")) == {c["honey"].id, c["oil"].id}
    assert set(ids(api, "max_price=11")) == {c["buckwheat"].id, c["flour"].id, c["english_only"].id}
    assert set(ids(api, "min_price=10&max_price=12")) == {c["buckwheat"].id}
    assert c["flour"].id not in ids(api, "in_stock=true")
    assert set(ids(api, "q=buckwheat&in_stock=true")) == {c["buckwheat"].id}


def test_sorting_and_paging(api, catalog):
    c = catalog
    by_price = ids(api, "sort=price")
    assert by_price[0] == c["english_only"].id and by_price[-1] == c["honey"].id
    assert ids(api, "sort=-price")[0] == c["honey"].id
    assert ids(api, "sort=newest")[0] == c["english_only"].id
    first = api.get("/api/v1/products?sort=price&per_page=2&page=1").get_json()
    second = api.get("/api/v1/products?sort=price&per_page=2&page=2").get_json()
    assert first["total"] == 5 and first["per_page"] == 2 and first["page"] == 1
    assert len(first["items"]) == 2 and not {i["id"] for i in first["items"]} & {
        i["id"] for i in second["items"]
    }
    assert api.get("/api/v1/products?page=9").get_json()["items"] == []


def test_facets(api, catalog):
    body = api.get("/api/v1/products?q=荞麦&facets=true").get_json()
    assert body["facets"]["category"] == {"grains": 1, "flour_pasta": 1}
    assert body["facets"]["district"] == {"uvelsky": 2}
    assert body["facets"]["organic"] == {"cn": 1, "ru": 0}
    # A facet ignores its own filter, so the other categories stay visible.
    body = api.get("/api/v1/products?category=honey&facets=true").get_json()
    assert body["total"] == 1 and body["facets"]["category"]["grains"] == 1


@pytest.mark.parametrize(
    "query",
    [
        "per_page=101",
        "per_page=0",
        "page=0",
        "page=abc",
        "page=2.5",
        "sort=cheapest",
        "category=spaceships",
        "district=moscow",
        "organic=maybe",
        "min_price=-1",
        "min_price=abc",
        "min_price=5&max_price=2",
        "producer=0",
        "producer=x",
        "in_stock=perhaps",
        "q=" + "x" * 201,
    ],
)
def test_bad_list_arguments(api, query):
    response = api.get(f"/api/v1/products?{query}")
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "validation_error"


def test_expired_certificate_drops_organic_filter(api):
    producer = factories.ProducerFactory()
    factories.CertificateFactory(
        producer=producer, kind="organic_cn", valid_until=dt.date.today() - dt.timedelta(days=1)
    )
    factories.ProductFactory(producer=producer, organic_claim=True)
    assert ids(api, "organic=cn") == []


def _count_queries(api, url):
    statements, response = statements_during(api, url)
    assert response.status_code == 200
    return len(statements), response.get_json()


@pytest.mark.parametrize("extra", ["", "&q=buckwheat", "&q=荞麦&facets=true", "&organic=any&in_stock=true"])
def test_query_count_does_not_grow_with_page_size(api, extra):
    producers = [factories.ProducerFactory() for _ in range(3)]
    for i in range(60):
        product = factories.ProductFactory(
            producer=producers[i % 3], name_en=f"Buckwheat lot {i}", organic_claim=True
        )
        factories.LotFactory(product=product)
        factories.CertificateFactory(producer=producers[i % 3])
    small, body_small = _count_queries(api, "/api/v1/products?per_page=5" + extra)
    large, body_large = _count_queries(api, "/api/v1/products?per_page=50" + extra)
    assert len(body_small["items"]) == 5 and len(body_large["items"]) == 50
    assert small == large


def test_page_query_count_does_not_grow(client):
    producer = factories.ProducerFactory()
    for i in range(30):
        factories.ProductFactory(producer=producer, name_en=f"Groats {i}")
    client.get("/catalog")  # warm-up: templates, the language cookie
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        client.get("/catalog?per_page=5")
        small = len(statements)
        statements.clear()
        client.get("/catalog?per_page=30")
        large = len(statements)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert small == large


# ---------------------------------------------------------------- normalisation, no database


def test_folding():
    assert textsearch.fold("ЁЖИК Ёлка") == "ежик елка"
    assert textsearch.fold("Ｑｉáｏ") == "qiao"
    assert textsearch.fold("Йогурт") == "йогурт"  # й keeps its breve


def test_pinyin_splitting():
    assert textsearch.split_pinyin("qiaomai") == ("qiao", "mai")
    assert textsearch.split_pinyin("xian") == ("xian",)
    assert textsearch.split_pinyin("lvcha") == ("lu", "cha")
    assert textsearch.split_pinyin("honey") is None


def test_query_is_safe_for_tsquery():
    groups = textsearch.parse_query("a' | ! & :* \\ (")
    assert textsearch.tsquery(groups) == ""
    groups = textsearch.parse_query("o'brien")
    assert "'" not in "".join(t.lexeme for g in groups for alt in g.alternatives for t in alt)


def test_document_has_weights_and_chinese_tokens():
    doc = textsearch.product_document(
        names={"zh": "有机荞麦米"},
        descriptions={"ru": "Вкусная гречка"},
        category_names={},
        hs_code="1008100000",
    )
    vector = doc.tsvector()
    for lexeme in ("'荞麦'", "'qiaomai'", "'麦米'", "'гречк'", "'1008'"):
        assert lexeme in vector
    assert " 荞麦/A " in doc.like_text() and " гречк/C " in doc.like_text()
