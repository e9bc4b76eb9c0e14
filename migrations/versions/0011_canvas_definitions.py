"""Canvas definitions saved by staff, versioned (category mapping and cuts edited in the browser).

Revision ID: 0011
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy import Text  # noqa: F401  (JSONB renders astext_type=Text())
from sqlalchemy.dialects import postgresql

import vocapp.models.base

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('canvas_definitions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('definition', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('created_at', vocapp.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['staff_users.id'], name=op.f('fk_canvas_definitions_created_by_id_staff_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_canvas_definitions')),
    sa.UniqueConstraint('content_hash', name=op.f('uq_canvas_definitions_content_hash')),
    sa.UniqueConstraint('number', name=op.f('uq_canvas_definitions_number'))
    )


def downgrade():
    op.drop_table('canvas_definitions')
