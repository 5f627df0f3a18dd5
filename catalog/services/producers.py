"""Producer profiles: a farmer's own profile, its edits, and the admin's review."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from catalog.data import GACC_RE, PRODUCER_STATUSES
from catalog.legal import FIELD_NAMES as LEGAL_FIELD_NAMES
from catalog.legal import check_legal
from catalog.legal import flatten as flatten_legal
from catalog.models import Category, District, Producer
from catalog.services.common import LANGS, clean, invalid
from catalog.signals import producer_changed
from catalog.trade_fields import price_basis_values
from core import identifiers
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.mail import queue_email
from core.timeutil import utcnow

#: Changing these on a verified profile sends it back to review.
CREDENTIAL_FIELDS = (
    "name_ru",
    "gacc_registration",
    "gacc_expires_at",
    "gacc_categories",
    "legal_name_ru",
    "inn",
    "kpp",
    "ogrn",
    "bik",
    "bank_account",
    "correspondent_account",
    "swift",
)


def legal_field(column: str) -> str:
    return LEGAL_FIELD_NAMES[column]


def producer_of(user) -> Producer | None:
    if user is None or user.role != "farmer":
        return None
    return db.session.scalar(select(Producer).where(Producer.owner_id == user.id))


def get_producer(user, producer_id: int) -> Producer:
    """:raise NotFound: no such producer, or ``user`` may not see it (unverified, not theirs)."""
    producer = db.session.get(Producer, producer_id)
    if producer is None or not producer.visible_to(user):
        raise NotFound(_l("No such producer."))
    return producer


def check_owner(user, producer: Producer) -> None:
    if user is None or user.id != producer.owner_id:
        raise Forbidden(_l("Only the producer's own farmer may change this."))


def _producer_fields(data: dict, producer: Producer | None) -> dict:
    """Validated column values from ``data`` (API or form shape)."""
    values: dict = {}
    errors: dict = {}
    if "name" in data:
        names = data["name"] or {}
        for lang in LANGS:
            values[f"name_{lang}"] = clean(names.get(lang))[:200]
        if not values["name_ru"]:
            errors["name"] = [_l("Enter the legal name in Russian.")]
    elif producer is None:
        errors["name"] = [_l("Enter the legal name in Russian.")]
    if "description" in data:
        descriptions = data["description"] or {}
        for lang in LANGS:
            values[f"description_{lang}"] = clean(descriptions.get(lang))
    if "district" in data or producer is None:
        code = data.get("district")
        if not code or db.session.get(District, code) is None:
            errors["district"] = [_l("Choose a district of Chelyabinsk oblast.")]
        values["district_code"] = code
    for key, column, limit in (
        ("address", "address", 300),
        ("contact_name", "contact_name", 120),
        ("contact_phone", "contact_phone", 40),
        ("contact_email", "contact_email", 254),
        ("website", "website", 200),
    ):
        if key in data:
            values[column] = clean(data[key])[:limit]
    if "gacc_registration" in data:
        number = clean(data["gacc_registration"]).upper() or None
        if number and not GACC_RE.match(number):
            errors["gacc_registration"] = [
                _l(
                    "A GACC registration number looks like CRUS followed by 14 digits, e.g. CRUS12202201150001."  # noqa: E501
                )
            ]
        values["gacc_registration"] = number
    if "gacc_expires_at" in data:
        values["gacc_expires_at"] = data["gacc_expires_at"]
    if "gacc_categories" in data:
        codes = [c for c in dict.fromkeys(data["gacc_categories"] or []) if c]
        known = set(db.session.scalars(select(Category.code)))
        unknown = [c for c in codes if c not in known]
        if unknown:
            errors["gacc_categories"] = [_l("Unknown categories: %(codes)s.", codes=", ".join(unknown))]
        values["gacc_categories"] = ",".join(codes)
    if "gs1_company_prefix" in data:
        prefix = clean(data["gs1_company_prefix"]) or None
        if prefix and not identifiers.gs1_prefix_valid(prefix):
            errors["gs1_company_prefix"] = [_l("A GS1 company prefix has 6 to 12 digits.")]
        values["gs1_company_prefix"] = prefix
    if "legal" in data:
        legal_values, legal_errors = check_legal(flatten_legal(data["legal"] or {}), producer, legal_field)
        values.update(legal_values)
        errors.update(legal_errors)
    if "price_basis" in data:
        basis = price_basis_values(
            data["price_basis"], lambda f, m: errors.setdefault(f, []).append(m), allow_none=False
        )
        if basis:
            values["price_incoterm"], values["price_place"] = basis["price_incoterm"], basis["price_place"]
    number = values.get("gacc_registration", producer.gacc_registration if producer else None)
    if number and number != (producer.gacc_registration if producer else None):
        clash = db.session.scalar(select(Producer.id).where(Producer.gacc_registration == number))
        if clash and (producer is None or clash != producer.id):
            errors["gacc_registration"] = [_l("Another producer has this GACC registration number.")]
    if errors:
        raise ValidationFailed(_l("Some fields are not valid."), fields=errors)
    return values


def create_producer(user, data: dict) -> Producer:
    """A farmer's own producer profile, once; it waits for an admin's review."""
    if user is None or user.role != "farmer":
        raise Forbidden(_l("Only farmers have producer profiles."))
    if producer_of(user) is not None:
        raise Conflict(_l("You already have a producer profile."), code="producer_exists")
    producer = Producer(owner_id=user.id, status="pending", **_producer_fields(data, None))
    db.session.add(producer)
    db.session.commit()
    return producer


def update_producer(user, producer: Producer, data: dict) -> Producer:
    """The owner edits the profile; new credentials on a verified one go back to review."""
    check_owner(user, producer)
    values = _producer_fields(data, producer)
    credentials_changed = any(
        key in values and values[key] != getattr(producer, key) for key in CREDENTIAL_FIELDS
    )
    changed = [key for key, value in values.items() if getattr(producer, key) != value]
    for key, value in values.items():
        setattr(producer, key, value)
    if changed:
        db.session.flush()
        producer_changed.send(producer, changed=changed)
    if credentials_changed and producer.status == "verified":
        producer.status = "pending"
        producer.reviewed_at = None
    if producer.status == "rejected":
        producer.status = "pending"  # a corrected profile asks for review again
    db.session.commit()
    return producer


def list_producers(user, status: str | None = None):
    """Verified producers; an admin sees all, filtered by ``status``."""
    stmt = select(Producer).order_by(Producer.created_at.desc(), Producer.id.desc())
    if user is not None and user.role == "admin":
        if status in PRODUCER_STATUSES:
            stmt = stmt.where(Producer.status == status)
    else:
        stmt = stmt.where(Producer.status == "verified")
    return stmt


def verify_producer(admin, producer: Producer) -> Producer:
    """Admin: the profile and credentials are checked; the products become visible.

    :raise Conflict: no GACC registration, or it has expired; legal data incomplete
    """
    if not producer.gacc_valid():
        raise Conflict(
            _l("A producer needs a current GACC registration before it can be verified."),
            code="gacc_missing",
        )
    if not producer.legal_complete:
        missing = [LEGAL_FIELD_NAMES[c] for c in producer.legal_missing]
        raise Conflict(
            _l("A producer needs complete legal data (tax ids, address, bank, signatory) to be verified."),
            code="legal_incomplete",
            extra={"missing": missing},
        )
    producer.status = "verified"
    producer.rejection_reason = ""
    producer.reviewed_at = utcnow()
    producer.reviewed_by_id = admin.id
    _notify_review(producer)
    db.session.commit()
    return producer


def reject_producer(admin, producer: Producer, reason: str) -> Producer:
    """Admin: send the profile back with a reason the farmer sees."""
    reason = clean(reason)
    if not reason:
        raise invalid("reason", _l("Give the farmer a reason."))
    producer.status = "rejected"
    producer.rejection_reason = reason[:2000]
    producer.reviewed_at = utcnow()
    producer.reviewed_by_id = admin.id
    _notify_review(producer)
    db.session.commit()
    return producer


def _notify_review(producer: Producer) -> None:
    owner = producer.owner
    queue_email(
        owner.email,
        owner.language,
        "catalog/email/producer_reviewed",
        name=owner.name,
        producer=producer.name_ru,
        verified=producer.verified,
        reason=producer.rejection_reason,
    )


def verification_queue():
    return db.session.scalars(
        select(Producer).where(Producer.status == "pending").order_by(Producer.created_at, Producer.id)
    ).all()


def require_producer(user) -> Producer:
    producer = producer_of(user)
    if producer is None:
        raise Forbidden(_l("Create your producer profile first."), code="producer_required")
    return producer
