"""Reference data (districts, categories) and the demo catalog for `flask seed-demo`."""

from sqlalchemy import select

from catalog.data import CATEGORIES, DISTRICTS
from catalog.models import Category, District
from core.extensions import db


def ensure_reference_data() -> None:
    """Districts and categories as the migration seeds them (for databases emptied by tests)."""
    if db.session.scalar(select(District.code).limit(1)) is None:
        db.session.add_all(
            District(code=code, name_ru=ru, name_zh=zh, name_en=en)
            for code, (ru, zh, en) in DISTRICTS.items()
        )
    if db.session.scalar(select(Category.code).limit(1)) is None:
        db.session.add_all(
            Category(
                code=code,
                name_ru=ru,
                name_zh=zh,
                name_en=en,
                animal_origin=animal,
                hs_prefixes=prefixes,
                position=position,
            )
            for position, (code, (ru, zh, en, animal, prefixes)) in enumerate(CATEGORIES.items())
        )
    db.session.commit()


def demo_photo(category: str, names: tuple[str, str, str], picture: str, badge: str | None = None) -> bytes:
    """A card that shows what is sold: the goods' picture (an emoji of Noto Color Emoji,
    committed under catalog/demo_photos/ with its licence) on the category's colours, with the
    product's name in Chinese, Russian and English. ``badge``: a second, smaller picture in the
    corner (how the goods are packed). No random pattern."""
    import io
    from pathlib import Path

    from PIL import Image, ImageDraw, ImageFont

    from catalog.demo import COLOURS

    here = Path(__file__).resolve().parent
    font_path = str(here.parent / "static" / "fonts" / "wqy-zenhei.ttc")
    dark, light = COLOURS.get(category, COLOURS["other"])
    width, height = 800, 600
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    pale = tuple(int(c + (255 - c) * 0.75) for c in light)
    for y in range(height):  # a soft vertical gradient in the category's colour
        t = y / height
        draw.line([(0, y), (width, y)], fill=tuple(int(pale[i] * (1 - t) + light[i] * t) for i in range(3)))
    draw.rounded_rectangle([24, 24, width - 24, height - 24], radius=28, outline=dark, width=4)

    def paste(code: str, box_height: int, centre: tuple[int, int]) -> None:
        emoji = Image.open(here / "demo_photos" / f"{code}.png").convert("RGBA")
        scale = box_height / emoji.height
        emoji = emoji.resize((round(emoji.width * scale), box_height), Image.Resampling.LANCZOS)
        image.paste(emoji, (centre[0] - emoji.width // 2, centre[1] - emoji.height // 2), emoji)

    if badge:
        paste(badge, 300, (width // 2, 230))
        paste(picture, 150, (width - 150, 150))
    else:
        paste(picture, 320, (width // 2, 230))
    zh, ru, en = names
    big = ImageFont.truetype(font_path, 46)
    small = ImageFont.truetype(font_path, 24)
    band_top = 430
    draw.rectangle([28, band_top, width - 28, height - 28], fill=(255, 255, 255))
    draw.line([(28, band_top), (width - 28, band_top)], fill=dark, width=3)

    def centred(text: str, font, y: int, fill) -> None:
        while draw.textlength(text, font=font) > width - 100 and len(text) > 4:
            text = text[:-2].rstrip() + "…"
        draw.text(((width - draw.textlength(text, font=font)) / 2, y), text, font=font, fill=fill)

    centred(zh, big, band_top + 18, (30, 30, 30))
    centred(ru, small, band_top + 80, (40, 40, 40))
    centred(en, small, band_top + 114, (90, 90, 90))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def seed_catalog(echo) -> None:
    """South Ural producers (some credentials expiring soon) and 40+ products with tiers, lots,
    photos. Products are written as drafts and then published by their farmers through
    ``catalog.services.products``, as the app publishes any product: what publishing sets off
    (the product's label sheet, issued by the trade module) happens for the demo too."""
    from datetime import timedelta
    from decimal import Decimal

    from accounts import services as accounts
    from accounts.seed import DEMO_PASSWORD
    from catalog import search, uploads
    from catalog.demo import (
        CATEGORY_EMOJI,
        DESCRIPTIONS,
        PACKING_EMOJI,
        PHOTO_EMOJI,
        PRODUCERS,
        PRODUCTS,
        TNVED_CODES,
        demo_customs,
        demo_legal,
    )
    from catalog.models import Certificate, Lot, Photo, Producer, Product, ProductPriceTier, today
    from catalog.services.products import update_product

    ensure_reference_data()
    if db.session.scalar(select(Producer.id).limit(1)) is not None:
        echo("Demo catalog: already there.")
        return
    from accounts.seed import DEMO_USERS

    domain = next(email for email, role, *_ in DEMO_USERS if role == "farmer").split("@")[1]
    admin = next((accounts.find_by_email(e) for e, role, *_ in DEMO_USERS if role == "admin"), None)
    on = today()
    producers = {}
    categories_of: dict[str, set] = {}
    for key, category, *_rest in PRODUCTS:
        categories_of.setdefault(key, set()).add(category)
    for n, (key, local, ru, zh, en, district, gacc, gacc_days, certificates) in enumerate(PRODUCERS, start=1):
        email = f"{local}@{domain}"
        owner = accounts.find_by_email(email) or accounts.create_user(
            email=email, password=DEMO_PASSWORD, role="farmer", name=en, company=en, language="ru"
        )
        producer = Producer(
            owner_id=owner.id,
            name_ru=ru,
            name_zh=zh,
            name_en=en,
            district_code=district,
            description_ru=f"{ru} — производитель Челябинской области.",
            description_zh=f"{zh}，车里雅宾斯克州生产商。",
            description_en=f"{en}, a producer of Chelyabinsk oblast.",
            address=f"{district.replace('_', '-').title()} district, Chelyabinsk oblast, Russia",
            contact_name=owner.name,
            contact_phone="+7 351 200 00 00",
            contact_email=email,
            gacc_registration=gacc,
            gacc_expires_at=on + timedelta(days=gacc_days),
            gacc_categories=",".join(sorted(categories_of.get(key, ()))),
            gs1_company_prefix=f"46070{n:02d}",
            status="verified",
            **demo_legal(n, ru, en, DISTRICTS[district][2]),
            reviewed_by_id=admin.id if admin else None,
        )
        for number, (kind, days) in enumerate(certificates, start=1):
            producer.certificates.append(
                Certificate(
                    kind=kind,
                    number=f"{kind.upper()}-{gacc[-4:]}-{number}",
                    issuer="Rosaccreditation / CNCA body",
                    valid_from=on - timedelta(days=365),
                    valid_until=on + timedelta(days=days),
                )
            )
        db.session.add(producer)
        producers[key] = producer
    # One farmer waits for review, so the admin's queue is not empty.
    waiting = accounts.find_by_email(f"farmer10@{domain}") or accounts.create_user(
        email=f"farmer10@{domain}",
        password=DEMO_PASSWORD,
        role="farmer",
        name="Ivan Nagaybakov",
        company="Nagaybak Grain",
        language="ru",
    )
    db.session.add(
        Producer(
            owner_id=waiting.id,
            name_ru="КФХ «Нагайбакское зерно»",
            name_en="Nagaybak Grain Farm",
            district_code="nagaybaksky",
            gacc_registration="CRUS11202212120010",
            gacc_expires_at=on + timedelta(days=1500),
            status="pending",
        )
    )
    db.session.flush()
    SINGLE_INGREDIENT = {"grains", "honey", "oilseeds_oils", "vegetables", "berries_mushrooms"}
    drafts = []
    for index, (key, category, zh, ru, en, hs, unit, net, tiers, stock, organic, temp, shelf) in enumerate(
        PRODUCTS
    ):
        desc = DESCRIPTIONS[category]
        product = Product(
            producer=producers[key],
            category_code=category,
            name_zh=zh,
            name_ru=ru,
            name_en=en,
            description_zh=desc[0],
            description_ru=desc[1],
            description_en=desc[2],
            hs_code=hs,
            tnved_code=TNVED_CODES.get(en, hs),
            unit=unit,
            net_weight_kg=Decimal(net),
            gross_weight_kg=(Decimal(net) * Decimal("1.04")).quantize(Decimal("0.001")),
            origin=f"{producers[key].district.name_en} district, Chelyabinsk oblast, Russia",
            # Single-ingredient goods name themselves; the rest are left for the farmer to fill.
            ingredients_zh=f"{zh}（100%）" if category in SINGLE_INGREDIENT else "",
            organic_claim=organic,
            storage_temp_min_c=temp[0],
            storage_temp_max_c=temp[1],
            shelf_life_days=shelf,
            status="draft",
            stock_reserved=Decimal("0"),
            stock_on_hand=Decimal("0") if stock == "lots" else Decimal(stock),
            tracks_lots=stock == "lots",
            **demo_customs(producers[key].gs1_company_prefix, index, category, unit, net),
        )
        product.price_tiers = [
            ProductPriceTier(min_quantity=Decimal(q), unit_price=Decimal(p)) for q, p in tiers
        ]
        product.price_min_cny = min(Decimal(p) for _, p in tiers)
        product.price_max_cny = max(Decimal(p) for _, p in tiers)
        if stock == "lots":
            for n, (age, left, qty) in enumerate([(400, -5, 300), (60, 300, 2500), (10, 500, 4000)], start=1):
                product.lots.append(
                    Lot(
                        lot_number=f"{on.year}-{index:02d}-{n}",
                        produced_on=on - timedelta(days=age),
                        best_before=on + timedelta(days=left),
                        quantity=Decimal(qty),
                        quantity_reserved=Decimal("0"),
                    )
                )
        db.session.add(product)
        db.session.flush()
        picture = PHOTO_EMOJI.get(en, CATEGORY_EMOJI.get(category, CATEGORY_EMOJI["other"]))
        cards = [demo_photo(category, (zh, ru, en), picture)]
        if index % 3 == 0:  # every third product also shows how it is packed
            cards.append(demo_photo(category, (zh, ru, en), picture, badge=PACKING_EMOJI.get(unit, "1f4e6")))
        for position, card in enumerate(cards):
            db.session.add(Photo(product_id=product.id, position=position, **uploads.save_photo_bytes(card)))
        search.index_product(product)
        drafts.append(product)
    db.session.commit()
    for product in drafts:
        update_product(product.producer.owner, product, {"status": "active"})
    echo(f"Demo catalog: {len(PRODUCERS)} producers (+1 awaiting review), {len(PRODUCTS)} products.")
    echo(f"  farmers farmer3…farmer10@{domain} share the demo password too.")


from core.seed import seeder  # noqa: E402

seeder(order=20)(seed_catalog)
