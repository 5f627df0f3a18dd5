"""Template hooks: what the modules above a page register is rendered where the page says."""

from flask import render_template_string

from core.hooks import add_template_hook


def test_registered_parts_render_in_priority_order_once_each(app):
    def first(name):
        return f"<b>{name}</b>"

    def second(name):
        return "<i>2</i>"

    def silent(name):
        return None

    add_template_hook(app, "test-place", second, priority=60)
    add_template_hook(app, "test-place", first, priority=10)
    add_template_hook(app, "test-place", first, priority=10)  # registering twice adds nothing
    add_template_hook(app, "test-place", silent)
    with app.test_request_context():
        html = render_template_string("[{{ hook('test-place', name='x') }}]")
    assert html == "[<b>x</b>\n<i>2</i>]"


def test_a_place_nobody_fills_renders_nothing(app):
    with app.test_request_context():
        assert render_template_string("[{{ hook('nobody-registered') }}]") == "[]"


def test_the_product_page_shows_what_marketplace_and_trade_registered(client, app):
    from tests.marketplace.helpers import product

    goods = product(stock="100")
    html = client.get(f"/catalog/products/{goods.id}").get_data(as_text=True)
    assert 'id="landed-cost"' in html  # trade: 'product-sidebar'
    assert 'href="/login?next=' in html  # marketplace: 'product-order' asks visitors to log in
