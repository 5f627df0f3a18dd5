"""trade: a label sheet per order (naming its buyer's company as importer), besides the product's

Revision ID: 0019_reg_order_label_sheets
Revises: 0019_reg_pending_registrations
Create Date: 2026-12-02 11:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0019_reg_order_label_sheets'
down_revision = '0019_reg_pending_registrations'
branch_labels = None
depends_on = None


ONE_SUBJECT = (
    "(kind IN ('proforma', 'commercial_invoice') AND order_id IS NOT NULL"
    " AND shipment_id IS NULL AND product_id IS NULL)"
    " OR (kind = 'packing_list' AND shipment_id IS NOT NULL AND product_id IS NULL)"
    " OR (kind = 'label_sheet' AND product_id IS NOT NULL AND shipment_id IS NULL)"
)
OLD_ONE_SUBJECT = (
    "(kind IN ('proforma', 'commercial_invoice') AND order_id IS NOT NULL"
    " AND shipment_id IS NULL AND product_id IS NULL)"
    " OR (kind = 'packing_list' AND shipment_id IS NOT NULL AND product_id IS NULL)"
    " OR (kind = 'label_sheet' AND product_id IS NOT NULL"
    " AND order_id IS NULL AND shipment_id IS NULL)"
)


def upgrade():
    with op.batch_alter_table('trade_documents', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_trade_documents_one_subject'), type_='check')
        batch_op.create_check_constraint(op.f('ck_trade_documents_one_subject'), ONE_SUBJECT)


def downgrade():
    op.execute("DELETE FROM trade_documents WHERE kind = 'label_sheet' AND order_id IS NOT NULL")
    with op.batch_alter_table('trade_documents', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_trade_documents_one_subject'), type_='check')
        batch_op.create_check_constraint(op.f('ck_trade_documents_one_subject'), OLD_ONE_SUBJECT)
