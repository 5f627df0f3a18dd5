"""What the benchmarks that place orders start from: a farmer with a verified producer and one
active product at 10 CNY a kilogram, and buyers with a complete company (orders need one).
Call inside an app context."""

from decimal import Decimal


def bench_product(label: str, stamp: int, stock: Decimal, **product_fields):
    """→ (farmer, product) for the benchmark named ``label``; ``product_fields`` override the
    defaults (category, HS code, storage temperatures…)."""
    from accounts.services import create_user
    from catalog.models import Producer, Product, ProductPriceTier
    from core.extensions import db

    farmer = create_user(
        email=f"{label}-farmer-{stamp}@example.com",
        password="bench-password-1",
        role="farmer",
        name=f"{label.title()} farmer",
    )
    fields = {
        "name_en": f"{label.title()} buckwheat",
        "category_code": "grains",
        "hs_code": "1008100000",
        "unit": "kg",
        "net_weight_kg": Decimal("1"),
        "status": "active",
        "stock_on_hand": Decimal(stock),
        "stock_reserved": Decimal("0"),
        "price_min_cny": Decimal("10"),
        "price_max_cny": Decimal("10"),
        **product_fields,
    }
    producer = Producer(
        owner_id=farmer.id,
        name_ru=f"Ферма {label} {stamp}",
        district_code="uvelsky",
        gacc_registration=f"CRUS{stamp % 10**14:014d}",
        status="verified",
        gacc_categories=fields["category_code"],  # shipments check the registration covers it
    )
    db.session.add(producer)
    db.session.flush()
    product = Product(producer_id=producer.id, **fields)
    product.price_tiers = [ProductPriceTier(min_quantity=Decimal("1"), unit_price=Decimal("10"))]
    db.session.add(product)
    db.session.commit()
    return farmer, product


def bench_buyer(label: str, stamp: int, i: int = 0):
    """A buyer of the benchmark named ``label`` whose company is complete."""
    from accounts.models import Company
    from accounts.services import create_user
    from core.extensions import db

    buyer = create_user(
        email=f"{label}-buyer-{stamp}-{i}@example.com",
        password="bench-password-1",
        role="buyer",
        name=f"{label.title()} buyer {i}",
    )
    db.session.add(
        Company(
            owner_id=buyer.id,
            name_zh=f"哈尔滨{label}贸易{i}有限公司",
            name_en=f"Harbin {label.title()} Trading {i} Co., Ltd.",
            uscc=_uscc(f"9123010{(stamp // 1000 + i) % 10**10:010d}"),
            customs_code=f"2301{i:06d}",
            address_zh="黑龙江省哈尔滨市道外区物流园1号",
            address_en="No. 1 Logistics Park, Daowai District, Harbin",
            contact_name="王伟",
            contact_phone="+86 451 8888 0000",
            contact_email="import@example.cn",
        )
    )
    db.session.commit()
    return buyer


def _uscc(body: str) -> str:
    """A Unified Social Credit Code with its check character."""
    from stdnum.cn import uscc

    return body + uscc.calc_check_digit(body)
