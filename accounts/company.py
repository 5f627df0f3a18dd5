"""Legal parties on the buyers' side: each buyer's company (the importer of record), and the
platform's own legal entity, which is configuration."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from accounts.models import Company
from accounts.signals import company_changed
from core import identifiers
from core.errors import AppError, Forbidden, ValidationFailed
from core.extensions import db

#: API shape → columns: {"name": {"zh", "en"}, "address": {"zh", "en"}, "contact": {...}}.
NESTED = {
    "name": {"zh": "name_zh", "en": "name_en"},
    "address": {"zh": "address_zh", "en": "address_en"},
    "contact": {"name": "contact_name", "phone": "contact_phone", "email": "contact_email"},
}
LIMITS = {
    "name_zh": 200,
    "name_en": 200,
    "uscc": 18,
    "customs_code": 10,
    "address_zh": 300,
    "address_en": 300,
    "contact_name": 120,
    "contact_phone": 40,
    "contact_email": 254,
}


class CompanyIncomplete(AppError):
    status, code = 409, "company_incomplete"


def _require_buyer(user) -> None:
    if user is None or user.role != "buyer":
        raise Forbidden(_l("Only buyers have a company here."))


def company_of(user) -> Company | None:
    if user is None:
        return None
    return db.session.scalar(select(Company).where(Company.owner_id == user.id))


def flatten(data: dict) -> dict:
    """The API's nested shape as column values (keys absent stay absent)."""
    values = {}
    for key, value in data.items():
        if key in NESTED:
            for part, column in NESTED[key].items():
                if part in (value or {}):
                    values[column] = (value or {})[part]
        elif key in LIMITS:
            values[key] = value
    return values


def unflatten(values: dict) -> dict:
    """Column values in the API's nested shape."""
    data = {key: values[key] for key in ("uscc", "customs_code") if key in values}
    for outer, parts in NESTED.items():
        data[outer] = {inner: values[column] for inner, column in parts.items() if column in values}
    return data


def check_company(values: dict) -> dict:
    """Strip, normalise and check each given column; 422 naming every bad field."""
    cleaned, errors = {}, {}
    for column, raw in values.items():
        text = (raw or "").strip()
        if column in ("uscc",):
            text = text.upper()
        if len(text) > LIMITS[column]:
            errors[column] = [_l("At most %(n)d characters.", n=LIMITS[column])]
            continue
        cleaned[column] = text
    uscc = cleaned.get("uscc")
    if uscc and not identifiers.uscc_valid(uscc):
        errors["uscc"] = [
            _l("A Unified Social Credit Code has 18 characters and ends with its check character (GB 32100).")
        ]
    code = cleaned.get("customs_code")
    if code and not identifiers.customs_code_valid(code):
        errors["customs_code"] = [_l("The customs registration code has 10 digits.")]
    if errors:
        raise ValidationFailed(_l("Some fields are not valid."), fields=errors)
    return cleaned


def update_company(user, data: dict) -> Company:
    """A buyer fills in or corrects their company; only the given fields change. Commits.

    :raise 403: not a buyer
    :raise 422: a bad USCC or customs code, a field too long (nothing stored)
    """
    _require_buyer(user)
    values = check_company(flatten(data))
    company = company_of(user)
    if company is None:
        company = Company(owner_id=user.id)
        db.session.add(company)
    changed = [column for column, value in values.items() if getattr(company, column) != value]
    for column, value in values.items():
        setattr(company, column, value)
    if changed and company.id is not None:
        db.session.flush()
        company_changed.send(company, changed=changed)
    db.session.commit()
    return company


def require_complete_company(buyer) -> Company:
    """The buyer's company, complete, for an order's documents.

    :raise 409: no company, or required fields missing (named in ``missing``)
    """
    company = company_of(buyer)
    missing = company.missing if company is not None else list(Company.REQUIRED)
    if missing:
        raise CompanyIncomplete(
            _l("Fill in your company's legal details (name, USCC, customs code, address, contact) first."),
            extra={"missing": missing},
        )
    return company


def platform_entity() -> dict:
    """The platform's own legal entity (configuration): escrow agent and payee of buyers' CNY."""
    config = current_app.config
    return {
        "name": config["PLATFORM_LEGAL_NAME"],
        "name_zh": config["PLATFORM_LEGAL_NAME_ZH"],
        "address": config["PLATFORM_LEGAL_ADDRESS"],
        "uscc": config["PLATFORM_USCC"],
        "bank": {
            "beneficiary": config["PLATFORM_BANK_BENEFICIARY"],
            "name": config["PLATFORM_BANK_NAME"],
            "account": config["PLATFORM_BANK_ACCOUNT"],
            "swift": config["PLATFORM_BANK_SWIFT"],
        },
    }
