"""catalog: lots can be archived (taken off sale for good, kept for their orders)

Revision ID: 0014_lot_archive
Revises: 0014_webhook_error_classes
Create Date: 2026-12-02 06:40:00

"""
from alembic import op
import sqlalchemy as sa

import core.db


revision = '0014_lot_archive'
down_revision = '0014_webhook_error_classes'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('catalog_lots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archived_at', core.db.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('catalog_lots', schema=None) as batch_op:
        batch_op.drop_column('archived_at')
