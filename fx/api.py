"""/api/v1: exchange rates."""

from flask_babel import lazy_gettext as _l
from flask_smorest import Blueprint

from core.auth import api_auth, api_user
from core.errors import NotFound
from fx import schemas as s
from fx import services as rates

blp = Blueprint("fx_api", __name__, url_prefix="/api/v1", description="Exchange rates")


def rate_json(quote: rates.RateQuote) -> dict:
    return {
        "currency": quote.currency,
        "requested_date": quote.requested,
        "rate_date": quote.rate_date,
        "stale": quote.stale,
        "nominal": quote.nominal,
        "value": quote.value,
        "unit_rate": quote.unit_rate,
        "source": quote.source,
    }


@blp.get("/exchange-rates")
@blp.arguments(s.RateQuerySchema, location="query")
@blp.response(200, s.ExchangeRateSchema)
@blp.alt_response(404, description="No rate on or before that date")
def get_rate(args):
    """The CBR rate (RUB per unit) for a currency on a date: that day's or, with
    ``stale: true``, the latest earlier one (``rate_date`` says which). Anyone.

    :raise 404: no rate on or before the date
    """
    on = args.get("date") or rates.moscow_today()
    quote = rates.rate_on(args["currency"].upper(), on)
    if quote is None:
        raise NotFound(_l("No exchange rate is on file for that currency and date."), code="no_rate")
    return rate_json(quote)


@blp.post("/exchange-rates")
@api_auth("admin")
@blp.arguments(s.ExchangeRateInSchema)
@blp.response(201, s.ExchangeRateSchema)
@blp.alt_response(409, description="rate_exists: set replace to overwrite")
@blp.alt_response(422, description="rate_implausible: zero, negative or far from the previous rate")
def post_rate(data):
    """Enter a rate by hand (RUB per ``nominal`` units). Admins.

    :raise 403: not an admin
    :raise 409: a rate for that day exists and ``replace`` is false
    :raise 422: not plausible
    """
    row = rates.enter_rate(
        api_user(), data["currency"], data["rate_date"], data["value"], data["nominal"], data["replace"]
    )
    return rate_json(rates.rate_on(row.currency, row.rate_date))
