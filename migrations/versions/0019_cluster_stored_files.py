"""core: stored files in the database (UPLOAD_STORAGE=database), in chunks

Revision ID: 0019_cluster_stored_files
Revises: 0013_documents_kept
Create Date: 2026-12-02 10:30:00

"""
from alembic import op
import sqlalchemy as sa

import core.db


# revision identifiers, used by Alembic.
revision = '0019_cluster_stored_files'
down_revision = '0013_documents_kept'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stored_files',
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('complete', sa.Boolean(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_stored_files'))
    )
    op.create_table('stored_file_chunks',
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['key'], ['stored_files.key'], name=op.f('fk_stored_file_chunks_key_stored_files'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('key', 'seq', name=op.f('pk_stored_file_chunks'))
    )
    # The chunks are already compressed files (JPEG, PDF): no point in TOAST compressing them.
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("ALTER TABLE stored_file_chunks ALTER COLUMN data SET STORAGE EXTERNAL")


def downgrade():
    op.drop_table('stored_file_chunks')
    op.drop_table('stored_files')
