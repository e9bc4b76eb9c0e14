"""Surveys can be archived (kept with their responses, listed apart).

Revision ID: 0010
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

import vocapp.models.base

revision = '0010'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archived_at', vocapp.models.base.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.drop_column('archived_at')
