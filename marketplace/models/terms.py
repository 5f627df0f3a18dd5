"""A buyer's standing trade terms: quota certificate and the shelf life they require on arrival."""

from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Numeric
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db


class BuyerTerms(db.Model):
    """One row per buyer who set anything; no row means the platform's defaults."""

    __tablename__ = "marketplace_buyer_terms"
    __table_args__ = (
        CheckConstraint(
            "min_shelf_life_share IS NULL OR (min_shelf_life_share > 0 AND min_shelf_life_share <= 1)",
            name="share_within_one",
        ),
    )

    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    #: Holds an import quota certificate (True), does not (False), not said (None): the
    #: default ``quota`` of the buyer's estimates and orders.
    holds_quota_certificate: Mapped[bool | None] = mapped_column(Boolean)
    #: The share of a lot's shelf life that must be left when it arrives in Harbin; None: the
    #: platform's default (SHELF_LIFE_SHARE_ON_ARRIVAL, 2/3).
    min_shelf_life_share: Mapped[Decimal | None] = mapped_column(Numeric(5, 4))

    @property
    def quota(self) -> str:
        return {True: "in", False: "out"}.get(self.holds_quota_certificate, "unknown")
