"""factory_boy factories; every one commits, as the app's services do."""

import factory
from werkzeug.security import generate_password_hash

from accounts.models import Company, User
from core.extensions import db
from core.timezones import default_zone

PASSWORD = "correct-horse-battery"
# A cheap hash keeps the suite fast; the app itself uses werkzeug's default (scrypt).
_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")


class BaseFactory(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session
        sqlalchemy_session_persistence = "commit"


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    password_hash = _HASH
    name = factory.Faker("name")
    company = factory.Faker("company")
    phone = ""
    language = "en"
    role = "buyer"
    active = True
    time_zone = factory.LazyAttribute(lambda user: default_zone(user.language, user.role))

    @factory.post_generation
    def legal(user, create, extracted, **kwargs):
        """Buyers get a complete company (``legal=False`` for one without)."""
        if create and user.role == "buyer" and extracted is not False:
            CompanyFactory(owner=user)


class CompanyFactory(BaseFactory):
    """A buyer's complete company: valid USCC and customs code."""

    class Meta:
        model = Company

    owner = factory.SubFactory(UserFactory, role="buyer", legal=False)
    name_zh = factory.Sequence(lambda n: f"哈尔滨粮油贸易{n}有限公司")
    name_en = factory.Sequence(lambda n: f"Harbin Grain Trading {n} Co., Ltd.")
    uscc = factory.Sequence(lambda n: _uscc(f"9123010{n:010d}"))
    customs_code = factory.Sequence(lambda n: f"2301{n:06d}")
    address_zh = "黑龙江省哈尔滨市道外区物流园1号"
    address_en = "No. 1 Logistics Park, Daowai District, Harbin, Heilongjiang"
    contact_name = "王伟"
    contact_phone = "+86 451 8888 0000"
    contact_email = "import@example.cn"


def _uscc(body: str) -> str:
    from stdnum.cn import uscc

    return body + uscc.calc_check_digit(body)


# ---------------------------------------------------------------- catalog

import datetime as _dt  # noqa: E402
from decimal import Decimal as _D  # noqa: E402

from catalog.models import Certificate, Lot, Producer, Product, ProductPriceTier  # noqa: E402


class ProducerFactory(BaseFactory):
    """A verified producer with a valid GACC registration, owned by a new farmer."""

    class Meta:
        model = Producer

    owner = factory.SubFactory(UserFactory, role="farmer")
    name_ru = factory.Sequence(lambda n: f"ООО Ферма {n}")
    name_zh = factory.Sequence(lambda n: f"农场{n}")
    name_en = factory.Sequence(lambda n: f"Farm {n}")
    district_code = "uvelsky"
    address = "Chelyabinsk oblast"
    gacc_registration = factory.Sequence(lambda n: f"CRUS{n:014d}")
    gacc_expires_at = factory.LazyFunction(lambda: _dt.date.today() + _dt.timedelta(days=900))
    gacc_categories = "grains,oilseeds_oils,flour_pasta,honey,dairy,meat_poultry,confectionery,vegetables,berries_mushrooms,beverages,other"  # noqa: E501
    status = "verified"
    # Complete legal data with valid check digits (a company: 10-digit INN, KPP, OGRN).
    legal_name_ru = factory.LazyAttribute(lambda p: p.name_ru)
    legal_name_en = factory.LazyAttribute(lambda p: p.name_en + " LLC")
    inn = "7440001230"
    kpp = "744001001"
    ogrn = "1027400000121"
    legal_address_ru = "454000, Челябинская обл., г. Челябинск, ул. Кирова, 1"
    legal_address_en = "1 Kirova St, Chelyabinsk, 454000, Russia"
    bank_name = "ПАО Сбербанк, Челябинское отделение № 8597"
    bik = "047501602"
    bank_account = "40702810972000000002"
    correspondent_account = "30101810700000000602"
    swift = "SABRRUMM"
    signatory_name = "Петров Иван Сергеевич"
    signatory_position = "Генеральный директор"


class CertificateFactory(BaseFactory):
    class Meta:
        model = Certificate

    producer = factory.SubFactory(ProducerFactory)
    kind = "organic_cn"
    number = factory.Sequence(lambda n: f"CERT-{n}")
    issuer = "CNCA body"
    valid_from = factory.LazyFunction(lambda: _dt.date.today() - _dt.timedelta(days=100))
    valid_until = factory.LazyFunction(lambda: _dt.date.today() + _dt.timedelta(days=300))


class ProductFactory(BaseFactory):
    """An active product with two price tiers, indexed for search (``index=False`` to skip)."""

    class Meta:
        model = Product

    producer = factory.SubFactory(ProducerFactory)
    name_zh = "有机荞麦米"
    name_ru = "Гречневая крупа"
    name_en = "Buckwheat groats"
    category_code = "grains"
    hs_code = "1008100000"
    unit = "kg"
    net_weight_kg = _D("1.000")
    status = "active"
    stock_on_hand = _D("1000")
    stock_reserved = _D("0")
    tiers = ((_D("100"), _D("12.50")), (_D("1000"), _D("11.00")))

    @classmethod
    def _create(cls, model_class, *args, tiers=(), index=True, **kwargs):
        product = model_class(*args, **kwargs)
        product.price_tiers = [ProductPriceTier(min_quantity=q, unit_price=p) for q, p in tiers]
        if tiers:
            product.price_min_cny = min(p for _, p in tiers)
            product.price_max_cny = max(p for _, p in tiers)
        db.session.add(product)
        if index:
            from catalog.search import index_product

            db.session.flush()
            index_product(product)
        db.session.commit()
        return product


class LotFactory(BaseFactory):
    class Meta:
        model = Lot

    product = factory.SubFactory(ProductFactory, tracks_lots=True, stock_on_hand=_D("0"))
    lot_number = factory.Sequence(lambda n: f"L-{n}")
    produced_on = factory.LazyFunction(lambda: _dt.date.today() - _dt.timedelta(days=30))
    best_before = factory.LazyFunction(lambda: _dt.date.today() + _dt.timedelta(days=300))
    quantity = _D("500")
    quantity_reserved = _D("0")


# ---------------------------------------------------------------- logistics

from logistics.models import BuyerWebhook, ShipmentDocument  # noqa: E402


class ShipmentDocumentFactory(BaseFactory):
    """A checklist document on file (no real upload: tests of the gate need only the row)."""

    class Meta:
        model = ShipmentDocument

    kind_code = "invoice"
    number = factory.Sequence(lambda n: f"DOC-{n}")
    file_name = factory.Sequence(lambda n: f"test-{n}.pdf")
    content_type = "application/pdf"
    original_name = "scan.pdf"
    size_bytes = 1024


class BuyerWebhookFactory(BaseFactory):
    class Meta:
        model = BuyerWebhook

    buyer = factory.SubFactory(UserFactory, role="buyer")
    url = "http://127.0.0.1:9/hook"
    secret = factory.Sequence(lambda n: f"whsec_test_{n:08d}")
    active = True
