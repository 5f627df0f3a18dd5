"""trade: the tariff book (periods, sources, provisional and quota rates), freight in two legs,
order lines keep the TN VED code

Revision ID: 0012_tariff_book
Revises: 0016_search_words
Create Date: 2026-12-02 06:10:00

"""

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from alembic import op

import core.db

# revision identifiers, used by Alembic.
revision = "0012_tariff_book"
down_revision = "0016_search_words"
branch_labels = None
depends_on = None

SOURCE = "Customs Tariff of the PRC, 2024 edition (MFN column; import VAT scope notes)"
UNCHECKED = "Plausible value, not yet checked against the current Customs Tariff of the PRC"
#: prefix → (MFN %, VAT %, quota in %, quota out %, confirmed, description). Edible vegetable
#: oils, crude or refined, are 9 % VAT; processed food 13 %. Wheat, wheat flour, maize, rice
#: and sugar are under tariff-rate quotas (in quota with an import quota certificate).
BOOK = {
    "100810": ("2", "9", None, None, True, "Buckwheat"),
    "151511": ("15", "9", None, None, True, "Linseed oil, crude"),
    "151519": ("15", "9", None, None, True, "Linseed oil, refined (edible)"),
    "170490": ("10", "13", None, None, True, "Sugar confectionery"),
    "180631": ("8", "13", None, None, True, "Chocolate, filled"),
    "180690": ("8", "13", None, None, True, "Chocolate, other"),
    "190531": ("10", "13", None, None, True, "Sweet biscuits"),
    "0409": ("15", "9", None, None, True, "Natural honey"),
    "1507": ("9", "9", None, None, True, "Soya-bean oil, crude or refined"),
    "151211": ("9", "9", None, None, True, "Sunflower-seed oil, crude"),
    "151219": ("9", "9", None, None, True, "Sunflower-seed oil, refined (edible)"),
    "151411": ("9", "9", None, None, True, "Rapeseed oil, crude"),
    "151419": ("9", "9", None, None, True, "Rapeseed oil, refined (edible)"),
    "1204": ("15", "9", None, None, False, "Linseed (flaxseed)"),
    "2105": ("19", "13", None, None, False, "Ice cream"),
    "1001": ("1", "9", "1", "65", True, "Wheat and meslin: tariff-rate quota"),
    "1101": ("6", "9", "6", "65", True, "Wheat or meslin flour: tariff-rate quota"),
    "1005": ("1", "9", "1", "65", False, "Maize: tariff-rate quota"),
    "1006": ("1", "9", "1", "65", False, "Rice: tariff-rate quota"),
    "1701": ("15", "13", "15", "50", False, "Cane or beet sugar: tariff-rate quota"),
}
EFFECTIVE_FROM = date(2024, 1, 1)
#: mode → (capacity of one unit kg, Russian leg minimum CNY, Chinese leg minimum CNY, reefer %,
#: Russian leg days, Chinese leg days): truck ~20 t, rail wagon ~60 t, 40' container ~26 t.
LEG_DEFAULTS = {
    "road": ("20000", "16000", "4000", "25", 9, 2),
    "rail": ("60000", "30000", "9000", "30", 12, 3),
    "multimodal": ("26000", "22000", "6000", "35", 11, 3),
}
#: Share of a through rate the Russian leg (Chelyabinsk → border) takes when it is split.
RUSSIAN_SHARE = Decimal("0.75")


