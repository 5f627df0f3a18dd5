"""Settings read from the environment; see .env.example for every variable."""

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


class ConfigError(RuntimeError):
    """A setting is missing or wrong: the app refuses to start."""


def _secret_key(database_url: str, required: bool = True) -> str:
    """SECRET_KEY from the environment, else (SQLite: one machine) one generated once into
    instance/. With another database there may be several instances, and each would generate
    its own key and refuse the others' sessions: then it must be set."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if required and not database_url.startswith("sqlite"):
        raise ConfigError(
            "SECRET_KEY is not set. It is required when DATABASE_URL is not SQLite: every app "
            "instance must sign sessions with the same key. Generate one with "
            "`python3 -c 'import secrets; print(secrets.token_hex(32))'` and set it in the "
            "environment of every instance, worker and scheduler."
        )
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        # O_EXCL: two workers starting at once must agree on one key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
    return path.read_text().strip()


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{INSTANCE_DIR / 'agrobridge.sqlite3'}"
    # Accept the common postgres:// spelling and pick psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class Config:
    DEBUG = env_bool("FLASK_DEBUG")
    TESTING = False
    SECRET_KEY = None  # filled in by load()
    SQLALCHEMY_DATABASE_URI = None
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    PORT = env_int("PORT", 5000)
    REDIS_URL = os.environ.get("REDIS_URL") or None
    #: Anonymous catalog reads served from Redis, keyed by the public data version (core.cache).
    PUBLIC_CACHE = env_bool("PUBLIC_CACHE", default=True)
    #: Seconds a cached response may live even without a write (pages show date-bound things).
    PUBLIC_CACHE_TTL = env_int("PUBLIC_CACHE_TTL", 300)
    #: Prefix of the cache's Redis keys (two apps sharing one Redis database keep apart).
    PUBLIC_CACHE_PREFIX = os.environ.get("PUBLIC_CACHE_PREFIX") or "agrobridge:public"
    #: A search whose words are found only in descriptions ranks the newest this many matches
    #: (a word every tenth description holds would otherwise rank tens of thousands of rows).
    SEARCH_TEXT_CAP = env_int("SEARCH_TEXT_CAP", 500)
    # Jobs run in-process right after commit when there is no Redis.
    JOBS_INLINE = env_bool("JOBS_INLINE", default=False)
    JOBS_QUEUE = os.environ.get("JOBS_QUEUE", "agrobridge")
    #: `flask scheduler`: the leader's lock lifetime (a standby takes over within it), how old a
    #: missed firing may be and still fire, and how often it looks.
    SCHEDULER_LOCK_SECONDS = env_int("SCHEDULER_LOCK_SECONDS", 30)
    SCHEDULER_CATCH_UP_SECONDS = env_int("SCHEDULER_CATCH_UP_SECONDS", 600)
    SCHEDULER_TICK_SECONDS = env_int("SCHEDULER_TICK_SECONDS", 5)

    #: ``json`` (one object a line) or ``text``; unset: JSON under gunicorn, text otherwise.
    LOG_FORMAT = os.environ.get("LOG_FORMAT") or None
    LOG_LEVEL = os.environ.get("LOG_LEVEL") or "INFO"

    MAX_CONTENT_LENGTH = env_int("MAX_CONTENT_LENGTH", 20 * 1024 * 1024)

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    FORCE_HTTPS = env_bool("FORCE_HTTPS", default=False)
    #: How many proxies in front set X-Forwarded-For/-Proto/-Host/-Port (0: none, trust nothing).
    PROXY_COUNT = env_int("PROXY_COUNT", 0)

    WTF_CSRF_CHECK_DEFAULT = False  # checked in core.security so API tokens can skip it
    WTF_CSRF_TIME_LIMIT = None

    LOGIN_RATE_LIMIT_IP = os.environ.get("LOGIN_RATE_LIMIT_IP", "40 per minute")
    LOGIN_RATE_LIMIT_ACCOUNT = os.environ.get("LOGIN_RATE_LIMIT_ACCOUNT", "10 per 15 minutes")
    RATELIMIT_ENABLED = env_bool("RATELIMIT_ENABLED", default=True)
    RATELIMIT_HEADERS_ENABLED = True
    # Redis down: limits count per worker process in memory until it is back, rather than
    # failing requests (see the README's "Security").
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True

    API_TOKEN_TTL_HOURS = env_int("API_TOKEN_TTL_HOURS", 24 * 30)
    #: How long the link that confirms a new account's e-mail works.
    REGISTRATION_LINK_HOURS = env_int("REGISTRATION_LINK_HOURS", 48)
    PASSWORD_MIN_LENGTH = 10

    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = env_int("MAIL_PORT", 25)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_USE_TLS = env_bool("MAIL_USE_TLS")
    MAIL_USE_SSL = env_bool("MAIL_USE_SSL")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "AgroBridge <no-reply@agrobridge.example>")

    STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY") or None
    STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY") or None
    STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET") or None
    STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE") or None
    #: Which Stripe payment methods buyers are offered (comma-separated).
    STRIPE_PAYMENT_METHOD_TYPES = tuple(
        m.strip()
        for m in os.environ.get("STRIPE_PAYMENT_METHOD_TYPES", "card,alipay,wechat_pay").split(",")
        if m.strip()
    )
    #: Lets the payment page confirm a card PaymentIntent server-side with Stripe's test card
    #: (for a demo against a local Stripe-compatible server, where Stripe.js cannot load).
    STRIPE_TEST_CONFIRM = env_bool("STRIPE_TEST_CONFIRM")
    #: Landed-cost estimate: cargo insurance as a percentage of goods + freight.
    LANDED_COST_INSURANCE_PERCENT = os.environ.get("LANDED_COST_INSURANCE_PERCENT", "0.3")
    #: Share of a lot's shelf life that must be left on arrival in Harbin ("2/3" or "0.75");
    #: a buyer may set their own. Route days come from the freight tariffs' leg durations,
    #: else ROUTE_DAYS_DEFAULT.
    SHELF_LIFE_SHARE_ON_ARRIVAL = os.environ.get("SHELF_LIFE_SHARE_ON_ARRIVAL", "2/3")
    ROUTE_DAYS_DEFAULT = env_int("ROUTE_DAYS_DEFAULT", 14)
    #: The daily CBR file `flask rates import` and the periodic job read; a rate older than
    #: FX_MAX_AGE_DAYS is not used for a new order or estimate.
    CBR_DAILY_URL = os.environ.get("CBR_DAILY_URL", "https://www.cbr.ru/scripts/XML_daily.asp")
    FX_MAX_AGE_DAYS = env_int("FX_MAX_AGE_DAYS", 7)
    #: The platform's commission on each completed order, in percent.
    PLATFORM_COMMISSION_PERCENT = os.environ.get("PLATFORM_COMMISSION_PERCENT", "5")
    #: The platform's own legal entity: escrow agent and payee of buyers' CNY (on documents).
    PLATFORM_LEGAL_NAME = os.environ.get("PLATFORM_LEGAL_NAME", "AgroBridge Trading (Harbin) Co., Ltd.")
    PLATFORM_LEGAL_NAME_ZH = os.environ.get("PLATFORM_LEGAL_NAME_ZH", "哈尔滨农桥贸易有限公司")
    PLATFORM_LEGAL_ADDRESS = os.environ.get(
        "PLATFORM_LEGAL_ADDRESS", "No. 1 Daowai Logistics Park, Daowai District, Harbin, Heilongjiang, China"
    )
    PLATFORM_CONTACT = os.environ.get("PLATFORM_CONTACT", "+86 451 8800 0000 · import@agrobridge.example")
    #: Unified Social Credit Code of the platform's company (its check character is tested).
    PLATFORM_USCC = os.environ.get("PLATFORM_USCC", "91230104MA1B2C3D43")
    #: The platform's GS1 company prefix: SSCCs of the logistic units it consolidates and GLNs of
    #: its warehouses (the gazetteer's) are built on it.
    PLATFORM_GS1_PREFIX = os.environ.get("PLATFORM_GS1_PREFIX", "4607000")
    #: Bank details buyers transfer CNY to.
    PLATFORM_BANK_BENEFICIARY = os.environ.get(
        "PLATFORM_BANK_BENEFICIARY", "AgroBridge Trading (Harbin) Co., Ltd."
    )
    PLATFORM_BANK_NAME = os.environ.get("PLATFORM_BANK_NAME", "Bank of China, Heilongjiang Branch")
    PLATFORM_BANK_ACCOUNT = os.environ.get("PLATFORM_BANK_ACCOUNT", "0000 0000 0000 0000 000")
    PLATFORM_BANK_SWIFT = os.environ.get("PLATFORM_BANK_SWIFT", "BKCHCNBJ860")

    LANGUAGES = ("zh", "ru", "en")
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai")
    API_TITLE = "AgroBridge API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"

    #: Where uploaded files and issued documents are kept (core.uploads.BACKENDS): "filesystem"
    #: under UPLOAD_DIR (one machine), "database" in PostgreSQL (several instances).
    UPLOAD_STORAGE = os.environ.get("UPLOAD_STORAGE", "filesystem")
    #: The database backend's chunk: files are written and read this many bytes at a time.
    UPLOAD_CHUNK_BYTES = env_int("UPLOAD_CHUNK_BYTES", 256 * 1024)
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR") or str(INSTANCE_DIR / "uploads")
    #: Largest product or producer photo, and certificate scan, in bytes (larger → 413).
    CATALOG_PHOTO_MAX_BYTES = env_int("CATALOG_PHOTO_MAX_BYTES", 5 * 1024 * 1024)
    CATALOG_CERTIFICATE_MAX_BYTES = env_int("CATALOG_CERTIFICATE_MAX_BYTES", 10 * 1024 * 1024)
    #: A product import of more rows than this runs as a background job with its progress shown.
    CATALOG_IMPORT_INLINE_ROWS = env_int("CATALOG_IMPORT_INLINE_ROWS", 200)
    #: Links in e-mails and documents point here.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", f"http://127.0.0.1:{env_int('PORT', 5000)}")

    #: An unpaid order is cancelled (and its stock returned) after this many hours.
    ORDER_PAYMENT_TIMEOUT_HOURS = env_int("ORDER_PAYMENT_TIMEOUT_HOURS", 48)
    #: A delivered order completes by itself this many days after delivery.
    ORDER_AUTO_COMPLETE_DAYS = env_int("ORDER_AUTO_COMPLETE_DAYS", 7)
    #: Cold chain: out of band longer than this is an excursion (an exception milestone).
    TEMPERATURE_EXCURSION_GRACE_MINUTES = env_int("TEMPERATURE_EXCURSION_GRACE_MINUTES", 30)
    #: A milestone may be dated at most this far in the future (clock skew of devices).
    EVENT_FUTURE_TOLERANCE_MINUTES = env_int("EVENT_FUTURE_TOLERANCE_MINUTES", 5)
    #: Buyers' webhooks: allow private/loopback addresses (never in production), attempts, backoff.
    WEBHOOK_ALLOW_PRIVATE = env_bool("WEBHOOK_ALLOW_PRIVATE")
    WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 8)
    WEBHOOK_RETRY_BASE_SECONDS = env_int("WEBHOOK_RETRY_BASE_SECONDS", 60)
    #: Largest shipment document or milestone attachment, in bytes.
    LOGISTICS_UPLOAD_MAX_BYTES = env_int("LOGISTICS_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
    #: Hours after payment a farmer is asked to confirm an order by (shown on the to-do home).
    ORDER_CONFIRM_HOURS = env_int("ORDER_CONFIRM_HOURS", 48)
    #: Minutes a conversation message waits unread before the recipient's e-mail digest (0: at once).
    MESSAGE_DIGEST_MINUTES = env_int("MESSAGE_DIGEST_MINUTES", 15)
    #: Largest message attachment, in bytes.
    MESSAGE_ATTACHMENT_MAX_BYTES = env_int("MESSAGE_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
    #: Who may read /metrics and /readyz: addresses or networks (comma-separated), or any caller
    #: sending ``Authorization: Bearer <METRICS_TOKEN>``. Others get 404.
    METRICS_ALLOW_FROM = os.environ.get("METRICS_ALLOW_FROM", "127.0.0.1/32,::1/128")
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN") or None
    #: An instance whose code's migration head is not the database's answers 503 (but /healthz,
    #: /readyz and /metrics) until they match; looked at most every MIGRATION_GATE_SECONDS.
    MIGRATION_GATE = env_bool("MIGRATION_GATE", default=True)
    MIGRATION_GATE_SECONDS = env_int("MIGRATION_GATE_SECONDS", 10)
    #: Idempotency keys are remembered at least this long.
    IDEMPOTENCY_KEY_TTL_HOURS = env_int("IDEMPOTENCY_KEY_TTL_HOURS", 48)

    @classmethod
    def load(cls) -> dict:
        values = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
        values["SQLALCHEMY_DATABASE_URI"] = _database_url()
        values["SECRET_KEY"] = _secret_key(values["SQLALCHEMY_DATABASE_URI"], cls.TESTING is False)
        if not values["REDIS_URL"]:
            values["JOBS_INLINE"] = True
        return values


class TestingConfig(Config):
    TESTING = True
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    WTF_CSRF_ENABLED = True
    RATELIMIT_ENABLED = False
    JOBS_INLINE = True
    MIGRATION_GATE = False  # tests/core/test_metrics.py turns it on

    @classmethod
    def load(cls) -> dict:
        values = super().load()
        values["SECRET_KEY"] = "testing-only-" + secrets.token_hex(8)
        values["SQLALCHEMY_DATABASE_URI"] = os.environ.get("TEST_DATABASE_URL") or "sqlite://"
        values["REDIS_URL"] = None
        values["JOBS_INLINE"] = True
        return values
