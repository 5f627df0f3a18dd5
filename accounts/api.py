"""/api/v1/auth/token, /api/v1/me and a buyer's /api/v1/me/company."""

from flask import abort, jsonify
from flask_smorest import Blueprint

from accounts import company, services
from accounts.ratelimits import TooManyAttempts, attempt_login, login_limits, set_device_cookie
from accounts.schemas import (
    CompanyInSchema,
    CompanySchema,
    MeSchema,
    MeUpdateSchema,
    TokenRequestSchema,
    TokenSchema,
    UserQuerySchema,
    UserSchema,
)
from core.auth import api_auth, api_user, bearer_token
from core.errors import json_error
from core.extensions import db

api_bp = Blueprint("auth_api", __name__, url_prefix="/api/v1", description="Authentication")


@api_bp.post("/auth/token")
@login_limits
@api_bp.arguments(TokenRequestSchema)
@api_bp.response(200, TokenSchema)
@api_bp.alt_response(401, description="Wrong e-mail or password")
@api_bp.alt_response(429, description="Too many attempts")
def create_token(data):
    """Exchange e-mail and password for a bearer token. Anyone.

    :raise 401: bad credentials or inactive account
    """
    try:
        user, device = attempt_login(data["email"], data["password"])
    except TooManyAttempts as exc:
        return json_error(429, exc.code, exc.message, headers=[("Retry-After", str(exc.retry_after))])
    if user is None:
        abort(401)
    token, record = services.issue_token(user, device)
    response = jsonify(TokenSchema().dump({"token": token, "expires_at": record.expires_at}))
    # A client that keeps cookies is a known device next time (see accounts.ratelimits).
    set_device_cookie(response, device)
    return response


@api_bp.delete("/auth/token")
@api_auth()
@api_bp.response(204)
@api_bp.alt_response(401, description="Missing, expired or revoked token")
def delete_token():
    """Revoke the bearer token this request carries. Token holders.

    :raise 401: no valid bearer token
    """
    token = bearer_token()
    if not token or not services.revoke_token(token):
        abort(401)


@api_bp.get("/me")
@api_auth()
@api_bp.response(200, MeSchema)
@api_bp.alt_response(401, description="Not authenticated")
def me():
    """The caller's account. Any authenticated user."""
    return api_user()


@api_bp.patch("/me")
@api_auth()
@api_bp.arguments(MeUpdateSchema)
@api_bp.response(200, MeSchema)
@api_bp.alt_response(401, description="Not authenticated")
@api_bp.alt_response(422, description="Unknown language or time zone; nothing stored")
def update_me(data):
    """Change the caller's language or time zone (an IANA name such as ``Asia/Yekaterinburg``).
    Any authenticated user.

    :raise 422: unknown time zone
    """
    user = api_user()
    if "time_zone" in data:
        services.set_time_zone(user, data["time_zone"], commit=False)
    if "language" in data:
        user.language = data["language"]
    db.session.commit()
    return user


@api_bp.get("/users")
@api_auth("admin")
@api_bp.arguments(UserQuerySchema, location="query")
@api_bp.response(200, UserSchema(many=True))
@api_bp.alt_response(401, description="Not authenticated")
@api_bp.alt_response(403, description="Not an administrator")
def list_users(args):
    """Every account, newest first; filter by role or text. Admins only.

    :raise 403: the caller is not an admin
    """
    return services.list_users(role=args.get("role"), q=args.get("q"))


def company_json(company) -> dict:
    from accounts.models import Company

    company = company or Company()
    return {
        "name": {"zh": company.name_zh or "", "en": company.name_en or ""},
        "uscc": company.uscc or "",
        "customs_code": company.customs_code or "",
        "address": {"zh": company.address_zh or "", "en": company.address_en or ""},
        "contact": {
            "name": company.contact_name or "",
            "phone": company.contact_phone or "",
            "email": company.contact_email or "",
        },
        "complete": company.complete,
        "missing": company.missing,
    }


@api_bp.get("/me/company")
@api_auth("buyer")
@api_bp.response(200, CompanySchema)
@api_bp.alt_response(401, description="Not authenticated")
@api_bp.alt_response(403, description="Not a buyer")
@api_bp.doc(security=[{"bearerAuth": []}])
def get_company():
    """The caller's company (empty fields until filled in; ``missing`` lists what an order
    still needs). Buyers.

    :raise 403: not a buyer
    """
    return company_json(company.company_of(api_user()))


@api_bp.patch("/me/company")
@api_auth("buyer")
@api_bp.arguments(CompanyInSchema)
@api_bp.response(200, CompanySchema)
@api_bp.alt_response(401, description="Not authenticated")
@api_bp.alt_response(403, description="Not a buyer")
@api_bp.alt_response(422, description="A bad USCC check character or customs code; nothing stored")
@api_bp.doc(security=[{"bearerAuth": []}])
def patch_company(data):
    """Fill in or correct the caller's company; only the fields sent change. Buyers.

    :raise 403: not a buyer
    :raise 422: a field is not valid (nothing is stored)
    """
    return company_json(company.update_company(api_user(), data))
