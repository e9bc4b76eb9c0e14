"""Responses remember when they were anonymised (erasure or retention).

Revision ID: 0005
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa

import vocapp.models.base

revision = '0005'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anonymised_at', vocapp.models.base.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_column('anonymised_at')
