"""factory_boy factories; every one commits, as the app's services do."""

import factory
from werkzeug.security import generate_password_hash

from accounts.models import User
from core.extensions import db

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
