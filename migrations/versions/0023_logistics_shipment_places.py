"""logistics: a shipment's origin and destination as gazetteer places

``origin_place_code`` and ``destination_place_code`` point at ``logistics_places``; the free
text stays as the detail. Existing shipments whose text is the app's default (``Chelyabinsk``,
``Harbin, Daowai logistics zone warehouse``) or exactly a place's name in any language get
that place; any other text is left without one.

Revision ID: 0023_logistics_shipment_places
Revises: 0023_shop_line_packaging
Create Date: 2026-12-02 18:30:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0023_logistics_shipment_places"
down_revision = "0023_shop_line_packaging"
branch_labels = None
depends_on = None

#: The texts the app stored when the operator gave none (logistics.rules DEFAULT_ORIGIN and
#: DEFAULT_DESTINATION at this revision) and their places.
DEFAULTS = {
    "Chelyabinsk": "chelyabinsk",
    "Harbin, Daowai logistics zone warehouse": "harbin-daowai",
}


def _key(text) -> str:
    return " ".join((text or "").split()).casefold()


def place_code(text, names: dict[str, str]) -> str | None:
    """The place a stored origin or destination text names: a default, else a place whose
    name (zh, ru or en, case and spacing aside) it is; None for anything else.
    ``names``: name (as ``_key`` makes it) → code."""
    key = _key(text)
    if not key:
        return None
    for default, code in DEFAULTS.items():
        if key == _key(default):
            return code
    return names.get(key)


def upgrade():
    with op.batch_alter_table("logistics_shipments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("origin_place_code", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("destination_place_code", sa.String(length=40), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_logistics_shipments_origin_place_code"), ["origin_place_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_logistics_shipments_destination_place_code"),
            ["destination_place_code"],
            unique=False,
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_logistics_shipments_origin_place_code_logistics_places"),
            "logistics_places",
            ["origin_place_code"],
            ["code"],
            ondelete="RESTRICT",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_logistics_shipments_destination_place_code_logistics_places"),
            "logistics_places",
            ["destination_place_code"],
            ["code"],
            ondelete="RESTRICT",
        )

    conn = op.get_bind()
    names = {}
    for code, *place_names in conn.execute(
        sa.text(
            "SELECT code, name_en, name_ru, name_zh FROM logistics_places ORDER BY position DESC, code DESC"
        )
    ):
        # Walked from the last position up, so the first place in the gazetteer wins a shared name.
        for name in place_names:
            if name:
                names[_key(name)] = code
    known = set(names.values())  # a default's place missing from this database is left unset
    for column in ("origin", "destination"):
        texts = [
            row[0] for row in conn.execute(sa.text(f"SELECT DISTINCT {column} FROM logistics_shipments"))
        ]
        for text in texts:
            code = place_code(text, names)
            if code is None or code not in known:
                continue
            conn.execute(
                sa.text(
                    f"UPDATE logistics_shipments SET {column}_place_code = :code "
                    f"WHERE {column} = :text AND {column}_place_code IS NULL"
                ),
                {"code": code, "text": text},
            )


def downgrade():
    with op.batch_alter_table("logistics_shipments", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_logistics_shipments_destination_place_code_logistics_places"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_logistics_shipments_origin_place_code_logistics_places"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_logistics_shipments_destination_place_code"))
        batch_op.drop_index(batch_op.f("ix_logistics_shipments_origin_place_code"))
        batch_op.drop_column("destination_place_code")
        batch_op.drop_column("origin_place_code")
