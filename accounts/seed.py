"""Demo users of every role, with known passwords."""

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


@seeder(order=10)
def seed_users(echo):
    created = 0
    for email, role, name, company, language in DEMO_USERS:
        if services.find_by_email(email) is None:
            services.create_user(
                email=email, password=DEMO_PASSWORD, role=role, name=name, company=company, language=language
            )
            created += 1
    echo(f"Demo users ({created} new); every password is '{DEMO_PASSWORD}':")
    for email, role, *_ in DEMO_USERS:
        echo(f"  {role:<9} {email}")
