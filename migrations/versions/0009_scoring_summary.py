"""scoring runs keep their summary figures

Revision ID: 0009
Revises: 0002
Create Date: 2026-12-01 21:30:00

The figures the run page and its charts show (counts, means, quartiles, whiskers, outliers and
histograms of the scores per construct and relationship type) are stored with the run when it is
scored. Runs stored before have none (null); the run page computes theirs once from their stored
scores and keeps it.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("scoring_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            "summary", sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"), nullable=True))


def downgrade():
    with op.batch_alter_table("scoring_runs", schema=None) as batch_op:
        batch_op.drop_column("summary")
