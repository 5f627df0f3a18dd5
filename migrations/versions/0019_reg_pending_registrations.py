"""accounts: sign-ups waiting for their e-mail to be confirmed

Revision ID: 0019_reg_pending_registrations
Revises: 0019_cluster_stored_files
Create Date: 2026-12-02 10:40:00

"""
from alembic import op
import sqlalchemy as sa

import core.db


# revision identifiers, used by Alembic.
revision = '0019_reg_pending_registrations'
down_revision = '0019_cluster_stored_files'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('accounts_pending_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('company', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accounts_pending_registrations')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_accounts_pending_registrations_token_hash'))
    )
    with op.batch_alter_table('accounts_pending_registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accounts_pending_registrations_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_accounts_pending_registrations_expires_at'), ['expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('accounts_pending_registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accounts_pending_registrations_expires_at'))
        batch_op.drop_index(batch_op.f('ix_accounts_pending_registrations_email'))
    op.drop_table('accounts_pending_registrations')
