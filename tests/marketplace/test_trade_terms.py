"""Orders carry an Incoterm and a named place that fit each other, a quota answer and a route;
lots that would arrive with too little shelf life are not stock for the order."""

import pytest
from sqlalchemy import func, select

from catalog import incoterms
from core.extensions import db
from marketplace.models import BuyerTerms, Order
from tests.marketplace.helpers import place, product


@pytest.mark.parametrize(
    "term, place_text, fits",
    [
        ("EXW", "Chelyabinsk", True),
        ("FCA", "челябинск", True),
        ("FCA", "Zabaikalsk", True),  # a Russian border town is still in Russia
        ("FCA", "Manzhouli", False),
        ("FCA", "Harbin", False),
        ("CPT", "Chelyabinsk", False),
        ("CIP", "harbin-daowai", True),
        ("DAP", "满洲里", True),
        ("DAP", "Zabaikalsk", True),
        ("DPU", "Harbin, Daowai logistics zone", True),
        ("DAP", "Chelyabinsk", False),
    ],
)
def test_a_place_fits_its_term(term, place_text, fits):
    place = incoterms.place_for(place_text)
    assert place is not None
    assert incoterms.fits(term, place) is fits


def test_how_far_a_price_reaches():
    reach = {
        (term, code): incoterms.reach(term, incoterms.PLACES[code])
        for term, code in (
            ("FCA", "chelyabinsk"),
            ("FCA", "zabaikalsk"),
            ("DAP", "manzhouli"),
            ("DAP", "harbin-daowai"),
        )
    }
    assert reach == {
        ("FCA", "chelyabinsk"): "origin",
        ("FCA", "zabaikalsk"): "border",
        ("DAP", "manzhouli"): "border",
        ("DAP", "harbin-daowai"): "destination",
    }


@pytest.mark.parametrize(
    "extra, field",
    [
        ({"incoterm": "CFR", "named_place": "Harbin"}, "incoterm"),  # a sea term
        ({"incoterm": "FCA", "named_place": "Harbin"}, "named_place"),
        ({"incoterm": "DAP", "named_place": "Chelyabinsk"}, "named_place"),
        ({"incoterm": "DAP", "named_place": "Atlantis"}, "named_place"),
        (
            {"incoterm": "DAP", "named_place": "Heihe", "border_crossing": "zabaikalsk-manzhouli"},
            "named_place",
        ),
        ({"quota": "maybe"}, "quota"),
        ({"mode": "air"}, "mode"),
    ],
)
def test_a_term_and_place_that_do_not_fit_are_422_and_nothing_is_stored(api, extra, field):
    goods = product(stock="100")
    api.as_role("buyer")
    response = place(api, [(goods, "5")], **extra)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0


def test_the_order_keeps_term_place_quota_and_route(api):
    goods = product(stock="100")
    api.as_role("buyer")
    body = place(
        api, [(goods, "5")], incoterm="DAP", named_place="满洲里", quota="out", mode="road"
    ).get_json()
    assert (body["incoterm"], body["named_place"], body["quota"], body["mode"], body["border_crossing"]) == (
        "DAP",
        "Manzhouli",
        "out",
        "road",
        "zabaikalsk-manzhouli",  # Manzhouli lies on it
    )


def test_a_product_can_be_priced_on_its_own_basis(api):
    goods = product(stock="100", price_incoterm="DAP", price_place="heihe")
    api.as_role("buyer")
    body = place(api, [(goods, "5")]).get_json()
    assert (body["incoterm"], body["named_place"], body["border_crossing"]) == (
        "DAP",
        "Heihe",
        "blagoveshchensk-heihe",
    )


def test_the_buyers_standing_quota_answer_is_the_default(api):
    buyer = api.as_role("buyer").user
    db.session.add(BuyerTerms(buyer_id=buyer.id, holds_quota_certificate=True))
    db.session.commit()
    assert place(api, [(product(stock="100"), "5")]).get_json()["quota"] == "in"
