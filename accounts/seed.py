"""Demo users of every role, with known passwords."""

from accounts import company as companies
from accounts import services
from core.seed import seeder

# Strong enough for the password rules (not made of the demo e-mails or company names).
DEMO_PASSWORD = "harbin-buckwheat-2026"
DEMO_USERS = [
    # email, role, name, company, language
    ("admin@agrobridge.demo", "admin", "Anna Admin", "AgroBridge", "en"),
    ("operator@agrobridge.demo", "operator", "Oleg Operatorov", "UralSibTrans Logistics", "ru"),
    ("farmer@agrobridge.demo", "farmer", "Pyotr Fermerov", "Uvelka Organic Farm", "ru"),
    ("farmer2@agrobridge.demo", "farmer", "Marina Pchelkina", "Kunashak Honey Cooperative", "ru"),
    ("buyer@agrobridge.demo", "buyer", "王伟 Wang Wei", "哈尔滨道外粮油批发有限公司", "zh"),
    ("buyer2@agrobridge.demo", "buyer", "李娜 Li Na", "黑龙江北方食品贸易公司", "zh"),
]


#: The demo buyers' companies (synthetic codes with valid check characters).
DEMO_COMPANIES = {
    "buyer@agrobridge.demo": {
        "name_zh": "哈尔滨道外粮油批发有限公司",
        "name_en": "Harbin Daowai Grain & Oil Wholesale Co., Ltd.",
        "uscc": "91230104MA1B2C3D43",
        "customs_code": "2301960123",
        "address_zh": "黑龙江省哈尔滨市道外区南直路398号道外物流园3号库",
        "address_en": "Warehouse 3, Daowai Logistics Park, 398 Nanzhi Rd, Daowai District, Harbin",
        "contact_name": "王伟",
        "contact_phone": "+86 451 8888 0000",
        "contact_email": "buyer@agrobridge.demo",
    },
    "buyer2@agrobridge.demo": {
        "name_zh": "黑龙江北方食品贸易有限公司",
        "name_en": "Heilongjiang Northern Food Trading Co., Ltd.",
        "uscc": "91230100000000001M",
        "customs_code": "2301961456",
        "address_zh": "黑龙江省哈尔滨市道外区景阳街12号",
        "address_en": "12 Jingyang St, Daowai District, Harbin, Heilongjiang",
        "contact_name": "李娜",
        "contact_phone": "+86 451 8666 1234",
        "contact_email": "buyer2@agrobridge.demo",
    },
}


@seeder(order=10)
def seed_users(echo):
    created = 0
    for email, role, name, company, language in DEMO_USERS:
        if services.find_by_email(email) is None:
            services.create_user(
                email=email, password=DEMO_PASSWORD, role=role, name=name, company=company, language=language
            )
            created += 1
    for email, values in DEMO_COMPANIES.items():
        user = services.find_by_email(email)
        if user is not None and companies.company_of(user) is None:
            companies.update_company(user, companies.unflatten(values))
    echo(f"Demo users ({created} new); every password is '{DEMO_PASSWORD}':")
    for email, role, *_ in DEMO_USERS:
        echo(f"  {role:<9} {email}")
