"""Gapless numbers per name and year (order numbers, invoice numbers).

The counter row is updated inside the caller's transaction: it stays locked until commit,
and a rollback gives the number back, so the sequence has no gaps.
"""

from sqlalchemy import Integer, String, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db


class NumberSequence(db.Model):
    __tablename__ = "number_sequences"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


def next_value(name: str, year: int) -> int:
    stmt = (
        update(NumberSequence)
        .where(NumberSequence.name == name, NumberSequence.year == year)
        .values(last_value=NumberSequence.last_value + 1)
        .returning(NumberSequence.last_value)
    )
    value = db.session.execute(stmt).scalar()
    if value is not None:
        return value
    try:
        with db.session.begin_nested():
            db.session.add(NumberSequence(name=name, year=year, last_value=1))
        return 1
    except IntegrityError:
        # Another transaction created this year's row first: take the next value from it.
        return db.session.execute(stmt).scalar_one()
