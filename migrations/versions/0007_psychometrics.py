"""Account scores keep the observed (role-weighted) mean and the posterior SD beside the
empirical-Bayes estimate (issue 15).

Revision ID: 0007
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy import Text  # noqa: F401  (JSONB renders astext_type=Text())
from sqlalchemy.dialects import postgresql

revision = '0007'
down_revision = '0009'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql')


def upgrade():
    with op.batch_alter_table('account_scores', schema=None) as batch_op:
        batch_op.add_column(sa.Column('observed', JSON, nullable=True))
        batch_op.add_column(sa.Column('posterior_sd', JSON, nullable=True))


def downgrade():
    with op.batch_alter_table('account_scores', schema=None) as batch_op:
        batch_op.drop_column('posterior_sd')
        batch_op.drop_column('observed')
