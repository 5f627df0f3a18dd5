"""Demo exchange rates so the demo shows RUB equivalents (entered as manual, not CBR's)."""

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from core.extensions import db
from core.seed import seeder
from core.timeutil import utcnow
from fx.models import ExchangeRate

#: Illustrative RUB per unit (not CBR's figures): CNY and USD for the last two weeks.
DEMO_RATES = {"CNY": Decimal("11.0512"), "USD": Decimal("78.9340")}


@seeder(order=25)
def seed_rates(echo):
    if db.session.scalar(select(ExchangeRate.id).limit(1)) is not None:
        echo("Exchange rates exist already.")
        return
    today = utcnow().date()
    for days in range(14):
        day = today - timedelta(days=days)
        drift = Decimal(days) * Decimal("0.0125")
        for currency, rate in DEMO_RATES.items():
            value = rate - drift * (1 if currency == "CNY" else 8)
            db.session.add(
                ExchangeRate(
                    currency=currency, rate_date=day, nominal=1, value=value, unit_rate=value, source="manual"
                )
            )
    db.session.commit()
    echo("Demo exchange rates: CNY and USD for 14 days (illustrative, source manual).")