def upgrade():
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tnved_code", sa.String(length=10), nullable=True))
    with op.batch_alter_table("duty_rates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("provisional_percent", sa.Numeric(precision=7, scale=3), nullable=True))
        batch_op.add_column(sa.Column("provisional_from", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("provisional_to", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("quota_in_percent", sa.Numeric(precision=7, scale=3), nullable=True))
        batch_op.add_column(sa.Column("quota_out_percent", sa.Numeric(precision=7, scale=3), nullable=True))
        batch_op.add_column(
            sa.Column("effective_from", sa.Date(), server_default="2024-01-01", nullable=False)
        )
        batch_op.add_column(sa.Column("effective_to", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("source", sa.String(length=300), server_default="", nullable=False))
        batch_op.drop_constraint(batch_op.f("uq_duty_rates_hs_prefix"), type_="unique")
        batch_op.create_unique_constraint("uq_duty_rates_prefix_from", ["hs_prefix", "effective_from"])
        batch_op.create_index("ix_duty_rates_hs_prefix", ["hs_prefix"], unique=False)
        batch_op.create_check_constraint(
            batch_op.f("ck_duty_rates_provisional_plausible"),
            "provisional_percent IS NULL OR (provisional_percent >= 0 AND provisional_percent <= 100)",
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_duty_rates_provisional_whole"),
            "(provisional_percent IS NULL) = (provisional_from IS NULL)"
            " AND (provisional_from IS NULL) = (provisional_to IS NULL)",
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_duty_rates_provisional_ordered"),
            "provisional_to IS NULL OR provisional_to >= provisional_from",
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_duty_rates_quota_whole"),
            "(quota_in_percent IS NULL) = (quota_out_percent IS NULL)",
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_duty_rates_quota_plausible"),
            "quota_in_percent IS NULL OR (quota_in_percent >= 0 AND quota_in_percent <= 100"
            " AND quota_out_percent >= 0 AND quota_out_percent <= 100)",
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_duty_rates_period_ordered"),
            "effective_to IS NULL OR effective_to >= effective_from",
        )

    with op.batch_alter_table("freight_tariffs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("leg", sa.String(length=8), server_default="russia", nullable=False))
        batch_op.add_column(
            sa.Column("min_charge_cny", sa.Numeric(precision=12, scale=2), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "unit_capacity_kg", sa.Numeric(precision=10, scale=1), server_default="20000", nullable=False
            )
        )
        batch_op.add_column(
            sa.Column(
                "reefer_surcharge_percent",
                sa.Numeric(precision=7, scale=3),
                server_default="0",
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("transit_days", sa.Integer(), server_default="10", nullable=False))
        batch_op.drop_constraint("uq_freight_tariffs_mode_crossing", type_="unique")
        batch_op.create_unique_constraint(
            "uq_freight_tariffs_mode_crossing_leg", ["mode", "border_crossing_code", "leg"]
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_freight_tariffs_leg_known"), "leg IN ('russia', 'china')"
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_freight_tariffs_minimum_not_negative"), "min_charge_cny >= 0"
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_freight_tariffs_capacity_positive"), "unit_capacity_kg > 0"
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_freight_tariffs_reefer_plausible"),
            "reefer_surcharge_percent >= 0 AND reefer_surcharge_percent <= 100",
        )
        batch_op.create_check_constraint(batch_op.f("ck_freight_tariffs_days_positive"), "transit_days > 0")

    bind = op.get_bind()
    now = datetime.now(UTC)
    duty = sa.table(
        "duty_rates",
        sa.column("id", sa.Integer),
        sa.column("hs_prefix"),
        sa.column("duty_percent", sa.Numeric(7, 3)),
        sa.column("vat_percent", sa.Numeric(7, 3)),
        sa.column("quota_in_percent", sa.Numeric(7, 3)),
        sa.column("quota_out_percent", sa.Numeric(7, 3)),
        sa.column("unconfirmed", sa.Boolean),
        sa.column("note"),
        sa.column("source"),
        sa.column("effective_from", sa.Date),
        sa.column("updated_at", core.db.UTCDateTime()),
        sa.column("updated_by"),
    )
    existing = {row.hs_prefix: row.id for row in bind.execute(sa.select(duty.c.id, duty.c.hs_prefix))}
    for prefix, (mfn, vat, q_in, q_out, confirmed, description) in BOOK.items():
        values = {
            "duty_percent": Decimal(mfn),
            "vat_percent": Decimal(vat),
            "quota_in_percent": Decimal(q_in) if q_in else None,
            "quota_out_percent": Decimal(q_out) if q_out else None,
            "unconfirmed": not confirmed,
            "note": description,
            "source": SOURCE if confirmed else UNCHECKED,
            "effective_from": EFFECTIVE_FROM,
            "updated_at": now,
        }
        if prefix in existing:
            bind.execute(duty.update().where(duty.c.id == existing[prefix]).values(**values))
        else:
            bind.execute(duty.insert().values(hs_prefix=prefix, updated_by="", **values))
    bind.execute(duty.update().where(duty.c.source == "").values(source=UNCHECKED))

    freight = sa.table(
        "freight_tariffs",
        sa.column("id", sa.Integer),
        sa.column("mode"),
        sa.column("border_crossing_code"),
        sa.column("leg"),
        sa.column("cny_per_kg", sa.Numeric(10, 4)),
        sa.column("min_charge_cny", sa.Numeric(12, 2)),
        sa.column("unit_capacity_kg", sa.Numeric(10, 1)),
        sa.column("reefer_surcharge_percent", sa.Numeric(7, 3)),
        sa.column("transit_days", sa.Integer),
        sa.column("unconfirmed", sa.Boolean),
        sa.column("note"),
        sa.column("updated_at", core.db.UTCDateTime()),
        sa.column("updated_by"),
    )
    rows = bind.execute(sa.select(freight)).all()
    for row in rows:
        capacity, ru_min, cn_min, reefer, ru_days, cn_days = LEG_DEFAULTS[row.mode]
        through = Decimal(row.cny_per_kg)
        russia = (through * RUSSIAN_SHARE).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
        common = {
            "unit_capacity_kg": Decimal(capacity),
            "reefer_surcharge_percent": Decimal(reefer),
        }
        bind.execute(
            freight.update()
            .where(freight.c.id == row.id)
            .values(
                leg="russia",
                cny_per_kg=russia,
                min_charge_cny=Decimal(ru_min),
                transit_days=ru_days,
                **common,
            )
        )
        bind.execute(
            freight.insert().values(
                mode=row.mode,
                border_crossing_code=row.border_crossing_code,
                leg="china",
                cny_per_kg=through - russia,
                min_charge_cny=Decimal(cn_min),
                transit_days=cn_days,
                unconfirmed=row.unconfirmed,
                note=row.note,
                updated_at=now,
                updated_by=row.updated_by,
                **common,
            )
        )


def downgrade():
    bind = op.get_bind()
    freight = sa.table(
        "freight_tariffs",
        sa.column("id", sa.Integer),
        sa.column("mode"),
        sa.column("border_crossing_code"),
        sa.column("leg"),
        sa.column("cny_per_kg", sa.Numeric(10, 4)),
    )
    china = {
        (r.mode, r.border_crossing_code): Decimal(r.cny_per_kg)
        for r in bind.execute(sa.select(freight).where(freight.c.leg == "china"))
    }
    for r in bind.execute(sa.select(freight).where(freight.c.leg == "russia")).all():
        extra = china.get((r.mode, r.border_crossing_code), Decimal("0"))
        bind.execute(
            freight.update().where(freight.c.id == r.id).values(cny_per_kg=Decimal(r.cny_per_kg) + extra)
        )
    bind.execute(freight.delete().where(freight.c.leg == "china"))
    with op.batch_alter_table("freight_tariffs", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_freight_tariffs_days_positive"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_freight_tariffs_reefer_plausible"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_freight_tariffs_capacity_positive"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_freight_tariffs_minimum_not_negative"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_freight_tariffs_leg_known"), type_="check")
        batch_op.drop_constraint("uq_freight_tariffs_mode_crossing_leg", type_="unique")
        batch_op.create_unique_constraint(
            "uq_freight_tariffs_mode_crossing", ["mode", "border_crossing_code"]
        )
        batch_op.drop_column("transit_days")
        batch_op.drop_column("reefer_surcharge_percent")
        batch_op.drop_column("unit_capacity_kg")
        batch_op.drop_column("min_charge_cny")
        batch_op.drop_column("leg")

    duty = sa.table(
        "duty_rates", sa.column("id", sa.Integer), sa.column("hs_prefix"), sa.column("effective_from")
    )
    keep = {}
    for r in bind.execute(sa.select(duty).order_by(duty.c.effective_from)).all():
        keep[r.hs_prefix] = r.id  # the latest period of each prefix survives
    bind.execute(duty.delete().where(duty.c.id.not_in(list(keep.values()) or [0])))
    with op.batch_alter_table("duty_rates", schema=None) as batch_op:
        for name in (
            "period_ordered",
            "quota_plausible",
            "quota_whole",
            "provisional_ordered",
            "provisional_whole",
            "provisional_plausible",
        ):
            batch_op.drop_constraint(batch_op.f(f"ck_duty_rates_{name}"), type_="check")
        batch_op.drop_index("ix_duty_rates_hs_prefix")
        batch_op.drop_constraint("uq_duty_rates_prefix_from", type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_duty_rates_hs_prefix"), ["hs_prefix"])
        for column in (
            "source",
            "effective_to",
            "effective_from",
            "quota_out_percent",
            "quota_in_percent",
            "provisional_to",
            "provisional_from",
            "provisional_percent",
        ):
            batch_op.drop_column(column)
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.drop_column("tnved_code")
