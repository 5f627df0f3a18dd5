"""Tier pricing and money rounding, for any valid set of tiers and any quantity (Hypothesis).

The rules: a quantity pays the unit price of the highest tier it reaches and nothing below the
first tier (the MOQ); a larger quantity never pays more per unit; a line costs quantity × unit
price rounded to the cent, half up; an order's subtotal is the sum of its rounded lines.
"""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.data import UNITS
from catalog.models import Product, ProductPriceTier
from catalog.services.product_rules import check_tiers
from core.errors import ValidationFailed
from core.money import from_minor_units, round_money, to_minor_units
from tests import factories
from tests.marketplace.helpers import client_for, place

CENT = Decimal("0.01")


def _quantity(units: int, unit: str) -> Decimal:
    """``units`` of the smallest step the unit is sold in (1 piece, 0.001 kg)."""
    return Decimal(units).scaleb(-UNITS[unit])


@st.composite
def tier_sets(draw, unit: str):
    """1–4 tiers: thresholds strictly rising, prices (0.01–999.99 CNY) never rising."""
    size = draw(st.integers(1, 4))
    steps = sorted(draw(st.lists(st.integers(1, 200_000), min_size=size, max_size=size, unique=True)))
    cents = sorted(draw(st.lists(st.integers(1, 99_999), min_size=size, max_size=size)), reverse=True)
    return [(_quantity(q, unit), Decimal(c) / 100) for q, c in zip(steps, cents, strict=True)]


def _product(unit: str, tiers) -> Product:
    return Product(unit=unit, price_tiers=[ProductPriceTier(min_quantity=q, unit_price=p) for q, p in tiers])


def _expected_price(tiers, quantity):
    reached = [price for threshold, price in tiers if quantity >= threshold]
    return reached[-1] if reached else None


units = st.sampled_from(sorted(UNITS))


@given(data=st.data(), unit=units)
def test_a_quantity_pays_the_highest_tier_it_reaches(data, unit):
    tiers = data.draw(tier_sets(unit))
    product = _product(unit, tiers)
    assert check_tiers([{"min_quantity": q, "unit_price": p} for q, p in tiers], unit) == tiers
    quantity = _quantity(data.draw(st.integers(1, 300_000)), unit)
    price = product.unit_price_for(quantity)
    assert price == _expected_price(tiers, quantity)
    assert (price is None) == (quantity < product.moq)


@given(data=st.data(), unit=units)
def test_more_never_costs_more_per_unit(data, unit):
    product = _product(unit, data.draw(tier_sets(unit)))
    small, large = sorted(_quantity(data.draw(st.integers(1, 300_000)), unit) for _ in range(2))
    small_price, large_price = product.unit_price_for(small), product.unit_price_for(large)
    if small_price is not None:
        assert large_price is not None and large_price <= small_price


@given(data=st.data(), unit=units)
def test_tiers_with_a_rising_price_or_a_repeated_threshold_are_refused(data, unit):
    tiers = data.draw(tier_sets(unit).filter(lambda t: len(t) >= 2))
    i = data.draw(st.integers(0, len(tiers) - 2))
    (q1, p1), (q2, _p2) = tiers[i], tiers[i + 1]
    rising = [*tiers[:i], (q1, p1), (q2, p1 + CENT), *tiers[i + 2 :]]
    repeated = [*tiers[:i], (q1, p1), (q1, p1), *tiers[i + 2 :]]
    for bad in (rising, repeated):
        with pytest.raises(ValidationFailed):
            check_tiers([{"min_quantity": q, "unit_price": p} for q, p in bad], unit)


@given(
    st.decimals(min_value=Decimal("-1e8"), max_value=Decimal("1e8"), places=6, allow_nan=False),
)
def test_money_rounds_to_the_cent_half_up(amount):
    rounded = round_money(amount)
    assert rounded.as_tuple().exponent == -2
    error = rounded - amount
    assert abs(error) <= Decimal("0.005")
    if abs(error) == Decimal("0.005"):  # a half cent goes away from zero
        assert abs(rounded) > abs(amount)
    assert round_money(rounded) == rounded
    assert from_minor_units(to_minor_units(amount)) == rounded


@given(data=st.data(), unit=units)
def test_an_order_is_priced_by_tier_and_its_lines_rounded_half_up(app, data, unit):
    """Through the API, as a buyer orders: what the order stores is what the rules say."""
    tiers = data.draw(tier_sets(unit))
    goods = factories.ProductFactory(unit=unit, stock_on_hand=Decimal("1000000"), tiers=tiers, index=False)
    quantity = _quantity(data.draw(st.integers(1, 300_000)), unit)
    buyer = client_for(app, factories.UserFactory(role="buyer"))
    response = place(buyer, [(goods, quantity)])
    expected_price = _expected_price(tiers, quantity)
    if expected_price is None:
        assert response.status_code == 422
        assert Decimal(response.get_json()["error"]["below_moq"][0]["moq"]) == tiers[0][0]
        return
    assert response.status_code == 201, response.get_json()
    order = response.get_json()
    (line,) = order["lines"]
    assert Decimal(line["unit_price"]) == expected_price
    assert Decimal(line["line_total"]) == round_money(quantity * expected_price)
    assert Decimal(order["subtotal"]) == Decimal(line["line_total"])
