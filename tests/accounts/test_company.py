"""A buyer's company (the importer of record): the API and page, its checks, and orders that
wait for it."""

from decimal import Decimal

import pytest

from accounts.models import Company
from core.extensions import db
from marketplace.models import Order
from tests import factories
from tests.marketplace.helpers import place, product

COMPANY = {
    "name": {"zh": "哈尔滨道外粮油批发有限公司", "en": "Harbin Daowai Grain & Oil Wholesale Co., Ltd."},
    "uscc": "91230100000000001M",
    "customs_code": "2301960123",
    "address": {"zh": "黑龙江省哈尔滨市道外区南直路1号", "en": "1 Nanzhi Rd, Daowai District, Harbin"},
    "contact": {"name": "王伟", "phone": "+86 451 8888 0000", "email": "wang@example.cn"},
}


def test_buyer_fills_in_the_company_step_by_step(api):
    api.as_role("buyer", legal=False)
    empty = api.get("/api/v1/me/company")
    assert empty.status_code == 200
    assert empty.get_json()["complete"] is False and "uscc" in empty.get_json()["missing"]
    partial = api.patch("/api/v1/me/company", json={"name": COMPANY["name"], "uscc": "91230100000000001m"})
    assert partial.status_code == 200, partial.get_json()
    assert partial.get_json()["uscc"] == "91230100000000001M"  # upper-cased
    full = api.patch("/api/v1/me/company", json={**COMPANY, "complete": False, "missing": []})
    body = full.get_json()
    assert body["complete"] is True and body["missing"] == []
    assert body["contact"]["email"] == "wang@example.cn"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"uscc": "91230100000000001N"}, "uscc"),  # wrong check character
        ({"uscc": "9123010000000001M"}, "uscc"),  # 17 characters
        ({"uscc": "9123010000000000IM"}, "uscc"),  # I is not in the GB 32100 alphabet
        ({"customs_code": "230196012"}, "customs_code"),
        ({"customs_code": "23019601AB"}, "customs_code"),
    ],
)
def test_bad_codes_are_refused_and_nothing_is_stored(api, change, field):
    buyer = api.as_role("buyer", legal=False).user
    response = api.patch("/api/v1/me/company", json={**COMPANY, **change})
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
    assert db.session.query(Company).filter_by(owner_id=buyer.id).count() == 0


@pytest.mark.parametrize("role", ["farmer", "operator", "admin"])
def test_only_buyers_have_a_company(api, role):
    api.as_role(role)
    assert api.get("/api/v1/me/company").status_code == 403
    assert api.patch("/api/v1/me/company", json=COMPANY).status_code == 403


def test_an_order_needs_the_buyers_complete_company(api):
    goods = product(stock="100", tiers=((Decimal("1"), Decimal("12.50")),))
    api.as_role("buyer", legal=False)
    refused = place(api, [(goods, "10")])
    assert refused.status_code == 409
    error = refused.get_json()["error"]
    assert error["code"] == "company_incomplete" and "customs_code" in error["missing"]
    assert db.session.query(Order).count() == 0
    api.patch("/api/v1/me/company", json=COMPANY)
    assert place(api, [(goods, "10")]).status_code == 201


def test_checkout_page_sends_the_buyer_to_the_company_page(client, login_as):
    goods = product(stock="100", tiers=((Decimal("1"), Decimal("12.50")),))
    buyer = login_as("buyer", legal=False)
    client.post_form("/cart/add", {"product_id": goods.id, "quantity": "5"})
    response = client.post_form("/checkout", {"incoterm": "DAP", "named_place": "Harbin"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/profile/company")
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    bad = client.post_form(
        "/profile/company?next=/cart",
        {"company-name_zh": "哈尔滨公司", "company-uscc": "91230100000000001N"},
    )
    assert bad.status_code == 422 and "GB 32100" in bad.get_data(as_text=True)
    form = {
        "company-name_zh": COMPANY["name"]["zh"],
        "company-name_en": COMPANY["name"]["en"],
        "company-uscc": COMPANY["uscc"],
        "company-customs_code": COMPANY["customs_code"],
        "company-address_zh": COMPANY["address"]["zh"],
        "company-address_en": COMPANY["address"]["en"],
        "company-contact_name": "王伟",
        "company-contact_phone": "+86 451 8888 0000",
    }
    saved = client.post_form("/profile/company?next=/cart", form)
    assert saved.status_code == 302 and saved.headers["Location"] == "/cart"
    assert db.session.query(Company).filter_by(owner_id=buyer.id).one().complete
    assert client.post_form("/checkout", {"incoterm": "DAP", "named_place": "Harbin"}).status_code == 302
    assert db.session.query(Order).filter_by(buyer_id=buyer.id).count() == 1


def test_company_page_is_for_buyers_only(client, login_as):
    login_as("farmer")
    assert client.get("/profile/company").status_code == 403


def test_platform_entity_comes_from_configuration(app):
    from accounts.company import platform_entity
    from core.identifiers import uscc_valid

    entity = platform_entity()
    assert entity["name"] == app.config["PLATFORM_LEGAL_NAME"]
    assert uscc_valid(entity["uscc"])
    assert entity["bank"]["swift"] == app.config["PLATFORM_BANK_SWIFT"]


def test_factory_buyers_have_complete_companies():
    assert factories.UserFactory(role="buyer") and db.session.query(Company).one().complete
