"""The packing list names a shipment's origin and destination places in Chinese and Russian."""

from tests.logistics.helpers import ready_order, shipment_with
from tests.trade.helpers import pdf_text


def test_packing_list_names_the_shipments_places_in_chinese_and_russian(app, api):
    order = ready_order(app)
    shipment_with(
        app, orders=[order], origin_place="chelyabinsk-hub", origin="Gate 3", destination_place="harbin"
    )
    response = api.as_user(order.buyer).get(f"/api/v1/orders/{order.id}/documents/packing_list.pdf")
    assert response.status_code == 200
    raw = pdf_text(response.data)
    text = " ".join(raw.split())  # the route wraps over lines
    for expected in (
        "AgroBridge 车里雅宾斯克集货仓",
        "Склад консолидации AgroBridge, Челябинск",
        "哈尔滨 / Харбин",
    ):
        assert expected in text, (expected, text)
    assert "(Gate 3)" in raw.replace("\n", "")  # the free detail, as typed (wrapped mid-word)
    assert "哈尔滨道外物流园仓库" not in text  # not the default destination
